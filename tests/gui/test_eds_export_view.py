"""An exported EDS spectrum is the one on screen: the same counts on the same X-ray energy axis
(keV), the same identified lines marked, the same source (the sum, one probe, a region) named,
not an energy-loss spectrum of probe 0."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from insitu_tem.figures.views import spectrum_view
from tests.gui.test_eds_panel import COLS, ROWS, eds_tasks, identified, panel, spectrum_image
from tests.gui.test_eels_panel import open_in

pytestmark = pytest.mark.slow
__all__ = ["eds_tasks", "panel"]


def assert_exported_as_shown(exported, panel) -> None:
    x, y = (np.asarray(v, float) for v in panel.plot.curve.getOriginalDataset())
    keep = x >= exported.x[0]
    np.testing.assert_array_equal(exported.x, x[keep])
    np.testing.assert_array_equal(exported.curves[0][1], y[keep])
    assert sorted(m[0] for m in exported.labelled_markers) == pytest.approx(
        sorted(marker.value() for marker in panel.plot.markers)
    )
    labels = {m.label.format for m in panel.plot.markers if getattr(m, "label", None) is not None}
    assert {m[1] for m in exported.labelled_markers if m[1]} == labels


def test_the_exported_sum_and_probe_spectra_are_the_ones_shown(qtbot, panel):
    open_in(panel, spectrum_image())
    rows = identified(qtbot, panel)
    assert rows["Fe"][2] == "present" and rows["Si"][2] == "present"
    exported = spectrum_view(panel.state.session)
    assert exported.title == f"EDS, the sum of {ROWS * COLS} spectra"
    assert exported.x_label == "X-ray energy (keV)" and exported.x[0] >= 0.15
    assert_exported_as_shown(exported, panel)
    assert "threshold" in exported.note and [line[0] for line in exported.lines] == ["continuum"]

    panel.state.set_scan_index(COLS - 1)
    combo = panel.eds_view.source_combo
    while combo.currentData() != "probe":
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    qtbot.waitUntil(
        lambda: (
            panel.eds.result_value() is not None
            and panel.eds.result_value()["spectrum"] == f"the spectrum at probe {COLS - 1}"
        ),
        timeout=60000,
    )
    qtbot.waitUntil(panel.tasks.is_idle, timeout=60000)
    probe = spectrum_view(panel.state.session)
    assert probe.title == f"EDS, the spectrum at probe {COLS}", "index COLS - 1, shown from 1"
    assert_exported_as_shown(probe, panel)
    assert probe.curves[0][1].sum() < exported.curves[0][1].sum() / (ROWS * COLS) * 3
