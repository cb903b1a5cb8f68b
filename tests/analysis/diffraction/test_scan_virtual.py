"""The virtual images the `nbd` command and the `nbd-map` export compute: centred on each probe's
fitted beam only when the descan fit is trusted, as the NBD panel's Map tab."""

import numpy as np
import pytest

from insitu_tem.analysis.diffraction.scan_virtual import scan_virtual_images, trusted_centres
from insitu_tem.analysis.diffraction.virtual_detector import default_detector, virtual_image
from insitu_tem.samples.nbd_raster import raster_scan


@pytest.fixture(scope="module")
def patterns():
    return np.asarray(raster_scan(3, 4).array).reshape(12, 128, 128)


def test_a_flagged_or_empty_descan_fit_is_not_used_for_the_detector():
    centres = np.tile([[64.0, 64.0]], (12, 1))
    assert trusted_centres(None) is None
    assert trusted_centres({"centre_px": centres, "centre_ok": False}) is None
    assert trusted_centres({"centre_px": np.full((12, 2), np.nan), "centre_ok": True}) is None
    np.testing.assert_array_equal(trusted_centres({"centre_px": centres}), centres)


def test_images_follow_the_fitted_centres_only_when_trusted(patterns):
    detector = default_detector(patterns)
    centres = np.asarray(detector.centre_rc) + np.linspace(0, 3, 12)[:, None]
    trusted = scan_virtual_images(patterns, value={"centre_px": centres, "centre_ok": True})
    flagged = scan_virtual_images(patterns, value={"centre_px": centres, "centre_ok": False})
    inner, outer = detector.radii("BF")
    assert trusted.per_probe and not flagged.per_probe
    np.testing.assert_array_equal(
        trusted.counts["BF"],
        virtual_image(patterns, centre_rc=centres, inner_px=inner, outer_px=outer),
    )
    np.testing.assert_array_equal(
        flagged.counts["BF"],
        virtual_image(patterns, centre_rc=detector.centre_rc, inner_px=inner, outer_px=outer),
    )
    assert "mean pattern" in flagged.centred_on


def test_given_radii_replace_the_default_detector_and_a_wrong_count_is_refused(patterns):
    images = scan_virtual_images(patterns, radii_px={"ADF": (10, 30)}, kinds=("ADF",))
    assert images.radii_px == {"ADF": (10.0, 30.0)} and set(images.counts) == {"ADF"}
    with pytest.raises(ValueError, match="3 centres for 12 patterns"):
        scan_virtual_images(patterns, value={"centre_px": np.zeros((3, 2))})
