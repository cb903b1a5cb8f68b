"""The reprojection-error offset's 1σ is measured from the slabs along the axis (independent
slices), not the search grid's step / √12 alone (session 30: 0.58 px on the real IDP section,
whose slabs disagree by tens of px)."""

import numpy as np
import pytest
from scipy import special

from insitu_tem.analysis.tomo.axis import _ratio_vertex, estimate_axis_offset_by_consistency
from insitu_tem.samples.tomo import Phantom, make_series

GRID = np.arange(-2.0, 2.01, 1.0)


def _slab_table(minima, curvature=1.0):
    return np.array([[curvature * (o - m) ** 2 for m in minima] for o in GRID])


def test_slabs_that_agree_give_the_vertex_with_no_spread():
    offset, sigma = _ratio_vertex(GRID, _slab_table([0.3] * 6))
    assert offset == pytest.approx(0.3) and sigma == pytest.approx(0.0, abs=1e-12)


def test_slabs_that_disagree_give_their_standard_error():
    minima = np.array([-0.9, 0.8, 0.5, -0.4, 0.7, 0.1])
    offset, sigma = _ratio_vertex(GRID, _slab_table(minima))
    t = special.stdtrit(5, special.ndtr(1.0))
    assert offset == pytest.approx(minima.mean())
    assert sigma == pytest.approx(t * np.std(minima, ddof=1) / np.sqrt(6))


def test_a_shallow_slab_weighs_little():
    table = np.hstack([_slab_table([0.2] * 5), _slab_table([-1.5], curvature=0.01)])
    offset, _ = _ratio_vertex(GRID, table)
    assert offset == pytest.approx(0.2, abs=0.01)


def test_the_offset_sigma_is_more_than_the_grid_resolution():
    phantom = Phantom(size=32, tilts_deg=tuple(np.arange(-60.0, 60.1, 15.0)), shift_rms_px=0.0)
    series = make_series(phantom)
    found = estimate_axis_offset_by_consistency(
        np.asarray(series["haadf"], np.float32), series["tilts_deg"]
    )
    assert abs(found.offset_px - phantom.axis_offset_px) < 1.0
    assert found.resolution_px == pytest.approx(1 / np.sqrt(12))
    assert found.sigma_px > found.resolution_px
