"""Each call the worker computes ahead answers the first request of that very call (same function,
equal arguments), in any order, and only that one; any other request is computed and drops them,
and the front tracking and the sample project's scan give in the worker the numbers they give in
the job's thread."""

import numpy as np
import pytest

from insitu_tem.analysis.diffraction.nbd_scan import analyse_scan
from insitu_tem.core.results import plain
from insitu_tem.workflows import child as child_module
from insitu_tem.workflows import drift, front, nbd
from insitu_tem.workflows.child import ChildProcess, digest
from insitu_tem.workflows.jobs import Steps
from insitu_tem.workflows.project import open_session

from .test_workflows import session  # noqa: F401 - fixture

COUNTER = """
import itertools

import numpy as np

_calls = itertools.count()


def counted(values, *, offset, progress):
    return next(_calls), float(np.sum(values)) + offset


def expect(keeper, *offsets):
    for offset in offsets:
        keeper.run(counted, None, np.arange(4.0), offset=offset)


def expect_nothing(keeper):
    return None


def expect_a_failure(keeper):
    keeper.run(counted, None, np.arange(4.0), offset=0.0)
    raise ValueError("no such file")
"""


@pytest.fixture
def child(tmp_path, monkeypatch):
    (tmp_path / "counter.py").write_text(COUNTER)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    worker = ChildProcess()
    yield worker
    worker.close()


def test_the_answer_kept_ahead_serves_the_same_call_once(child):
    import counter

    child.ahead("counter", "expect", 1.0)
    steps = Steps(None, None)
    assert child.run(counter.counted, steps, np.arange(4.0), offset=1.0) == (0, 7.0)
    assert child.run(counter.counted, steps, np.arange(4.0), offset=1.0) == (1, 7.0)


def test_answers_kept_ahead_serve_their_calls_once_in_any_order(child):
    import counter

    child.ahead("counter", "expect", 1.0, 2.0)
    steps = Steps(None, None)
    assert child.run(counter.counted, steps, np.arange(4.0), offset=2.0) == (1, 8.0)
    assert child.run(counter.counted, steps, np.arange(4.0), offset=1.0) == (0, 7.0)
    assert child.run(counter.counted, steps, np.arange(4.0), offset=1.0) == (2, 7.0)


def test_a_call_not_kept_drops_every_kept_answer(child):
    import counter

    child.ahead("counter", "expect", 1.0, 2.0)
    steps = Steps(None, None)
    assert child.run(counter.counted, steps, np.arange(4.0), offset=3.0) == (2, 9.0)
    assert child.run(counter.counted, steps, np.arange(4.0), offset=2.0) == (3, 8.0)


@pytest.mark.parametrize(
    "values, offset",
    [(np.arange(4.0), 2.0), (np.arange(4), 1.0), (np.arange(5.0), 1.0), (np.arange(4.0), 1)],
)
def test_another_call_is_computed_and_drops_the_kept_answer(child, values, offset):
    import counter

    child.ahead("counter", "expect", 1.0)
    steps = Steps(None, None)
    first = child.run(counter.counted, steps, values, offset=offset)
    assert first == (1, float(np.sum(values)) + offset)
    assert child.run(counter.counted, steps, np.arange(4.0), offset=1.0) == (2, 7.0)


@pytest.mark.parametrize("name", ["expect_nothing", "expect_a_failure"])
def test_nothing_expected_or_a_failed_guess_leaves_requests_as_they_were(child, name):
    import counter

    child.ahead("counter", name)
    first = child.run(counter.counted, Steps(None, None), np.arange(4.0), offset=0.0)
    assert first == ({"expect_nothing": 0, "expect_a_failure": 1}[name], 6.0)


def test_equal_calls_have_equal_digests_and_any_difference_changes_it():
    def call(*args, **kwargs):
        return digest(analyse_scan, args, kwargs)

    base = call(np.eye(3), position=np.arange(3.0), scale_per_nm=None)
    assert base == call(np.eye(3).copy(), position=np.arange(3.0), scale_per_nm=None)
    assert base == call(np.asfortranarray(np.eye(3)), position=np.arange(3.0), scale_per_nm=None)
    assert base != call(np.eye(3, dtype=np.float32), position=np.arange(3.0), scale_per_nm=None)
    assert base != call(np.eye(3), position=np.arange(3.0), scale_per_nm=0.0)
    assert base != call(np.eye(3), position=[0.0, 1.0, 2.0], scale_per_nm=None)
    assert base != digest(nbd.analyse, (np.eye(3),), {"position": np.arange(3.0)})


class _Recorder:
    """Stands in for the worker: records the digest of every call it is handed."""

    def __init__(self):
        self.calls = []

    def run(self, fn, steps, *args, **kwargs):
        self.calls.append((fn, digest(fn, args, kwargs)))


def test_the_sample_scan_analysed_ahead_is_the_scan_the_job_asks_for(sample_project):
    project = sample_project
    recorder = _Recorder()
    nbd.scan_ahead(recorder, str(project))
    opened = open_session(project)
    patterns, options = nbd.scan_call(opened.dataset("nbd"), dict(nbd.DEFAULTS))
    assert recorder.calls == [(analyse_scan, digest(analyse_scan, (patterns,), options))]


def test_the_front_tracked_in_the_worker_gives_the_in_thread_numbers_exactly(session):  # noqa: F811
    here = plain(front.prepare(session, width_px=5.0).compute(Steps(None, None)))
    worker = ChildProcess()
    try:
        job = front.prepare(session, width_px=5.0, child=worker)
        there = plain(job.compute(Steps(None, None)))
        assert worker.pid is not None
    finally:
        worker.close()
    np.testing.assert_equal(there, here)


def test_the_drift_measured_in_the_worker_is_the_threads_exactly(session):  # noqa: F811
    here = plain(drift.prepare(session).compute(Steps(None, None)))
    worker = ChildProcess()
    try:
        there = plain(drift.prepare(session, child=worker).compute(Steps(None, None)))
        assert worker.pid is not None
    finally:
        worker.close()
    np.testing.assert_equal(there, here)


def test_a_movie_too_large_to_copy_is_tracked_here(session, monkeypatch):  # noqa: F811
    here = plain(front.prepare(session, width_px=5.0).compute(Steps(None, None)))
    movie_bytes = session.dataset("movie").array.nbytes
    monkeypatch.setattr(child_module, "memory_budget", lambda: 3 * movie_bytes - 1)
    worker = ChildProcess()
    try:
        there = plain(front.prepare(session, width_px=5.0, child=worker).compute(Steps(None, None)))
        assert worker.pid is None
    finally:
        worker.close()
    np.testing.assert_equal(there, here)
