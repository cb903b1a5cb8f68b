"""Fast subset of the EELS validation corpus (validation.eels): the issue-12 targets on
physics-generated
line scans and on the real calibrated core-loss spectra."""

import numpy as np
import pytest

from validation import eels
from validation.stats import summarise

pytestmark = pytest.mark.slow

CORE = "chemical shift, K and L2,3 core loss (≥1e3 counts/ch at the edge)"
PLASMON = "chemical shift, W O2,3 on the plasmon tail with the ZLP (≥1e3 counts/ch at the edge)"
LOW = "chemical shift, all edges (1e2–1e3 counts/ch at the edge)"
FLOOR = eels.FLOOR
CRAMER_RAO = eels.CRAMER_RAO
EFFICIENCY = eels.EFFICIENCY
CRAMER_RAO_FREE = eels.CRAMER_RAO_FREE
EFFICIENCY_FREE = eels.EFFICIENCY_FREE
CRAMER_RAO_MEASURED = eels.CRAMER_RAO_MEASURED
CRAMER_RAO_FREE_MEASURED = eels.CRAMER_RAO_FREE_MEASURED
BIAS = eels.BIAS
NOISE_PART = eels.NOISE_PART
AT_THE_BOUND = 0.674
REAL = "edge onset on real calibrated spectra (C K, Ti L3)"


@pytest.fixture(scope="module")
def measured():
    return {m.name: m for m in eels.run(fast=True)}


def test_core_loss_shift_meets_the_targets(measured):
    summary = summarise(measured[CORE])
    assert summary.n >= 40 and measured[CORE].n_not_measured == 0
    assert summary.median <= 0.05 and summary.p95 <= 0.15
    assert 0.60 <= summary.coverage_1sigma <= 0.75, summary


@pytest.mark.xfail(
    strict=True,
    reason=(
        "issue 12: the W O2,3 median/95th targets (0.05/0.15 eV) lie below what the Cramér–Rao "
        "bound of the corpus's counts allows an unbiased estimator (fast subset 0.052/0.30 eV); "
        "not reachable at these doses by any method"
    ),
)
def test_w_o23_on_the_plasmon_tail(measured):
    assert summarise(measured[PLASMON]).passed


def test_w_o23_uncertainty_covers_its_errors(measured):
    summary = summarise(measured[PLASMON])
    assert summary.n >= 30 and 0.60 <= summary.coverage_1sigma <= 0.75, summary


def test_w_o23_target_lies_below_the_noise_floor_of_the_corpus(measured):
    floor = summarise(measured[FLOOR])
    assert floor.n == summarise(measured[PLASMON]).n + measured[PLASMON].n_not_measured
    assert floor.median > 0.05 and floor.p95 > 0.15, floor


def test_w_o23_target_lies_below_the_cramer_rao_bound_without_deconvolution(measured):
    bound = measured[CRAMER_RAO].errors
    assert len(bound) == 2000 and np.all(np.diff(bound) >= 0) and bound[0] > 0
    assert np.median(bound) > 0.05 and np.percentile(bound, 95) > 0.15


def test_w_o23_targets_lie_below_the_bound_with_the_background_unknown_on_measured_spectra(
    measured,
):
    known = measured[CRAMER_RAO_MEASURED].errors
    free = measured[CRAMER_RAO_FREE_MEASURED].errors
    assert len(known) == len(free) == 2000
    assert np.median(known) < np.median(measured[CRAMER_RAO].errors)
    assert np.median(free) > 0.05 and np.percentile(free, 95) > 0.15
    assert np.median(free) < np.median(measured[CRAMER_RAO_FREE].errors)


def test_w_o23_errors_stay_within_five_times_the_cramer_rao_bound(measured):
    ratio = measured[EFFICIENCY].errors
    assert len(ratio) == summarise(measured[PLASMON]).n
    assert AT_THE_BOUND < np.median(ratio) <= 5 * AT_THE_BOUND


def test_w_o23_errors_stay_within_three_times_the_bound_with_the_background_unknown(measured):
    known, free = measured[CRAMER_RAO].errors, measured[CRAMER_RAO_FREE].errors
    assert np.median(free) > np.median(known) and np.percentile(free, 95) > np.percentile(known, 95)
    ratio = measured[EFFICIENCY_FREE].errors
    assert len(ratio) == summarise(measured[PLASMON]).n
    assert AT_THE_BOUND < np.median(ratio) <= 3 * AT_THE_BOUND


def test_w_o23_errors_split_into_the_models_bias_and_the_noise_part(measured):
    bias, part, total = measured[BIAS].errors, measured[NOISE_PART].errors, measured[PLASMON]
    assert 0 < len(bias) == len(part) <= summarise(total).n
    assert np.all(np.isfinite(bias)) and np.all(part >= 0)
    assert np.median(np.abs(bias)) < np.median(np.abs(total.errors))
    assert AT_THE_BOUND / 2 < np.median(part) < 3 * AT_THE_BOUND


def test_low_count_scans_are_reported_with_finite_errors(measured):
    low = measured[LOW]
    assert len(low.errors) > 10 and np.all(np.isfinite(low.sigmas)) and np.all(low.sigmas > 0)


def test_real_edge_onsets_within_one_ev(measured):
    if REAL not in measured:
        pytest.skip(f"real data not found at {eels.realdata_folder()}")
    real = measured[REAL]
    assert len(real.errors) == 2 and real.n_not_measured == 0
    assert summarise(real).median <= 1.0 and np.abs(real.errors).max() <= 1.0


def _rate(measured, start):
    (name,) = [n for n in measured if n.startswith(start)]
    return float(measured[name].errors[0])


def test_absent_core_loss_edges_are_declared_absent(measured):
    core = "K and L2,3 core loss"
    assert _rate(measured, f"edge present but not detected, {core}") == 0.0
    assert _rate(measured, f"edge absent but detected, {core}") <= 0.1
    assert _rate(measured, f"edge absent but a shift reported, {core}") == 0.0


def test_w_o23_absent_edges_rarely_get_a_shift(measured):
    w = "W O2,3 on the plasmon tail"
    assert _rate(measured, f"edge present but not detected, {w}") <= 0.25
    assert _rate(measured, f"edge absent but a shift reported, {w}") <= 0.1


def test_core_loss_onset_uncertainty_covers_its_errors(measured):
    onset = measured["edge onset minus its noise-free value, K and L2,3 core loss (all counts)"]
    summary = summarise(onset)
    assert summary.n >= 50 and 0.5 <= summary.coverage_1sigma <= 0.8, summary
    assert summary.coverage_2sigma >= 0.8, summary


def test_real_edge_onsets_state_their_uncertainty(measured):
    if REAL not in measured:
        pytest.skip(f"real data not found at {eels.realdata_folder()}")
    assert np.all((measured[REAL].sigmas > 0.01) & (measured[REAL].sigmas < 0.3))
