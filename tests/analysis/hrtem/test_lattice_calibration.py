"""Calibration on all indexed reflections of a known lattice: a generated anisotropic SrTiO3
lattice with a wrong pixel size, and the real SrTiO3 STEM image."""

from __future__ import annotations

import math

import numpy as np
import pytest

from insitu_tem.analysis.hrtem.lattice_calibration import (
    calibrate_on_lattice,
    scaled_candidates,
)
from insitu_tem.analysis.hrtem.lattice_reference import reference_spacing
from insitu_tem.analysis.hrtem.lattice_report import measure_lattice
from insitu_tem.io.load import load
from insitu_tem.samples.hrtem import lattice_image

A_NM = 0.3905


def stretched_sto(*, scale_error: float, anisotropy: float, rotation_deg: float):
    """SrTiO3 [001] seen with a pixel size ``1 + scale_error`` too small and one axis stretched."""
    d = (A_NM * (1 + scale_error) * (1 + anisotropy), A_NM * (1 + scale_error))
    image = lattice_image(
        (256, 256),
        d,
        pixel_nm=0.02,
        rotation_deg=rotation_deg,
        contrast=0.2,
        rng=np.random.default_rng(3),
    )
    return measure_lattice(image, pixel_nm=0.02, match=False)


def test_all_reflections_give_the_factor_and_the_anisotropy():
    m = stretched_sto(scale_error=0.04, anisotropy=0.012, rotation_deg=20.0)
    reference = reference_spacing("SrTiO3", (1, 0, 0))
    result = calibrate_on_lattice(m.spots, m.fit, reference, phase="SrTiO3")
    assert result.ok and len(result.hkl) >= 4
    expected = 1 / (1.04 * math.sqrt(1.012))
    assert result.factor == pytest.approx(expected, abs=max(3 * result.sigma_factor, 2e-3))
    assert result.anisotropy_percent == pytest.approx(1.2, abs=0.3)
    assert result.anisotropy_axis_deg == pytest.approx(20.0, abs=8.0)
    assert "reflections give" in result.message and "anisotropy" in result.message


def test_isotropic_lattice_has_no_anisotropy_and_a_small_residual():
    m = stretched_sto(scale_error=-0.03, anisotropy=0.0, rotation_deg=-35.0)
    result = calibrate_on_lattice(
        m.spots, m.fit, reference_spacing("SrTiO3", (1, 1, 0)), phase="SrTiO3"
    )
    assert result.factor == pytest.approx(1 / 0.97, rel=2e-3)
    assert result.anisotropy_percent < 0.3 and result.rms_residual_percent < 0.3


def test_a_lattice_the_phase_cannot_index_is_not_calibrated():
    m = stretched_sto(scale_error=0.0, anisotropy=0.25, rotation_deg=0.0)
    result = calibrate_on_lattice(
        m.spots, m.fit, reference_spacing("SrTiO3", (1, 0, 0)), phase="SrTiO3"
    )
    assert not result.ok and "does not index" in result.reason
    assert math.isnan(result.factor) and "cannot calibrate" in result.message


def test_scaled_candidates_name_srtio3_when_the_pixel_size_is_off():
    m = stretched_sto(scale_error=0.045, anisotropy=0.0, rotation_deg=10.0)
    found = scaled_candidates(m.fit, phases=["SrTiO3", "LiF", "Si", "W"])
    assert found[0].phase == "SrTiO3" and found[0].factor == pytest.approx(1 / 1.045, rel=3e-3)


def test_real_srtio3_image_calibrates_to_3_905_angstrom(realdata):
    dataset = load(realdata("16_STOimage.emi"))
    pixel_nm = dataset.axes[-1].scale
    crop = np.asarray(dataset.frame(0), float)[256:768, 256:768]
    reference = reference_spacing("SrTiO3", (1, 0, 0))
    before = measure_lattice(crop, pixel_nm=pixel_nm, reference=reference, energy_kV=80.0)
    assert before.calibration.error_percent == pytest.approx(3.4, abs=0.6)
    result = calibrate_on_lattice(
        before.spots, before.fit, reference, phase="SrTiO3", energy_kV=80.0
    )
    assert result.ok and len(result.hkl) >= 6 and 0.5 < result.anisotropy_percent < 3.0
    after = measure_lattice(
        crop, pixel_nm=pixel_nm * result.factor, reference=reference, energy_kV=80.0
    )
    check = after.calibration
    assert check.agrees
    sigma = math.hypot(check.sigma_measured_d_nm, A_NM * result.sigma_factor / result.factor)
    assert abs(check.measured_d_nm - A_NM) <= sigma
