"""The sample project's drift and front are computed ahead in the worker with exactly the calls
the across-the-front chain makes, in turn, after the project opens (so each job gets the kept
answer)."""

import pytest

from insitu_tem.analysis.movie.drift import measure_drift
from insitu_tem.analysis.movie.front_line import analyse_front
from insitu_tem.core.project import save_session
from insitu_tem.workflows import drift, front
from insitu_tem.workflows.child import digest
from insitu_tem.workflows.jobs import Steps
from insitu_tem.workflows.project import open_session


class _Asked(Exception):
    pass


class _Recorder:
    """Stands in for the worker: records every call it is handed, measures the drift and stops
    at the tracking."""

    def __init__(self):
        self.calls = []

    def run(self, fn, steps, *args, **kwargs):
        self.calls.append((fn, digest(fn, args, kwargs)))
        if fn is analyse_front:
            raise _Asked
        return fn(*args, **kwargs)


def test_the_sample_drift_and_front_computed_ahead_are_what_the_jobs_ask_for(sample_project):
    ahead, asked = _Recorder(), _Recorder()
    with pytest.raises(_Asked):
        front.track_ahead(ahead, str(sample_project))
    opened = open_session(sample_project)
    drift.run(opened, child=asked)
    with pytest.raises(_Asked):
        front.prepare(opened, child=asked).compute(Steps(None, None))
    assert [fn for fn, _ in ahead.calls] == [measure_drift, analyse_front]
    assert ahead.calls == asked.calls


def test_a_project_with_a_front_result_is_not_tracked_ahead(sample_project, tmp_path):
    opened = open_session(sample_project)
    drift.run(opened)
    front.run(opened)
    saved = tmp_path / "tracked.itproj"
    save_session(opened, saved)
    recorder = _Recorder()
    front.track_ahead(recorder, str(saved))
    assert recorder.calls == []
