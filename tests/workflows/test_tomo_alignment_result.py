"""The alignment kept in a project comes back whole on reopening: the projections a declined
series names (the Tomography panel words them by tilt) as well as the shifts, the projections
each other reason names, those left out of the reconstruction and why the tilt-axis direction
was not found; a project saved before these fields opens without them."""

from dataclasses import replace

import numpy as np

from insitu_tem.analysis.tomo.alignment_result import Alignment
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


def stopped_alignment() -> Alignment:
    return replace(
        declined_alignment(),
        unlike_projections=(4,),
        left_out_projections=(4,),
        stopped_projections=(1, 2),
        unconstrained_projections=(5,),
        unshifted_projections=(8,),
        axis_reason="tilt-axis direction not found, 0° used: fewer than 4 tilts",
    )


def test_the_projections_each_reason_names_are_kept_and_read_back():
    back = alignment_from_result(alignment_result("series.mrc", stopped_alignment()))
    assert (back.left_out_projections, back.stopped_projections) == ((4,), (1, 2))
    assert (back.unconstrained_projections, back.unshifted_projections) == ((5,), (8,))
    assert back.axis_reason == stopped_alignment().axis_reason


def test_a_project_saved_before_these_fields_opens_without_them():
    stored = alignment_result("series.mrc", stopped_alignment())
    for name in (
        "left_out_projections",
        "stopped_projections",
        "unconstrained_projections",
        "unshifted_projections",
        "tilt_axis_reason",
    ):
        del stored.value[name]
    back = alignment_from_result(stored)
    assert back.left_out_projections == back.stopped_projections == ()
    assert back.unconstrained_projections == back.unshifted_projections == ()
    assert back.axis_reason == "" and back.unlike_projections == (4,)
