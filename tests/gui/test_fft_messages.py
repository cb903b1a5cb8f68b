"""Long FFT-panel messages (a lattice not determined, a broad ring) in a laptop-sized dock: they
scroll in a few lines instead of squeezing the spin boxes and buttons below them to slivers."""

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QAbstractSpinBox, QPushButton

from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.panels.fft.panel import FftPanel
from insitu_tem.gui.tasks import TaskRunner
from insitu_tem.gui.widgets.text_line import MessageColumn

REASON = (
    "lattice not determined: the spacings (6.38 px) change by 2.3 % when only the centre of the "
    "region is analysed, so the fringes are not one periodic lattice across it: the lens "
    "delocalises the fringes of a small crystal (large defocus or uncorrected Cs) and moves its "
    "reflections by up to twice that, as can a boundary, strain or the noise of a small region "
    "(analyse a larger one); the spots are listed with their own 1σ"
)


@pytest.fixture
def panel(qtbot, reporter):
    tasks = TaskRunner(reporter)
    widget = FftPanel(SessionBridge(), tasks, QUndoStack())
    qtbot.addWidget(widget)
    widget.resize(1280, 348)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    tasks.cancel()
    tasks.wait_for_done(5000)


def test_long_messages_scroll_and_leave_the_controls_whole(qtbot, panel):
    panel.lattice_label.setText(REASON)
    panel.warning_label.setText(REASON + "\nbroad ring at d = 65.6 px: nanocrystalline")
    controls = [
        widget
        for kind in (QAbstractSpinBox, QPushButton)
        for widget in panel.controls.findChildren(kind)
        if widget.isVisible()
    ]
    line = panel.warning_label.fontMetrics().lineSpacing()
    column = panel.findChild(MessageColumn)
    qtbot.waitUntil(lambda: column.viewport().height() >= 2 * line, timeout=5000)
    squeezed = [w for w in controls if w.height() < w.minimumSizeHint().height()]
    assert controls and squeezed == []
    top = panel.lattice_label.mapTo(column.viewport(), QPoint(0, 0)).y()
    assert top == 0 and panel.lattice_label.height() >= 2 * line
    assert column.widget().height() > column.viewport().height()


def test_the_scrolled_messages_end_between_two_lines_never_across_one(qtbot, panel):
    panel.readout.setText("Click a spot in the FFT for d and angle; click two for the angle.")
    panel.lattice_label.setText(REASON)
    column = panel.findChild(MessageColumn)
    line = panel.lattice_label.fontMetrics().lineSpacing()
    qtbot.waitUntil(lambda: column.viewport().height() >= 2 * line, timeout=5000)
    bottom = column.viewport().height()
    for label in (panel.readout, panel.lattice_label):
        top = label.mapTo(column.viewport(), QPoint(0, 0)).y()
        edges = [top + k * line for k in range(round(label.height() / line) + 1)]
        assert any(abs(edge - bottom) <= 1 for edge in edges) or not top < bottom < edges[-1], (
            f"the column's bottom ({bottom} px) cuts a line of a label spanning {edges}"
        )
