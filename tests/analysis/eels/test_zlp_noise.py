"""The counts' noise covariance between channels (a detector's blur) and the ZLP 1σ it gives:
a blurred noisy ZLP's stated 1σ matches the scatter of the centre and FWHM over redraws."""

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter1d

from insitu_tem.analysis.eels.zlp import fit_zlp
from insitu_tem.analysis.eels.zlp_noise import LAGS, noise_covariance
from insitu_tem.core.model import Axis

ENERGY = Axis("E", 512, 0.05, -5.0, "eV")


def blurred(*, psf: float, gain: float, top: float, n: int, seed: int = 0) -> np.ndarray:
    """Gaussian ZLPs (FWHM 0.4 eV) at 0.13 eV over a 20-count floor: Poisson counts × gain,
    blurred by a Gaussian PSF of σ ``psf`` channels."""
    rng = np.random.default_rng(seed)
    e = ENERGY.coordinates()[None, :] - np.full((n, 1), 0.13)
    counts = gain * rng.poisson(top * np.exp(-4 * np.log(2) * (e / 0.4) ** 2) + 20.0)
    return gaussian_filter1d(counts.astype(float), psf, axis=1) if psf else counts.astype(float)


@pytest.mark.parametrize("psf", [0.0, 0.7, 1.5])
def test_noise_covariance_sums_to_the_gain_and_reads_the_blur(psf):
    y = blurred(psf=psf, gain=3.0, top=1e4, n=64)
    peak, width = np.argmax(y, axis=1), np.full(len(y), 8.0)
    c = noise_covariance(y, np.arange(len(y)), peak, width)
    assert c.shape == (LAGS + 1,)
    assert c[0] + 2 * c[1:].sum() == pytest.approx(3.0, rel=0.2)
    kernel = gaussian_filter1d(np.eye(41)[20], psf) if psf else np.eye(41)[20]
    spread = [np.sum(kernel[: 41 - k] * kernel[k:]) for k in range(3)]
    np.testing.assert_allclose(c[:3], 3.0 * np.array(spread), atol=0.05 * 3.0)


@pytest.mark.parametrize("psf", [0.0, 1.0, 1.5])
def test_a_blurred_zlps_sigma_matches_the_scatter_over_redraws(psf):
    """Without the covariance (a gain from second differences) the centre's 1σ read 6× (σ 1
    channel) to 13× (1.5 channels) below the scatter, the FWHM's 4× to 6×."""
    fit = fit_zlp(blurred(psf=psf, gain=2.0, top=1e3, n=400, seed=1), ENERGY)
    found = fit.found
    assert found.mean() > 0.95
    for value, sigma in (
        (fit.position_eV, fit.position_sigma_eV),
        (fit.fwhm_eV, fit.fwhm_sigma_eV),
    ):
        assert np.median(sigma[found]) == pytest.approx(np.std(value[found]), rel=0.2)
