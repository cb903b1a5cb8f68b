"""The dose workflow: result "dose" in the session, from the beam current or from the counts, with
the most-exposed pixel followed where the beam does not cover the field evenly."""

import numpy as np
import pytest

from insitu_tem.core.model import Axis, DataError, Dataset
from insitu_tem.core.session import Session
from insitu_tem.workflows import dose


def session_with_movie(frames, *, pixel_nm=0.5, interval_s=0.2, units="nm"):
    frames = np.asarray(frames, float)
    axes = (
        Axis("t", frames.shape[0], interval_s, 0.0, "s"),
        Axis("y", frames.shape[1], pixel_nm, 0.0, units),
        Axis("x", frames.shape[2], pixel_nm, 0.0, units),
    )
    session = Session(checksums=False)
    session.set_dataset("movie", Dataset("movie", frames, axes))
    return session


def test_counts_give_the_mean_dose_and_the_peak_pixel_of_a_converged_beam():
    frames = np.full((4, 8, 8), 10.0)
    frames[:, 2, 3] = 410.0
    session = session_with_movie(frames)
    value = dose.run(session, counts_per_electron=5.0).value
    pixel_A2 = 0.25 * 100.0
    mean_counts = frames[0].mean()
    assert value["frame_dose_e_per_A2"] == pytest.approx(np.full(4, mean_counts / 5 / pixel_A2))
    assert value["rate_e_per_A2_s"][0] == pytest.approx(mean_counts / 5 / pixel_A2 / 0.2)
    assert value["peak_pixel_cumulative_e_per_A2"] == pytest.approx(
        410.0 * np.arange(1, 5) / 5 / pixel_A2
    )
    assert session.result("dose").parameters["counts_per_electron"] == 5.0
    at = dose.dose_at(session, 3)
    assert at["cumulative_sigma_e_per_A2"] == pytest.approx(0.05 * at["cumulative_e_per_A2"])
    counting = np.sqrt(5.0 * 410.0 * 4) / 5 / pixel_A2
    assert value["peak_pixel_counting_sigma_e_per_A2"][3] == pytest.approx(counting)
    assert at["peak_pixel_cumulative_sigma_e_per_A2"] == pytest.approx(
        np.hypot(counting, 0.05 * at["peak_pixel_cumulative_e_per_A2"])
    )


def test_an_even_noisy_beam_gives_its_level_at_the_peak_pixel_not_the_largest_noisy_pixel():
    rng = np.random.default_rng(5)
    frames = 3.0 * rng.poisson(20.0, (6, 64, 64))
    value = dose.run(session_with_movie(frames), counts_per_electron=3.0).value
    pixel_A2 = 0.25 * 100.0
    truth = 20.0 * np.arange(1, 7) / pixel_A2
    peak = np.asarray(value["peak_pixel_cumulative_e_per_A2"])
    counting = np.asarray(value["peak_pixel_counting_sigma_e_per_A2"])
    assert np.all(np.abs(peak - truth) <= 3 * counting) and np.all(counting < 0.1 * truth)
    largest = np.cumsum(frames, axis=0).max(axis=(1, 2)) / 3.0 / pixel_A2
    assert np.all(largest - truth > 5 * counting)
    total = np.asarray(value["peak_pixel_cumulative_sigma_e_per_A2"])
    np.testing.assert_allclose(total, np.hypot(counting, 0.05 * peak))


def test_beam_current_over_the_field_of_view():
    session = session_with_movie(np.zeros((3, 10, 10)))
    value = dose.run(session, beam_current_nA=1.0).value
    field_A2 = 25.0 * 100.0
    assert value["rate_e_per_A2_s"][0] == pytest.approx(6.241509e9 / field_A2, rel=1e-6)
    assert value["peak_pixel_cumulative_e_per_A2"] == value["cumulative_e_per_A2"]
    np.testing.assert_allclose(
        value["peak_pixel_cumulative_sigma_e_per_A2"],
        0.05 * np.asarray(value["cumulative_e_per_A2"]),
    )


def test_missing_or_both_sources_and_uncalibrated_movies_are_refused():
    session = session_with_movie(np.zeros((3, 4, 4)))
    with pytest.raises(DataError, match="either"):
        dose.prepare(session)
    with pytest.raises(DataError, match="either"):
        dose.prepare(session, beam_current_nA=1.0, counts_per_electron=2.0)
    with pytest.raises(DataError, match="nm and s"):
        dose.prepare(session_with_movie(np.zeros((3, 4, 4)), units="px"), beam_current_nA=1.0)


def test_from_the_beam_current_the_peak_pixel_counting_term_is_not_measured_not_zero():
    value = dose.run(session_with_movie(np.ones((3, 4, 4))), beam_current_nA=1.0).value
    assert np.isnan(value["peak_pixel_counting_sigma_e_per_A2"]).all()
    assert "not measured" in value["peak_pixel_counting_reason"]
    peak = np.asarray(value["peak_pixel_cumulative_e_per_A2"])
    assert np.allclose(value["peak_pixel_cumulative_sigma_e_per_A2"], 0.05 * peak)
