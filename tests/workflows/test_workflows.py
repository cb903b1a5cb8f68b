"""Workflows over an unsaved Session: results with provenance, the user's track, calibration,
cancellation and invalidation."""

import numpy as np
import pytest

from insitu_tem.core.model import Axis, DataError, Dataset
from insitu_tem.core.results import Result
from insitu_tem.core.session import Session
from insitu_tem.workflows import across_front, drift, front, lattice
from insitu_tem.workflows.jobs import Cancelled

N_FRAMES, SIZE, PIXEL_NM, FRAME_S = 12, 48, 2.0, 0.5


def front_movie() -> Dataset:
    """A film whose right-hand side darkens as a vertical front advances 2 px per frame from col
    10."""
    cols = np.arange(SIZE)
    frames = [
        np.where(cols[None, :] < 10 + 2 * t, 200.0, 1000.0) * np.ones((SIZE, 1))
        for t in range(N_FRAMES)
    ]
    array = np.stack(frames).astype(np.float32)
    axes = (
        Axis("t", N_FRAMES, FRAME_S, 0.0, "s"),
        Axis("y", SIZE, PIXEL_NM, 0.0, "nm"),
        Axis("x", SIZE, PIXEL_NM, 0.0, "nm"),
    )
    return Dataset("movie", array, axes)


def eels_scan(n: int = 9) -> Dataset:
    energy = Axis("E", 400, 0.25, -10.0, "eV")
    e = energy.coordinates()
    spectra = 1e4 * np.exp(-0.5 * (e / 0.4) ** 2) + 50.0 * np.exp(-e.clip(0) / 30.0)
    array = np.tile(spectra, (n, 1)) + np.random.default_rng(0).poisson(5.0, (n, e.size))
    return Dataset("spectrum_series", array, (Axis("x", n, 5.0, 0.0, "nm"), energy))


@pytest.fixture
def session() -> Session:
    s = Session()
    s.set_dataset("movie", front_movie())
    s.set_dataset("eels", eels_scan())
    s.set_scan_line(
        "eels", {"start_rc": [24.0, 4.0], "end_rc": [24.0, 44.0], "n_positions": 9, "time_s": 2.5}
    )
    s.set_analysis_line([(10.0, 2.0), (10.0, 46.0)])
    return s


def test_front_track_is_stored_with_its_parameters_and_inputs(session):
    result = front.run(session, width_px=5.0)
    value = result.value
    assert session.result("front") is result and result.parameters["width_px"] == 5.0
    assert set(result.inputs) == {"movie", "analysis_line", "result.drift"}
    assert result.inputs["result.drift"] == ""
    np.testing.assert_allclose(
        value["position_along_px"][3:9], 10 - 2 + 2 * np.arange(3, 9) - 0.5, atol=1.0
    )
    assert session.result_status("front") == "current"
    session.set_analysis_line([(12.0, 2.0), (12.0, 46.0)])
    assert session.result_status("front") == "stale"


def test_measuring_the_drift_removes_a_track_made_without_it(session):
    front.run(session, width_px=5.0)
    session.store_result("across", Result({}, {}, session.fingerprints(["result.front"])))
    drift.run(session)
    assert session.result("front") is None and session.result("across") is None
    tracked = front.run(session, width_px=5.0)
    drift.run(session)
    assert session.result("front") is tracked


def user_track(session: Session, *, front_col_at_scan: float) -> None:
    """A front the user tracked along the analysis line: at the scan time it is at
    ``front_col_at_scan``."""
    times = np.arange(N_FRAMES) * FRAME_S
    along = front_col_at_scan - 2.0 + (times - 2.5) * 0.0
    session.store_result(
        "front",
        Result(
            {"times": times, "position_along_px": along},
            {"line_rc": session.analysis_line},
            session.fingerprints(["movie", "analysis_line"]),
        ),
    )


def test_across_uses_the_users_track_and_calibration_on_an_unsaved_session(session):
    user_track(session, front_col_at_scan=24.0)
    distance = across_front.run(session).value["distance_nm"]
    probes_col = np.linspace(4.0, 44.0, 9)
    np.testing.assert_allclose(distance, (probes_col - 24.0) * PIXEL_NM)
    session.set_calibration("movie", scale=0.5, units="nm")
    assert session.result_status("across") == "stale"
    np.testing.assert_allclose(
        across_front.run(session).value["distance_nm"], (probes_col - 24.0) * 0.5
    )
    assert session.result("across").inputs["result.front"] == session.fingerprint("result.front")


def test_across_reuses_the_panels_current_eels_results_and_computes_only_the_stale(
    session, monkeypatch
):
    from insitu_tem.workflows import eels

    user_track(session, front_col_at_scan=24.0)
    pristine = 8
    eels.run(session, edge="W-O23", reference=pristine)
    eels.run(session, edge="Li-K", reference=3)
    shown = session.result("eels.W-O23").value["chemical_shift_eV"]
    computed = []
    original = eels.analyse
    monkeypatch.setattr(
        eels, "analyse", lambda *a, **k: computed.append(a[1]["edge"]) or original(*a, **k)
    )
    value = across_front.run(session).value
    assert computed == [] and value["reused"] == ["eels.Li-K", "eels.W-O23"]
    np.testing.assert_array_equal(value["columns"]["W_O23_shift"], shown)
    eels.run(session, edge="W-O23", reference=0)
    computed.clear()
    value = across_front.run(session).value
    assert computed == ["W-O23"] and value["reused"] == ["eels.Li-K"]
    np.testing.assert_array_equal(value["columns"]["W_O23_shift"], shown)


def test_across_computes_only_the_li_k_map_it_plots(session, monkeypatch):
    from insitu_tem.workflows import eels

    user_track(session, front_col_at_scan=24.0)
    computed = []
    original = eels.analyse
    monkeypatch.setattr(
        eels, "analyse", lambda *a, **k: computed.append(a[1]["edge"]) or original(*a, **k)
    )
    value = across_front.run(session).value
    assert computed == ["W-O23"] and value["reused"] == []
    full = eels.run(session, edge="Li-K").value["map_counts"]
    assert computed == ["W-O23", "Li-K"]
    np.testing.assert_array_equal(value["columns"]["Li_K_intensity"], full)


def test_across_without_a_track_asks_for_one(session):
    with pytest.raises(DataError, match="track the front first"):
        across_front.prepare(session)


def test_a_cancelled_job_stores_nothing(session):
    job = front.prepare(session)
    with pytest.raises(Cancelled):
        job.run(should_stop=lambda: True)
    calls = iter([False, False, True])
    with pytest.raises(Cancelled):
        job.run(should_stop=lambda: next(calls, True))
    assert session.result("front") is None


def test_replacing_the_movie_removes_the_track_and_what_was_built_on_it(session):
    user_track(session, front_col_at_scan=24.0)
    across_front.run(session)
    lost = session.set_dataset("movie", front_movie())
    assert set(lost.results) == {"front", "across"} and session.result_names == []
    session.reinstate(lost)
    assert set(session.result_names) == {"front", "across"}


def test_drift_and_lattice_results_from_a_drifting_lattice():
    from scipy.ndimage import gaussian_filter

    from insitu_tem.analysis.movie.drift import measure_drift

    cols = np.arange(64)[None, :]
    scene = 400 * gaussian_filter(np.random.default_rng(2).random((64, 64)), 2) + 20 * np.cos(
        2 * np.pi * cols / 8
    )
    frames = [np.roll(scene, (t, 2 * t), axis=(0, 1)) for t in range(4)]
    axes = (
        Axis("t", 4, 1.0, 0.0, "s"),
        Axis("y", 64, 0.05, 0.0, "nm"),
        Axis("x", 64, 0.05, 0.0, "nm"),
    )
    s = Session()
    s.set_dataset("movie", Dataset("movie", 100 + np.stack(frames), axes))
    shifts = drift.run(s, reference="previous").value["shifts_px"]
    np.testing.assert_array_equal(
        shifts, measure_drift(s.dataset("movie").array, reference="previous").shifts_px
    )
    assert s.result("drift").parameters == {"reference": "previous", "roi": None}
    series = lattice.run(
        s, role="movie", spots_px=[(0, 8)], roi=(0, 0, 64, 64), follow_drift=True
    ).value
    np.testing.assert_allclose(np.asarray(series["d_nm"])[:, 0], 0.4, rtol=0.01)
    assert set(s.result("lattice").inputs) == {"movie", "result.drift"}
    with pytest.raises(DataError, match="choose the FFT region"):
        lattice.prepare(s, role="movie")


def test_low_loss_says_why_it_has_no_thickness():
    from insitu_tem.analysis.eels.pipeline import analyse_low_loss
    from insitu_tem.workflows.eels import low_loss_values

    energy = Axis("E", 400, 0.1, -5.0, "eV")
    x = energy.coordinates()
    rng = np.random.default_rng(0)
    tail = 2e3 * np.exp(-np.clip(x, 0, None) / 8.0)
    peaked = rng.poisson(1e4 * np.exp(-0.5 * (x / 0.4) ** 2) + tail + 0 * x[:3, None]).astype(float)
    value = low_loss_values(analyse_low_loss(peaked, energy))
    assert value["t_over_lambda_ok"] and value["t_over_lambda_reason"] == ""
    assert all(np.isfinite(value["t_over_lambda_sigma"]))
    flat = rng.poisson(200.0, (3, energy.size)).astype(float)
    value = low_loss_values(analyse_low_loss(flat, energy))
    assert value["t_over_lambda"] is None and not value["t_over_lambda_ok"]
    assert "no zero-loss peak" in value["t_over_lambda_reason"]
