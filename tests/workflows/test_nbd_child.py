"""The NBD scan analysed in the worker process gives the in-thread numbers exactly, forwards its
progress, ends that worker when cancelled, and raises the error the in-thread analysis raises."""

import os

import numpy as np
import pytest

from insitu_tem.analysis.diffraction.nbd_scan import analyse_scan
from insitu_tem.core.results import plain
from insitu_tem.workflows import nbd
from insitu_tem.workflows.child import ChildProcess
from insitu_tem.workflows.jobs import Cancelled, Steps

from .test_nbd_rereference import scan  # noqa: F401 - fixture


@pytest.fixture
def child():
    worker = ChildProcess()
    yield worker
    worker.close()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_worker_gives_the_in_thread_numbers_exactly_and_reports_progress(scan, child):  # noqa: F811
    parameters = {**nbd.DEFAULTS, "components": 3}
    here = plain(nbd.analyse(scan, parameters, Steps(None, None)))
    reported = []
    steps = Steps(None, lambda fraction, message: reported.append((fraction, message)))
    there = plain(nbd.analyse(scan, parameters, steps, child=child))
    np.testing.assert_equal(there, here)
    assert len(reported) > 3 and all(0 <= f <= 1 for f, _ in reported)
    assert [f for f, _ in reported] == sorted(f for f, _ in reported)


def test_a_cancelled_job_ends_its_worker_and_the_next_job_gets_a_new_one(scan, child):  # noqa: F811
    reported = []
    steps = Steps(lambda: bool(reported), lambda fraction, message: reported.append(fraction))
    child.start()
    first = child.pid
    with pytest.raises(Cancelled):
        nbd.analyse(scan, dict(nbd.DEFAULTS), steps, child=child)
    assert child.pid is None and not alive(first)
    patterns, position = np.zeros((2, 16, 16)), np.arange(2.0)
    with pytest.raises(ValueError) as here:
        analyse_scan(patterns, position=position, scale_per_nm=None)
    with pytest.raises(ValueError) as there:
        child.run(analyse_scan, Steps(None, None), patterns, position=position, scale_per_nm=None)
    assert str(there.value) == str(here.value)
    assert "in the worker process" in "".join(there.value.__notes__)
    assert alive(child.pid) and child.pid != first
