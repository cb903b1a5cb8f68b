"""The EELS energy cursor never hides the data: on a low-loss spectrum it starts on the first
plasmon, not on the zero-loss peak, and it is drawn behind the spectrum, so the ZLP's apex stays
on screen even where the user drags the cursor onto it; once dragged, it stays where the user put
it while the probe changes."""

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QColor, QMouseEvent
from PySide6.QtWidgets import QApplication

from insitu_tem.core.model import Axis, Dataset
from tests.gui.test_eels_panel import open_in, panel  # noqa: F401 - fixture

CURVE = QColor("#ffcc33")


def low_loss_scan() -> Dataset:
    """Three probes of a low-loss spectrum: a 1e7-count ZLP at 0 eV, a plasmon at 15 eV."""
    energy = Axis("E", 2100, 0.02, -4.0, "eV")
    x = energy.coordinates()
    model = 1e7 * np.exp(-0.5 * (x / 0.1) ** 2) + 3e5 / (1 + ((x - 15) / 1.5) ** 2) + 2e4
    counts = np.random.default_rng(2).poisson(np.stack([model] * 3)).astype(np.float32)
    return Dataset("spectrum_series", counts, (Axis("position", 3, 1.0, 0.0, "nm"), energy))


def on_screen(plot, energy_eV: float, counts: float) -> QPointF:
    """Widget pixel of a point of the spectrum (eV, counts)."""
    scene = plot.getPlotItem().vb.mapViewToScene(QPointF(energy_eV, counts))
    return QPointF(plot.mapFromScene(scene))


def highest_curve_pixel(plot, column: float) -> int:
    """Row of the highest pixel drawn in the spectrum's colour within a pixel of ``column``."""
    image = plot.grab().toImage()
    rows = [
        row
        for row in range(image.height())
        for col in (int(column) - 1, int(column), int(column) + 1)
        if image.pixelColor(col, row) == CURVE
    ]
    return min(rows)


def zlp_apex(panel):  # noqa: F811
    x, y = panel.curve.getData()
    return float(x[np.argmax(y)]), float(np.max(y))


def drag_cursor(qtbot, plot, to_energy_eV: float) -> None:
    """Press on the cursor line, move with the button held, release at ``to_energy_eV``."""
    low, high = plot.getPlotItem().vb.viewRange()[1]
    start = on_screen(plot, plot.cursor.value(), (low + high) / 2)
    end = on_screen(plot, to_energy_eV, (low + high) / 2)
    viewport, left, none = plot.viewport(), Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    steps = [start + (end - start) * f for f in np.linspace(0, 1, 9)[1:]]
    events = [(QEvent.Type.MouseButtonPress, start, left, left)]
    events += [(QEvent.Type.MouseMove, p, none, left) for p in steps]
    events += [(QEvent.Type.MouseButtonRelease, end, left, none)]
    for kind, point, button, buttons in events:
        event = QMouseEvent(
            kind,
            point,
            viewport.mapToGlobal(point),
            button,
            buttons,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(viewport, event)


def test_cursor_starts_on_the_plasmon_and_the_zlp_apex_is_drawn(qtbot, panel):  # noqa: F811
    open_in(panel, low_loss_scan())
    QApplication.processEvents()
    assert panel.plot.cursor.value() == pytest.approx(15.0, abs=0.3)
    energy, top = zlp_apex(panel)
    apex = on_screen(panel.plot, energy, top)
    assert highest_curve_pixel(panel.plot, apex.x()) <= apex.y() + 1


def test_cursor_dragged_onto_the_zlp_stays_behind_it_and_where_the_user_put_it(
    qtbot,
    panel,  # noqa: F811
):
    open_in(panel, low_loss_scan())
    QApplication.processEvents()
    drag_cursor(qtbot, panel.plot, zlp_apex(panel)[0])
    dragged = panel.plot.cursor.value()
    assert dragged == pytest.approx(0.0, abs=0.3)
    QApplication.processEvents()
    energy, top = zlp_apex(panel)
    apex = on_screen(panel.plot, energy, top)
    assert highest_curve_pixel(panel.plot, apex.x()) <= apex.y() + 1
    panel.navigator.set_index(2)
    panel.state.set_scan_index(2)
    QApplication.processEvents()
    assert panel.plot.cursor.value() == dragged
    open_in(panel, low_loss_scan())
    assert panel.plot.cursor.value() == pytest.approx(15.0, abs=0.3)
