"""The across-the-front panel says why a profile is missing: a Li K edge displaced into its
windows is not measured at any probe, so no Li K plot is drawn, and the status line names it
with the reason the export's panel note gives."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack

from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.panels.across.panel import AcrossPanel
from insitu_tem.gui.tasks import TaskRunner
from tests.workflows.test_across_li_k_withheld import N_PROBES, session

__all__ = ["session"]


def test_the_status_names_a_profile_not_measured_and_why(qtbot, reporter, session):
    tasks = TaskRunner(reporter)
    panel = AcrossPanel(SessionBridge(session), tasks, QUndoStack())
    qtbot.addWidget(panel)
    panel.show()
    try:
        qtbot.mouseClick(panel.compute_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: panel.result is not None, timeout=60000)
    finally:
        tasks.cancel()
    reason = session.result("across").value["reasons"]["Li_K_intensity"].split("; ")[0]
    expected = f"Li K not measured at {N_PROBES} of {N_PROBES} probes: {reason}"
    assert expected in panel.status.text().split("; ")
    assert all(p.getAxis("left").labelText != "Li K" for p in panel._plot_items)
