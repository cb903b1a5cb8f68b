"""Fourier-log on spectra that stop while plural scattering is still strong."""

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter1d

from insitu_tem.analysis.eels import fit_zlp, fourier_log
from insitu_tem.analysis.eels.thickness import damping_per_eV, log_ratio_terms
from insitu_tem.core.model import Axis

STEP = 0.1
LONG = Axis("E", 4000, STEP, -5.0, "eV")
SHORT = 850
FWHM = 1.0


def plasmon(e: np.ndarray, centre: float = 28.0, width: float = 4.0) -> np.ndarray:
    """Unit-area Drude-like loss function on ``e``, per eV."""
    loss = np.where(e > 0, e * width / ((e**2 - centre**2) ** 2 + (e * width) ** 2), 0.0)
    return loss / (loss.sum() * STEP)


def spectra(taus, counts: float = 1e7) -> tuple[np.ndarray, np.ndarray]:
    """Spectra up to 80 eV with plural scattering exp(t·(p̃ − 1)) of a Gaussian ZLP at 0 eV, and
    their single scattering t·p per channel relative to the ZLP's area."""
    e = LONG.coordinates()
    zero = int(round(LONG.to_index(0.0)))
    zlp = np.roll(np.exp(-0.5 * ((e - e[zero]) / (FWHM / 2.3548)) ** 2), -zero)
    p = np.roll(plasmon(e) * STEP, -zero)
    rows = []
    for tau in taus:
        j = np.fft.irfft(np.fft.rfft(zlp) * np.exp(tau * (np.fft.rfft(p) - 1)), LONG.size)
        rows.append(counts * np.roll(j, zero) / zlp.sum())
    truth = np.stack([tau * plasmon(e) * STEP for tau in taus])
    return np.stack(rows)[:, :SHORT], truth[:, :SHORT]


def test_thick_spectra_cut_short_deconvolve_without_ringing():
    taus = np.array([0.3, 0.9, 1.2, 1.5])
    counts, truth = spectra(taus)
    energy = Axis("E", SHORT, STEP, -5.0, "eV")
    zlp = fit_zlp(counts, energy)
    single = fourier_log(counts, energy, zlp=zlp)
    terms = log_ratio_terms(counts, energy, zlp)
    expected = gaussian_filter1d(truth, single.resolution_fwhm_eV / 2.3548 / STEP, axis=1)
    expected *= terms.zlp_counts[:, None]
    e = energy.coordinates()
    region = (e > 5) & (e < 75)
    for row, reference in zip(single.array, expected):
        assert row[region].min() > -0.01 * reference[region].max()
        assert np.abs(row[region] - reference[region]).max() < 0.02 * reference[region].max()


def test_only_spectra_with_strong_plural_scattering_are_damped():
    taus = np.array([0.2, 1.5])
    counts, _ = spectra(taus)
    energy = Axis("E", SHORT, STEP, -5.0, "eV")
    terms = log_ratio_terms(counts, energy, fit_zlp(counts, energy))
    alpha = damping_per_eV(counts, energy, terms.zlp_end)
    assert alpha[0] == 0.0 and alpha[1] > 0.0
    damped = counts[1] * np.exp(-alpha[1] * energy.coordinates())
    inside = np.arange(SHORT) <= terms.zlp_end[1]
    assert damped[~inside].sum() / damped[inside].sum() == pytest.approx(0.5, rel=0.02)
