"""A window map is withheld (NaN, with the reason) in the spectra whose edge rises off the
windows placed from the tabled onset, and kept where the edge is in place, where it is absent (a
measured zero) and where the user placed both windows."""

import numpy as np
import pytest

from insitu_tem.analysis.eels.pipeline import analyse_edge, edge_window
from insitu_tem.workflows.eels_values import edge_values
from tests.analysis.eels.test_eels_edges import CORE, carbon_like


def _without_carbon(n, *, counts=1e4, seed=0):
    e = CORE.coordinates()
    model = counts * 8 * (e / 240.0) ** -3.5
    return np.random.default_rng(seed).poisson(np.broadcast_to(model, (n, e.size))).astype(float)


def test_a_map_from_windows_off_the_edge_is_withheld_with_where_the_edge_rises():
    result = analyse_edge(carbon_like([-8.0], counts=1e4, seed=3), CORE, "C-K")
    assert np.isnan(result.window.counts).all() and np.isnan(result.window.counts_sigma).all()
    assert not result.window.ok and "the edge rises at 276." in result.window.reason
    values = edge_values(result)
    assert values["map_ok"] is False and np.isnan(values["map_counts"]).all()
    assert "--window, --background" in values["map_reason"]


def test_the_user_s_windows_about_the_rise_give_the_map():
    result = analyse_edge(
        carbon_like([-8.0], counts=1e4, seed=3),
        CORE,
        "C-K",
        signal_window=(275.0, 285.0),
        background_window=(250.0, 272.0),
    )
    assert result.window.ok and result.window.reason == ""
    assert np.isfinite(result.window.counts).all() and result.window.counts[0] > 0


def test_only_the_displaced_spectra_lose_their_map_and_an_absent_edge_is_a_measured_zero():
    spectra = np.concatenate([carbon_like([0.0, 0.0], counts=1e4, seed=5), _without_carbon(2)])
    kept = analyse_edge(spectra, CORE, "C-K", reference=0)
    assert kept.window.ok and np.isfinite(kept.window.counts).all()
    sigma = kept.window.counts_sigma
    assert (np.abs(kept.window.counts[2:]) < 4 * sigma[2:]).all()
    assert (kept.window.counts[:2] > 10 * sigma[:2]).all()
    mixed = carbon_like([0.0, 0.0, -8.0, -8.0], counts=1e4, seed=6)
    result = analyse_edge(mixed, CORE, "C-K", reference=0)
    assert np.isfinite(result.window.counts[:2]).all()
    assert np.isnan(result.window.counts[2:]).all()
    assert result.window.reason.startswith("window map not measured in 2 spectra")


@pytest.mark.parametrize(
    "windows",
    [{}, {"signal_window": (275.0, 285.0), "background_window": (250.0, 272.0)}],
    ids=["automatic", "the user's"],
)
def test_the_window_map_alone_follows_the_same_rule_as_the_whole_analysis(windows):
    mixed = carbon_like([0.0, -8.0, -8.0], counts=1e4, seed=6)
    whole = analyse_edge(mixed, CORE, "C-K", reference=0, **windows).window
    alone = edge_window(mixed, CORE, "C-K", **windows)
    np.testing.assert_array_equal(alone.counts, whole.counts)
    np.testing.assert_array_equal(alone.counts_sigma, whole.counts_sigma)
    assert alone.reason == whole.reason and alone.window_eV == whole.window_eV
    assert np.isnan(alone.counts[1:]).all() != bool(windows)
