"""Across the front, the Li K intensity follows the withheld-map rule of ``eels --edge``: a Li K
edge displaced into its automatic windows' span is not measured (null with the reason) in the
table, the JSON and the figure, and equals the full EELS analysis's map."""

import numpy as np
import pytest

from insitu_tem.core.model import Axis, Dataset
from insitu_tem.core.results import Result
from insitu_tem.core.session import Session
from insitu_tem.workflows import across_front, eels

N_FRAMES, SIZE, N_PROBES = 6, 48, 9


def movie() -> Dataset:
    """A film with a vertical front at col 24 (nm pixels)."""
    frame = np.where(np.arange(SIZE)[None, :] < 24, 200.0, 1000.0) * np.ones((SIZE, 1))
    axes = (
        Axis("t", N_FRAMES, 0.5, 0.0, "s"),
        Axis("y", SIZE, 2.0, 0.0, "nm"),
        Axis("x", SIZE, 2.0, 0.0, "nm"),
    )
    return Dataset("movie", np.stack([frame] * N_FRAMES).astype(np.float32), axes)


def low_loss_scan(li_k_eV: float) -> Dataset:
    """Low-loss spectra with a ZLP, a decaying background and a Li K edge rising at
    ``li_k_eV`` (the table's onset is 55 eV), Poisson counts."""
    energy = Axis("E", 400, 0.25, -10.0, "eV")
    e = energy.coordinates()
    base = 1e4 * np.exp(-0.5 * (e / 0.4) ** 2) + 200.0 * np.exp(-e.clip(0) / 30.0)
    edge = 60.0 * (1 + np.tanh((e - li_k_eV) / 0.5)) / 2 * np.exp(-(e - li_k_eV).clip(0) / 20)
    counts = np.random.default_rng(0).poisson(np.tile(base + edge, (N_PROBES, 1)))
    return Dataset(
        "spectrum_series", counts.astype(float), (Axis("x", N_PROBES, 5.0, 0.0, "nm"), energy)
    )


@pytest.fixture
def session() -> Session:
    s = Session()
    s.set_dataset("movie", movie())
    s.set_dataset("eels", low_loss_scan(62.0))
    s.set_scan_line(
        "eels",
        {"start_rc": [24.0, 4.0], "end_rc": [24.0, 44.0], "n_positions": N_PROBES, "time_s": 1.0},
    )
    s.set_analysis_line([(10.0, 2.0), (10.0, 46.0)])
    times = np.arange(N_FRAMES) * 0.5
    s.store_result(
        "front",
        Result(
            {"times": times, "position_along_px": np.full(N_FRAMES, 22.0)},
            {"line_rc": s.analysis_line},
            s.fingerprints(["movie", "analysis_line"]),
        ),
    )
    return s


def test_a_displaced_li_k_edge_is_not_measured_across_the_front_with_its_reason(session):
    value = across_front.run(session).value
    intensity = np.asarray(value["columns"]["Li_K_intensity"], float)
    assert np.isnan(intensity).all()
    assert np.isnan(value["columns"]["Li_K_intensity_stderr"]).all()
    reason = value["reasons"]["Li_K_intensity"]
    assert reason.startswith(f"window map not measured in {N_PROBES} spectra: the edge rises at 6")
    full = eels.run(session, edge="Li-K").value
    np.testing.assert_array_equal(intensity, full["map_counts"])
    assert full["map_reason"] == reason and full["map_ok"] is False


def test_the_across_figure_says_why_the_li_k_panel_is_empty(session):
    from insitu_tem.figures.kinetics import across_views

    across_front.run(session)
    panel = next(p for p in across_views(session) if p.y_label == "Li K intensity")
    assert panel.note.replace("\n", " ").startswith("window map not measured in 9 spectra")


def test_the_user_s_own_windows_give_the_li_k_map(session):
    session.set_parameters(
        "eels", {"edge": "Li-K", "window": [61.0, 70.0], "background": [50.5, 59.0]}
    )
    value = across_front.run(session).value
    intensity = np.asarray(value["columns"]["Li_K_intensity"], float)
    assert np.isfinite(intensity).all() and (intensity > 0).all()
    assert "Li_K_intensity" not in value["reasons"]
