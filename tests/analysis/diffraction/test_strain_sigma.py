"""The 1σ of the NBD lattice strain: it matches the scatter of repeated noisy fits and never
reads zero on a perfect fit (the disks' pixel-sampling term)."""

import numpy as np

from insitu_tem.analysis.diffraction.strain import fit_lattice_strain

LATTICE = np.array([[h * 21.0 + k * 4.0, k * 19.0] for h in range(-2, 3) for k in range(-2, 3)])
SPOTS = LATTICE[np.any(LATTICE != 0, axis=1)]


def test_stated_sigma_matches_the_scatter_of_noisy_fits():
    rng = np.random.default_rng(4)
    matrix = np.eye(2) / 1.008
    strains, sigmas = [], []
    for _ in range(400):
        positions = SPOTS @ matrix.T + [64.0, 63.0] + rng.normal(0.0, 0.2, SPOTS.shape)
        fit = fit_lattice_strain(SPOTS, positions)
        assert fit.ok
        strains.append(fit.lattice_strain)
        sigmas.append(fit.lattice_strain_sigma)
    errors, sigmas = np.array(strains) - 0.008, np.array(sigmas)
    assert 0.8 < np.median(sigmas) / np.std(errors) < 1.25
    assert 0.6 <= np.mean(np.abs(errors) <= sigmas) <= 0.76


def test_a_perfect_fit_keeps_the_sampling_term_and_a_failed_one_has_none():
    fit = fit_lattice_strain(SPOTS, SPOTS + [64.0, 63.0])
    assert fit.rms_px < 1e-9 and 1e-5 < fit.lattice_strain_sigma < 1e-3
    failed = fit_lattice_strain(SPOTS[:2], SPOTS[:2])
    assert not failed.ok and np.isnan(failed.lattice_strain_sigma)
