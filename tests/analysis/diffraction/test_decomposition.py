"""PCA scree and NMF with fixed end members on mixtures of known profiles, and on the sample
scan."""

import json

import numpy as np
import pytest

from insitu_tem.analysis.diffraction.decomposition import nmf, pca
from insitu_tem.analysis.diffraction.nbd_scan import analyse_scan
from insitu_tem.io.load import load


def _mixtures(seed=0, noise=0.0):
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 1, 200)
    a = np.exp(-0.5 * ((x - 0.3) / 0.02) ** 2)
    b = np.exp(-0.5 * ((x - 0.6) / 0.1) ** 2)
    c = np.exp(-0.5 * ((x - 0.45) / 0.05) ** 2)
    t = np.linspace(0, 1, 30)
    fa = np.clip(1 - 2 * t, 0, 1)
    fb = np.clip(2 * t - 1, 0, 1)
    fractions = np.stack([fa, fb, 1 - fa - fb], axis=1)
    profiles = fractions @ np.stack([a, b, c]) + rng.normal(0, noise, (30, 200))
    return np.clip(profiles, 0, None), fractions, np.stack([a, b, c])


def test_pca_scree_shows_the_number_of_phases():
    profiles, _, _ = _mixtures(noise=0.002)
    result = pca(profiles, n_components=4)
    assert result.n_significant() == 2
    assert result.explained_variance_ratio.sum() == pytest.approx(1.0)
    assert result.components.shape == (4, 200) and result.scores.shape == (30, 4)
    assert result.components.min() < 0


def test_nmf_with_fixed_end_members_recovers_fractions_and_the_unknown_phase():
    profiles, fractions, truth = _mixtures(noise=0.002)
    result = nmf(profiles, n_components=3, fixed_components=profiles[[0, -1]])
    assert result.fixed == (True, True, False)
    np.testing.assert_allclose(result.fractions, fractions, atol=0.03)
    free = result.components[2]
    assert np.corrcoef(free, truth[2])[0, 1] > 0.99
    assert result.relative_error < 0.01
    np.testing.assert_allclose(result.residual, profiles - result.weights @ result.components)
    assert result.components.min() >= 0 and result.weights.min() >= 0


def test_nmf_is_deterministic_and_stops_when_asked():
    profiles, _, _ = _mixtures(noise=0.002)
    one = nmf(profiles, n_components=3, seed=1)
    two = nmf(profiles, n_components=3, seed=1)
    np.testing.assert_array_equal(one.weights, two.weights)
    stopped = nmf(profiles, n_components=3, should_stop=lambda: True)
    assert stopped.iterations == 50


def test_bad_input_raises_with_advice():
    with pytest.raises(ValueError, match="non-negative"):
        nmf(-np.ones((3, 5)))
    with pytest.raises(ValueError, match="NaN"):
        pca(np.full((3, 5), np.nan))
    with pytest.raises(ValueError, match="fixed_components"):
        nmf(np.ones((3, 5)), n_components=1, fixed_components=np.ones((2, 5)))


def test_sample_scan_phase_fractions_and_crystallinity(sample_data):
    path = sample_data / "nbd_linescan.hspy"
    if not path.exists():
        pytest.skip("sample_data/nbd_linescan.hspy not generated")
    truth = json.loads((sample_data / "nbd_linescan.truth.json").read_text())
    dataset = load(path)
    result = analyse_scan(
        np.asarray(dataset.array),
        position=dataset.axes[0].coordinates(),
        scale_per_nm=dataset.axes[-1].scale,
        reference_index=45,
    )
    expected = np.stack(
        [
            truth["phase_fractions"][k]
            for k in ("W nanocrystals", "WO3 spots", "amorphous W + Li2O")
        ],
        1,
    )
    np.testing.assert_allclose(result.nmf.fractions, expected, atol=0.12)
    assert result.pca.n_significant() >= 2
    np.testing.assert_allclose(result.descan.fitted_rc, truth["centre_rc"], atol=0.05)
    assert np.array_equal(result.crystalline, truth["crystalline"])
