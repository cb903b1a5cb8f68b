"""The alignment kept in a project comes back whole on reopening: the projections a declined
series names (the Tomography panel words them by tilt) as well as the shifts."""

import numpy as np

from insitu_tem.analysis.tomo.alignment import Alignment
from insitu_tem.workflows.tomo_results import alignment_from_result, alignment_result


def declined_alignment() -> Alignment:
    tilts = np.linspace(-60, 60, 9)
    return Alignment(
        tilts,
        np.zeros((9, 2)),
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
        np.full(9, 0.2),
        "xcorr",
        ok=False,
        reason="projections [3, 7] share no more structure …",
        unlike_projections=(3, 7),
    )


def test_the_declined_projections_are_kept_and_read_back():
    stored = alignment_result("series.mrc", declined_alignment())
    assert alignment_from_result(stored).unlike_projections == (3, 7)


def test_a_result_stored_before_the_field_existed_reads_back_none():
    stored = alignment_result("series.mrc", declined_alignment())
    del stored.value["unlike_projections"]
    assert alignment_from_result(stored).unlike_projections == ()
