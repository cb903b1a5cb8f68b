"""The steepest rise's noise σ_D counts the counts' noise, not a smooth departure of the pre-edge
counts from the background law (a preceding edge's tail): on SrTiO3's core losses the O K edge
stands clear of it while the absent edges stay below the detection threshold, and on a
generated spectrum with a detector's blur the onset's statistical 1σ hardly moves when such a
departure is added."""

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter1d
from scipy.special import erf

from insitu_tem.analysis.eels.onsets import DETECTION_Z, edge_onset
from insitu_tem.core.model import Axis
from insitu_tem.io.load import load

ENERGY = Axis("E", 800, 0.25, 400.0, "eV")


def _z(spectrum, energy, edge):
    onset = edge_onset(spectrum, energy, edge)
    return float(onset.slope[()] if onset.found[()] else onset.rise[()]) / float(
        onset.rise_sigma[()]
    )


@pytest.mark.parametrize(
    ("name", "o_k_at_least", "absent"),
    [("STO_coreloss.msa", 8.0, ("N-K", "Cr-L23")), ("EELS_STO.dm3", 5.3, ("N-K", "Cr-L23"))],
)
def test_srtio3_o_k_stands_above_a_pre_edge_holding_the_ti_l23_tail(
    realdata, name, o_k_at_least, absent
):
    dataset = load(realdata(name))
    energy, spectrum = dataset.signal_axes[0], np.asarray(dataset.array, float)
    assert _z(spectrum, energy, "O-K") >= o_k_at_least
    for edge in absent:
        onset = edge_onset(spectrum, energy, edge)
        assert not np.isfinite(onset.rise[()]) and np.isfinite(onset.rise_sigma[()])


def _blurred_o_k(departure: float) -> np.ndarray:
    """40 spectra: a power law, an O K edge at 532 eV, and a smooth bump of ``departure`` times
    the background across the automatic pre-edge window (481–521 eV); Poisson counts spread by a
    detector point-spread of σ 2 channels."""
    x = ENERGY.coordinates()
    background = 1e5 * (x / 400.0) ** -3.0
    inside = (x > 481.0) & (x < 521.0)
    bump = np.where(inside, departure * background * np.sin(np.pi * (x - 481.0) / 40.0) ** 2, 0)
    step = 0.5 * (1 + erf((x - 532.0) / 1.0)) * 0.05 * 1e5 * (532.0 / 400.0) ** -3.0
    mean = background + bump + step * (x / 532.0) ** -2
    counts = np.random.default_rng(0).poisson(np.tile(mean, (40, 1))).astype(float)
    return gaussian_filter1d(counts, 2.0, axis=1, mode="nearest")


def test_a_smooth_pre_edge_departure_is_not_counted_as_noise():
    clean = edge_onset(_blurred_o_k(0.0), ENERGY, "O-K")
    tailed = edge_onset(_blurred_o_k(0.01), ENERGY, "O-K")
    assert clean.found.all() and tailed.found.all()
    ratio = np.median(tailed.statistical_eV) / np.median(clean.statistical_eV)
    assert ratio < 1.12, ratio
    assert np.median(tailed.slope / tailed.rise_sigma) > DETECTION_Z


def _blurred_edge_free(n: int, seed: int) -> np.ndarray:
    """``n`` edge-free power laws (2e4 counts/channel at 450 eV) on :data:`ENERGY`, Poisson
    counts spread by a detector point-spread of σ 1.5 channels."""
    x = ENERGY.coordinates()
    counts = np.random.default_rng(seed).poisson(np.tile(2e4 * (x / 400.0) ** -3.0, (n, 1)))
    return gaussian_filter1d(counts.astype(float), 1.5, axis=1, mode="nearest")


def test_a_short_pre_edge_window_under_a_blurred_detector_gives_no_false_rise():
    """9 pre-edge channels cannot show the detector's correlation: their σ_D read low and 1.5 %
    of edge-free spectra rose above even the Student-t threshold; the counts' covariance
    measured over the whole spectra bounds σ_D from below there."""
    spectra = _blurred_edge_free(400, 1)
    onset = edge_onset(spectra, ENERGY, "O-K", background_window=(519.15, 521.4))
    assert not np.isfinite(onset.rise).any()
    assert not onset.found.any()


def test_a_real_edge_with_the_same_short_window_is_still_found():
    onset = edge_onset(_blurred_o_k(0.0), ENERGY, "O-K", background_window=(519.15, 521.4))
    assert onset.found.sum() >= 30


def test_the_onset_s_one_sigma_covers_with_a_short_window_under_a_blurred_detector():
    """The same counts' covariance bounds the onset's statistical 1σ there: with 9 pre-edge
    channels and a blur of σ 1.5 channels ±1σ covered 40 % of the onsets (its σ 0.05 eV for a
    scatter of 0.07 eV), now ~70 %, as with a 160-channel window."""
    x = ENERGY.coordinates()
    step = 0.5 * (1 + erf((x - 532.0) / 1.0)) * 0.1 * 1e5 * (532.0 / 400.0) ** -3.0
    mean = 1e5 * (x / 400.0) ** -3.0 + step * (x / 532.0) ** -2
    window = (519.15, 521.4)
    clean = gaussian_filter1d(1e4 * mean[None], 1.5, axis=1, mode="nearest")
    truth = float(edge_onset(clean, ENERGY, "O-K", background_window=window).onset_eV[0])
    counts = np.random.default_rng(3).poisson(np.tile(mean, (200, 1))).astype(float)
    onset = edge_onset(
        gaussian_filter1d(counts, 1.5, axis=1, mode="nearest"),
        ENERGY,
        "O-K",
        background_window=window,
    )
    found = onset.found
    covered = np.abs(onset.onset_eV[found] - truth) <= onset.stderr_eV[found]
    assert found.sum() >= 180
    assert 0.6 <= covered.mean() <= 0.85, covered.mean()
