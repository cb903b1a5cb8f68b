"""The sample project's front is tracked ahead in the worker with exactly the call the
across-the-front chain makes after measuring the drift (so the job gets the kept answer)."""

import pytest

from insitu_tem.analysis.movie.front_line import analyse_front
from insitu_tem.core.project import save_session
from insitu_tem.workflows import drift, front
from insitu_tem.workflows.child import digest
from insitu_tem.workflows.jobs import Steps
from insitu_tem.workflows.project import open_session


class _Asked(Exception):
    pass


class _Recorder:
    """Stands in for the worker: records the call the front job asks for."""

    def run(self, fn, steps, *args, **kwargs):
        self.call = digest(fn, args, kwargs)
        raise _Asked


def test_the_sample_front_tracked_ahead_is_the_tracking_the_job_asks_for(sample_project):
    project = sample_project
    fn, args, kwargs = front.track_ahead(str(project))
    opened = open_session(project)
    drift.run(opened)
    recorder = _Recorder()
    with pytest.raises(_Asked):
        front.prepare(opened, child=recorder).compute(Steps(None, None))
    assert fn is analyse_front and digest(fn, args, kwargs) == recorder.call


def test_a_project_with_a_front_result_is_not_tracked_ahead(sample_project, tmp_path):
    project = sample_project
    opened = open_session(project)
    drift.run(opened)
    front.run(opened)
    saved = tmp_path / "tracked.itproj"
    save_session(opened, saved)
    assert front.track_ahead(str(saved)) is None
