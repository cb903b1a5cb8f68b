"""The EELS job computed in a worker process gives the numbers of the job's thread exactly."""

import numpy as np
import pytest

from insitu_tem.core.results import plain
from insitu_tem.workflows import child, eels
from insitu_tem.workflows.child import ChildProcess
from insitu_tem.workflows.jobs import Steps
from insitu_tem.workflows.project import open_session


@pytest.fixture
def sample_session(sample_project):
    return open_session(sample_project)


def _given(session) -> dict:
    return {k: v for k, v in eels.session_parameters(session).items() if v is not None}


def test_the_eels_numbers_in_the_worker_are_the_numbers_of_the_thread(sample_session):
    session = sample_session
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


def test_spectra_too_large_to_copy_are_analysed_here(sample_session, monkeypatch):
    session = sample_session
    monkeypatch.setattr(child, "memory_budget", lambda: 0)
    worker = ChildProcess()
    try:
        eels.prepare(session, child=worker, **_given(session)).compute(Steps(None, None))
        assert worker.pid is None
    finally:
        worker.close()
