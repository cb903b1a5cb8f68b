"""An exported EELS spectrum marks what the panel marks: the same edges' lines at the same
energies with the same names (the chosen edge's in colour), and the chosen edge's background
and signal windows where the panel shades them — after the user drags a window too."""

import pytest

from insitu_tem.figures.eels_view import CHOSEN_COLOUR
from insitu_tem.figures.views import spectrum_view
from insitu_tem.gui.panels.eels.spectrum_plot import HIGHLIGHT
from tests.gui.test_eels_panel import open_in, panel, sample, wait_for_edge

pytestmark = pytest.mark.slow
__all__ = ["panel", "sample"]


def shown_markers(panel) -> tuple[list, list]:
    """(energy, name) of every labelled edge line on screen, and those drawn highlighted."""
    lines = [(m.value(), m.label.toPlainText(), m.pen.color().name()) for m in panel.plot.markers]
    return sorted(line[:2] for line in lines), sorted(
        line[:2] for line in lines if line[2] == HIGHLIGHT
    )


def exported_markers(view) -> tuple[list, list]:
    lines = view.labelled_markers
    return sorted(line[:2] for line in lines), sorted(
        line[:2] for line in lines if line[2] == CHOSEN_COLOUR
    )


def test_the_exported_spectrum_marks_the_edges_and_windows_on_screen(qtbot, panel, sample):
    open_in(panel, sample[0])
    wait_for_edge(qtbot, panel, "W-O23")
    shown, chosen = shown_markers(panel)
    names = [name for _, name in shown]
    assert {"W O3", "W O2", "Li K"} <= set(names) and [n for _, n in chosen] == ["W O3", "W O2"]
    view = spectrum_view(panel.state.session)
    assert exported_markers(view) == (shown, chosen), "the table's energies, not re-derived"
    windows = {name: (low, high) for name, low, high, _ in view.spans}
    assert windows["background"] == pytest.approx(panel.plot.background_region.getRegion())
    assert windows["signal"] == pytest.approx(panel.plot.signal_region.getRegion())

    low, high = panel.plot.signal_region.getRegion()
    panel.plot.signal_region.setRegion((low + 1.0, high + 1.0))
    panel.plot.signal_region.sigRegionChangeFinished.emit(panel.plot.signal_region)
    qtbot.waitUntil(panel.tasks.is_idle, timeout=30000)
    moved = {name: (lo, hi) for name, lo, hi, _ in spectrum_view(panel.state.session).spans}
    assert moved["signal"] == pytest.approx((low + 1.0, high + 1.0))
