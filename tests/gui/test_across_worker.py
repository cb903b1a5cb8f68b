"""The across-the-front panel measures the drift and tracks the front in the movie's worker
process and computes the EELS numbers it does not reuse in the EELS panel's, not in the GUI
process; the numbers are the job thread's."""

import numpy as np
from PySide6.QtGui import QUndoStack

from insitu_tem.analysis.movie.drift import measure_drift
from insitu_tem.analysis.movie.front_line import analyse_front
from insitu_tem.core.results import plain
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.panels.across.panel import AcrossPanel
from insitu_tem.gui.tasks import TaskRunner
from insitu_tem.core.session import Session
from insitu_tem.workflows import across_front, drift, front
from insitu_tem.workflows.jobs import Steps
from tests.workflows.test_workflows import front_movie, session, user_track  # noqa: F401


def _computed_by_the_panel(qtbot, reporter, session):  # noqa: F811
    tasks = TaskRunner(reporter)
    panel = AcrossPanel(SessionBridge(session), tasks, QUndoStack())
    qtbot.addWidget(panel)
    try:
        panel.compute()
        qtbot.waitUntil(lambda: session.result("across") is not None, timeout=60000)
        return tasks.movie_child.pid, tasks.eels_child.pid
    finally:
        tasks.cancel()


def test_the_across_eels_numbers_come_from_the_eels_worker(qtbot, reporter, session):  # noqa: F811
    user_track(session, front_col_at_scan=24.0)
    here = plain(across_front.prepare(session).compute(Steps(None, None)))
    movie_worker, eels_worker = _computed_by_the_panel(qtbot, reporter, session)
    assert movie_worker is None and eels_worker is not None
    np.testing.assert_equal(plain(session.result("across").value), here)
    assert not reporter.reports


def test_the_drift_and_front_come_from_the_movie_worker(qtbot, reporter):
    untracked = Session()
    untracked.set_dataset("movie", front_movie())
    untracked.set_analysis_line([(10.0, 2.0), (10.0, 46.0)])
    untracked.set_parameters("front", {"width_px": 5.0})
    tasks = TaskRunner(reporter)
    asked, run = [], tasks.movie_child.run
    tasks.movie_child.run = lambda fn, *args, **kwargs: asked.append(fn) or run(fn, *args, **kwargs)
    panel = AcrossPanel(SessionBridge(untracked), tasks, QUndoStack())
    qtbot.addWidget(panel)
    try:
        panel.compute()
        qtbot.waitUntil(lambda: "scan line" in panel.status.text(), timeout=60000)
    finally:
        tasks.cancel()
    assert asked == [measure_drift, analyse_front]
    shown = {name: plain(untracked.result(name).value) for name in ("drift", "front")}
    untracked.clear_result("drift")
    drift.run(untracked)
    front.run(untracked)
    for name, value in shown.items():
        np.testing.assert_equal(value, plain(untracked.result(name).value))
    assert not reporter.reports
