"""Virtual BF and ADF images of a scan: the counts inside a disk or an annulus about the beam,
which may follow a descanned beam probe by probe."""

import numpy as np
import pytest

from insitu_tem.analysis.diffraction.virtual_detector import (
    default_detector,
    detector_mask,
    virtual_image,
)
from insitu_tem.samples import nbd


def _beam(centre_rc, *, shape=(64, 64), radius=5.0, level=100.0, background=1.0):
    rows, cols = np.indices(shape)
    disk = np.hypot(rows - centre_rc[0], cols - centre_rc[1]) < radius
    return np.where(disk, level, background)


def test_bf_counts_the_beam_and_adf_the_rest():
    patterns = np.stack([_beam((32, 32), level=level) for level in (100.0, 200.0)])
    bf = virtual_image(patterns, centre_rc=(32, 32), inner_px=0.0, outer_px=7.0)
    adf = virtual_image(patterns, centre_rc=(32, 32), inner_px=7.0, outer_px=30.0)
    disk = detector_mask((64, 64), (32, 32), 0.0, 5.0).sum()
    ring = detector_mask((64, 64), (32, 32), 0.0, 7.0).sum() - disk
    np.testing.assert_allclose(bf, [100.0 * disk + ring, 200.0 * disk + ring])
    np.testing.assert_allclose(adf, detector_mask((64, 64), (32, 32), 7.0, 30.0).sum())


def test_a_detector_that_follows_the_fitted_centres_keeps_a_descanned_beam_inside():
    centres = np.array([[32.0, 32.0], [32.0, 36.0], [29.0, 32.0]])
    patterns = np.stack([_beam(c) for c in centres])
    following = virtual_image(patterns, centre_rc=centres, inner_px=0.0, outer_px=6.0)
    fixed = virtual_image(patterns, centre_rc=(32.0, 32.0), inner_px=0.0, outer_px=6.0)
    np.testing.assert_allclose(following, following[0])
    assert fixed[1] < 0.7 * fixed[0] and fixed[2] < 0.85 * fixed[0]
    centres[1] = np.nan
    assert np.isfinite(virtual_image(patterns, centre_rc=centres, inner_px=0, outer_px=6)).all()


def test_the_default_detector_sits_on_the_beam_of_the_mean_pattern():
    pattern = nbd.render_pattern(centre_rc=nbd.CENTRE_RC)
    found = default_detector(np.stack([pattern, pattern]))
    assert found.reason == "" and found.centre_rc == pytest.approx(nbd.CENTRE_RC, abs=0.3)
    assert found.beam_radius_px == pytest.approx(nbd.DISK_RADIUS_PX, abs=0.8)
    assert found.radii("BF") == (0.0, pytest.approx(found.beam_radius_px + 2.0))
    inner, outer = found.radii("ADF")
    edge = min(min(found.centre_rc) + 0.5, 127.5 - max(found.centre_rc))
    assert inner == found.bf_outer_px and outer == pytest.approx(edge)


def test_impossible_radii_are_refused():
    with pytest.raises(ValueError, match="inner < outer"):
        virtual_image(np.ones((2, 8, 8)), centre_rc=(4, 4), inner_px=5.0, outer_px=3.0)
