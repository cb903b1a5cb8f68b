"""The across-the-front panel computes the EELS numbers it does not reuse in the EELS panel's
worker process (which has their analysis imported), not in the GUI process; the numbers are
the job thread's."""

import numpy as np
from PySide6.QtGui import QUndoStack

from insitu_tem.core.results import plain
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.panels.across.panel import AcrossPanel
from insitu_tem.gui.tasks import TaskRunner
from insitu_tem.workflows import across_front
from insitu_tem.workflows.jobs import Steps
from tests.workflows.test_workflows import session, user_track  # noqa: F401 - fixture


def test_the_across_eels_numbers_come_from_the_eels_worker(qtbot, reporter, session):  # noqa: F811
    user_track(session, front_col_at_scan=24.0)
    here = plain(across_front.prepare(session).compute(Steps(None, None)))
    tasks = TaskRunner(reporter)
    panel = AcrossPanel(SessionBridge(session), tasks, QUndoStack())
    qtbot.addWidget(panel)
    try:
        panel.compute()
        qtbot.waitUntil(lambda: session.result("across") is not None, timeout=60000)
        assert tasks.eels_child.pid is not None
    finally:
        tasks.cancel()
    np.testing.assert_equal(plain(session.result("across").value), here)
    assert not reporter.reports
