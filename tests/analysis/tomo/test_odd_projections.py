"""One projection unlike both its neighbouring tilts in a series that otherwise aligns — a frame
of noise, a flat frame, the frame's own pixels shuffled — is named in ``unlike_projections`` and
``left_out_projections`` with ``ok`` unchanged, at either end of the series too; the phantom
itself names none; projection matching (auto) aligns the others without it (with it, it
stopped on the frame of noise and declined the series)."""

import numpy as np
import pytest

from insitu_tem.analysis.tomo.alignment import align_tilt_series
from insitu_tem.samples.tomo import Phantom, make_series


@pytest.fixture(scope="module")
def series():
    return make_series(Phantom(size=64, tilts_deg=tuple(np.arange(-60.0, 60.1, 7.5)), seed=1))


def spoilt(series, kind: str, k: int) -> np.ndarray:
    stack = series["haadf"].copy()
    rng = np.random.default_rng(k)
    mean = float(stack[k].mean())
    if kind == "noise":
        stack[k] = rng.poisson(mean, stack[k].shape)
    elif kind == "flat":
        stack[k] = mean
    else:
        stack[k] = rng.permutation(stack[k].ravel()).reshape(stack[k].shape)
    return stack


def test_the_phantom_names_none(series):
    alignment = align_tilt_series(series["haadf"], series["tilts_deg"], method="none")
    assert alignment.ok and alignment.unlike_projections == alignment.left_out_projections == ()


@pytest.mark.parametrize("kind", ["noise", "flat", "shuffled"])
@pytest.mark.parametrize("k", [0, 7, 16])
def test_one_odd_projection_is_named_and_left_out(series, kind, k):
    alignment = align_tilt_series(spoilt(series, kind, k), series["tilts_deg"], method="none")
    assert alignment.ok and alignment.reason == ""
    assert alignment.unlike_projections == alignment.left_out_projections == (k,)


def test_projection_matching_aligns_the_others_without_it(series):
    stack = spoilt(series, "noise", 7)
    alignment = align_tilt_series(stack, series["tilts_deg"], method="auto")
    assert alignment.ok and alignment.left_out_projections == (7,)
    assert alignment.stopped_projections == () and np.all(np.isfinite(alignment.shifts_px))
