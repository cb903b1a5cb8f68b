"""The movie panel's front workbench keeps the kymograph readable beside the kinetics readouts."""

from PySide6.QtGui import QUndoStack

from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.errors import RecordingReporter
from insitu_tem.gui.panels.movie.panel import MoviePanel
from insitu_tem.gui.tasks import TaskRunner

LONG_VELOCITY = "velocity at t = 0 s: 226.9 nm/s (fit; no 1σ within 2σ of the start time t0)"


def test_a_long_velocity_readout_wraps_instead_of_squeezing_the_kymograph(qtbot):
    reporter = RecordingReporter()
    tasks = TaskRunner(reporter)
    panel = MoviePanel(SessionBridge(), tasks, QUndoStack())
    qtbot.addWidget(panel)
    panel.resize(1000, 600)
    panel.show()
    qtbot.waitExposed(panel)
    kymograph, kinetics = panel.front.kymograph_view, panel.front.kinetics
    kinetics.velocity_label.setText(LONG_VELOCITY)
    qtbot.wait(200)
    assert kymograph.width() >= 0.5 * kinetics.width()
    assert kinetics.velocity_label.text() == LONG_VELOCITY
    tasks.cancel()
    tasks.wait_for_done(5000)
    assert reporter.reports == []
