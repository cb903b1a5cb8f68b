"""The steepest rise must clear a Student-t threshold when its noise is estimated from a few
pre-edge channels alone: a Li-free low loss whose Li K window holds 9 channels gets no false
calibration hint, while a real Li K edge in the deconvolved analysis (whose noise model bounds
σ_D) is found as before, and SrTiO3's O K edge, 5.4 σ_D above a 160-channel window holding the
Ti L2,3 tail, stays detected (session 31's threshold lost it on a σ_D that counted the tail)."""

import json
import subprocess
import sys

import numpy as np
import pytest

from insitu_tem.analysis.eels.calibration_hint import displaced_rise
from insitu_tem.analysis.eels.onsets import DETECTION_Z, detection_threshold, edge_onset
from insitu_tem.analysis.eels.pipeline import analyse_edge, analyse_low_loss
from insitu_tem.core.model import Axis
from insitu_tem.io.load import load

LOW_LOSS = Axis("E", 400, 0.25, -10.0, "eV")  # Li K's automatic pre-edge window: 9 channels


def test_the_threshold_is_five_sigma_s_tail_for_the_window_s_degrees_of_freedom():
    assert detection_threshold(9, 2) == pytest.approx(17.10, abs=0.01)
    assert detection_threshold(45, 2) == pytest.approx(5.87, abs=0.01)
    assert DETECTION_Z < detection_threshold(1000, 2) < 5.04
    thresholds = [detection_threshold(n, 2) for n in (5, 9, 20, 50, 200)]
    assert thresholds == sorted(thresholds, reverse=True)


def test_the_threshold_is_scipy_stats_quantile_without_importing_scipy_stats():
    code = (
        "import sys; from insitu_tem.analysis.eels.onsets import detection_threshold; "
        "print([detection_threshold(n, 2) for n in (3, 9, 52, 157, 10**6)], "
        "'scipy.stats' in sys.modules)"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert found.returncode == 0, found.stderr[-2000:]
    values, stats_loaded = found.stdout.strip().rsplit(" ", 1)
    from scipy.stats import norm, t

    expected = [float(t.isf(norm.sf(DETECTION_Z), n - 2)) for n in (3, 9, 52, 157, 10**6)]
    assert json.loads(values) == expected and stats_loaded == "False"


@pytest.mark.parametrize("seed", [0, 10, 14, 18, 31])
def test_a_li_free_low_loss_gets_no_calibration_hint(seed):
    e = LOW_LOSS.coordinates()
    spectrum = 1e4 * np.exp(-0.5 * (e / 0.4) ** 2) + 50.0 * np.exp(-e.clip(0) / 30.0)
    rng = np.random.default_rng(seed)
    counts = np.tile(spectrum, (9, 1)) + rng.poisson(5.0, (9, e.size))
    aligned = analyse_low_loss(counts, LOW_LOSS).aligned.array
    onset = edge_onset(aligned, LOW_LOSS, "Li-K")
    assert not onset.found.any()
    assert displaced_rise(aligned, LOW_LOSS, onset) is None


def li_k_low_loss(height: float, *, spectra: int, seed: int) -> np.ndarray:
    """``spectra`` Poisson draws of a low loss (ZLP, plasmon tail) with a Li K edge of
    ``height`` counts at 55.5 eV, on :data:`LOW_LOSS`."""
    e = LOW_LOSS.coordinates()
    spectrum = 1e4 * np.exp(-0.5 * (e / 0.4) ** 2) + 200.0 * np.exp(-e.clip(0) / 30.0)
    edge = height * (1 + np.tanh((e - 55.5) / 0.5)) / 2 * np.exp(-(e - 55.5).clip(0) / 20)
    return np.random.default_rng(seed).poisson(np.tile(spectrum + edge, (spectra, 1))).astype(float)


def test_a_li_k_edge_with_a_few_channel_window_is_still_found_after_fourier_log():
    counts = li_k_low_loss(80.0, spectra=20, seed=1)
    result = analyse_edge(counts, LOW_LOSS, "Li-K")
    assert result.deconvolved and result.onset.found.sum() >= 15


def test_srtio3_o_k_clears_the_threshold_of_its_window(realdata):
    dataset = load(realdata("EELS_STO.dm3"))
    onset = edge_onset(np.asarray(dataset.array, float), dataset.signal_axes[0], "O-K")
    assert np.isfinite(onset.rise[()])
    assert float(onset.rise[()] / onset.rise_sigma[()]) > detection_threshold(160, 4)


def test_a_short_window_s_threshold_is_named_with_what_lowers_it():
    counts = li_k_low_loss(120.0, spectra=5, seed=0)
    onset = edge_onset(counts, LOW_LOSS, "Li-K")
    assert not onset.found.any()
    assert "holds 9 channels" in onset.reason and "17.1 σ" in onset.reason
    assert "--background" in onset.reason
    wide = edge_onset(counts, LOW_LOSS, "Li-K", background_window=(44.0, 52.5))
    assert wide.found.all()
