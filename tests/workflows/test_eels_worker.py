"""The EELS job computed in a worker process gives the numbers of the job's thread: the same keys,
texts and flags, and every number equal to 1e-9 relative (a BLAS reduction split over another
number of threads may round the last digits differently: a detection p of 2.26736919198906e-57
read 2.2673691919869737e-57 in one CI run)."""

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
    _assert_same_numbers(there, here)
    assert list(there) == list(here)


def _assert_same_numbers(there, here, where: str = "") -> None:
    if isinstance(here, dict):
        assert list(there) == list(here), where
        for key in here:
            _assert_same_numbers(there[key], here[key], f"{where}.{key}")
    elif isinstance(here, list):
        assert isinstance(there, list) and len(there) == len(here), where
        for i, (a, b) in enumerate(zip(there, here)):
            _assert_same_numbers(a, b, f"{where}[{i}]")
    elif isinstance(here, float):
        np.testing.assert_allclose(there, here, rtol=1e-9, atol=0, equal_nan=True, err_msg=where)
    else:
        np.testing.assert_equal(there, here, err_msg=where)


def test_spectra_too_large_to_copy_are_analysed_here(sample_session, monkeypatch):
    session = sample_session
    monkeypatch.setattr(child, "memory_budget", lambda: 0)
    worker = ChildProcess()
    try:
        eels.prepare(session, child=worker, **_given(session)).compute(Steps(None, None))
        assert worker.pid is None
    finally:
        worker.close()
