"""The EELS job computed in a worker process gives the numbers of the job's thread exactly, and
the sample project's EELS analysis computed ahead is the call the job asks for."""

import numpy as np
import pytest

from insitu_tem.core.results import plain
from insitu_tem.workflows import eels
from insitu_tem.workflows.child import ChildProcess, digest
from insitu_tem.workflows.jobs import Steps
from insitu_tem.workflows.project import open_session


class _Asked(Exception):
    pass


class _Recorder:
    """Stands in for the worker: records the call the EELS job asks for."""

    def run(self, fn, steps, *args, **kwargs):
        self.call = digest(fn, args, kwargs)
        raise _Asked


@pytest.fixture
def sample_session(sample_data):
    project = sample_data / "sample.itproj"
    if not project.exists():
        pytest.skip("sample_data/sample.itproj not generated")
    return project, open_session(project)


def _given(session) -> dict:
    return {k: v for k, v in eels.session_parameters(session).items() if v is not None}


def test_the_eels_numbers_in_the_worker_are_the_numbers_of_the_thread(sample_session):
    _project, session = sample_session
    here = plain(eels.prepare(session, **_given(session)).compute(Steps(None, None)))
    worker = ChildProcess()
    try:
        job = eels.prepare(session, child=worker, **_given(session))
        there = plain(job.compute(Steps(None, None)))
        assert worker.pid is not None
    finally:
        worker.close()
    np.testing.assert_equal(there, here)
    assert list(there) == list(here)


def test_the_sample_eels_analysed_ahead_is_the_call_the_job_asks_for(sample_session):
    project, session = sample_session
    fn, args, kwargs = eels.eels_ahead(str(project))
    recorder = _Recorder()
    with pytest.raises(_Asked):
        eels.prepare(session, child=recorder, **_given(session)).compute(Steps(None, None))
    assert fn is eels.spectra_numbers and digest(fn, args, kwargs) == recorder.call


def test_spectra_too_large_to_copy_are_analysed_here(sample_session, monkeypatch):
    _project, session = sample_session
    monkeypatch.setattr(eels, "memory_budget", lambda: 0)
    worker = ChildProcess()
    try:
        eels.prepare(session, child=worker, **_given(session)).compute(Steps(None, None))
        assert worker.pid is None
    finally:
        worker.close()
