"""ZLP fit, alignment and two-feature calibration: generated ZLPs with known offsets and real
files."""

import json

import numpy as np
import pytest

from insitu_tem.analysis.eels import align_zlp, calibrate_two_features, fit_zlp, shift_spectra
from insitu_tem.io.load import load
from insitu_tem.core.model import Axis

ENERGY = Axis("E", 1024, 0.05, -10.0, "eV")
SIGMA = 0.8 / 2.3548


def zlp_spectra(offsets, *, peak=1e5, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    e = ENERGY.coordinates()
    model = peak * np.exp(-0.5 * ((e - np.asarray(offsets)[..., None]) / SIGMA) ** 2) + 40 * (e > 3)
    return rng.poisson(model).astype(dtype)


@pytest.mark.parametrize("dtype", [np.uint16, np.float32, np.float64])
def test_known_offsets_to_a_thousandth_of_an_ev(dtype):
    offsets = np.random.default_rng(1).uniform(-0.6, 0.6, 200)
    fit = fit_zlp(zlp_spectra(offsets, peak=3e4, dtype=dtype), ENERGY)
    assert fit.ok and fit.found.all()
    assert np.sqrt(np.mean((fit.position_eV - offsets) ** 2)) < 0.003
    assert np.allclose(fit.fwhm_eV, 0.8, atol=0.02)


def test_spectrum_image_keeps_navigation_shape():
    offsets = np.random.default_rng(2).uniform(-0.3, 0.3, (4, 5))
    fit = fit_zlp(zlp_spectra(offsets), ENERGY)
    assert fit.position_eV.shape == (4, 5)
    assert np.abs(fit.position_eV - offsets).max() < 0.005


def test_core_loss_has_no_zlp_and_says_why():
    core = Axis("E", 512, 0.1, 240.0, "eV")
    fit = fit_zlp(np.ones((3, 512)), core)
    assert not fit.ok and not fit.found.any()
    assert "no zero-loss peak" in fit.reason


def test_bad_input_raises_with_a_fix():
    with pytest.raises(ValueError, match="channels"):
        fit_zlp(np.ones(100), ENERGY)
    with pytest.raises(ValueError, match="eV"):
        fit_zlp(np.ones(1024), Axis("E", 1024))


def test_alignment_puts_every_zlp_at_zero_and_moves_core_loss_with_it():
    offsets = np.random.default_rng(3).uniform(-0.5, 0.5, 30)
    aligned = align_zlp(zlp_spectra(offsets, peak=1e6), ENERGY)
    refit = fit_zlp(aligned.array, ENERGY)
    assert np.abs(refit.position_eV).max() < 0.005
    e = ENERGY.coordinates()
    core = 1000 / (1 + np.exp(-(e[None, :] - 20.0 - offsets[:, None]) / 0.2))
    moved = shift_spectra(core, ENERGY, offsets)
    half = [np.interp(500, row, e) for row in moved.array]
    assert np.allclose(half, 20.0, atol=0.003)
    assert moved.valid.start > 0 and moved.valid.stop < ENERGY.size


def test_two_feature_calibration_recovers_offset_and_dispersion():
    calibration = calibrate_two_features(2048, 200.4, 0.0, 1420.4, 30.5)
    assert calibration.dispersion_eV == pytest.approx(0.025)
    assert calibration.offset_eV == pytest.approx(-5.01)
    assert calibration.energy.to_index(30.5) == pytest.approx(1420.4)
    with pytest.raises(ValueError, match="same channel"):
        calibrate_two_features(10, 3.0, 0.0, 3.0, 1.0)
    with pytest.raises(ValueError, match="increase"):
        calibrate_two_features(10, 3.0, 5.0, 4.0, 1.0)


def test_sample_linescan_zlp_offsets(sample_data):
    path = sample_data / "eels_linescan.hspy"
    if not path.exists():
        pytest.skip("sample_data/eels_linescan.hspy not generated")
    truth = json.loads((sample_data / "eels_linescan.truth.json").read_text())
    dataset = load(path)
    fit = fit_zlp(dataset.array, dataset.signal_axes[0])
    assert np.sqrt(np.mean((fit.position_eV - np.array(truth["zlp_offset_eV"])) ** 2)) < 0.002
    assert np.allclose(fit.fwhm_eV, truth["zlp_fwhm_eV"], atol=0.02)


def test_real_aluminium_low_loss(realdata):
    dataset = load(realdata("AL-DFoffset0.00.dm3"))
    fit = fit_zlp(dataset.array, dataset.signal_axes[0])
    assert fit.position_eV == pytest.approx(-0.137, abs=0.005)
    assert 0.14 < fit.fwhm_eV < 0.20


def test_real_sto_low_loss_large_offset(realdata):
    dataset = load(realdata("STO_lowloss.msa"))
    fit = fit_zlp(dataset.array, dataset.signal_axes[0])
    assert fit.position_eV == pytest.approx(-4.23, abs=0.02)
    aligned = align_zlp(dataset.array, dataset.signal_axes[0], fit)
    assert fit_zlp(aligned.array, dataset.signal_axes[0]).position_eV == pytest.approx(
        0.0, abs=0.02
    )
