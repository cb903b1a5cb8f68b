"""The across-the-front job computes the EELS numbers it does not reuse in a worker process when
given one, with the numbers of the job's thread exactly."""

import numpy as np

from insitu_tem.core.results import plain
from insitu_tem.workflows import across_front
from insitu_tem.workflows.child import ChildProcess
from insitu_tem.workflows.jobs import Steps

from .test_workflows import session, user_track  # noqa: F401 - fixture


def test_across_computes_its_eels_numbers_in_the_worker_exactly(session):  # noqa: F811
    user_track(session, front_col_at_scan=24.0)
    here = plain(across_front.prepare(session).compute(Steps(None, None)))
    worker = ChildProcess()
    try:
        there = plain(across_front.prepare(session, child=worker).compute(Steps(None, None)))
        assert worker.pid is not None
    finally:
        worker.close()
    np.testing.assert_equal(there, here)
    assert there["reused"] == [] and {"W_O23_shift", "Li_K_intensity"} <= set(there["columns"])
