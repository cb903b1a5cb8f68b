"""The ring overlays and ePDF of a probe computed in the NBD scan's worker process are the numbers
of the job's thread exactly (the NBD panel fits them there)."""

import numpy as np
import pytest

from insitu_tem.core.results import plain
from insitu_tem.core.session import Session
from insitu_tem.io.load import load
from insitu_tem.workflows import nbd, nbd_pattern
from insitu_tem.workflows.child import ChildProcess
from insitu_tem.workflows.jobs import Steps


def test_the_ring_overlays_in_the_worker_are_the_numbers_of_the_thread(sample_data):
    path = sample_data / "nbd_linescan.hspy"
    if not path.exists():
        pytest.skip("sample_data/nbd_linescan.hspy not generated")
    session = Session(checksums=False)
    session.set_dataset("nbd", load(path))
    nbd.run(session)
    here = nbd_pattern.prepare_rings(session, 10, composition="W + 3 Li2O")
    here = plain(here.compute(Steps(None, None)))
    worker = ChildProcess()
    try:
        job = nbd_pattern.prepare_rings(session, 10, composition="W + 3 Li2O", child=worker)
        there = plain(job.compute(Steps(None, None)))
        assert worker.pid is not None
    finally:
        worker.close()
    assert here["pdf"] is not None and len(here["overlays"]) >= 2
    np.testing.assert_equal(there, here)
