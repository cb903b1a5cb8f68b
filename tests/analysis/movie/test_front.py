"""Front tracking: known fronts in synthetic kymographs (entering, stalling, leaving),
step fits, polarity, the sample movie's ground truth, and the 2-D reacted area."""

import numpy as np
import pytest
from scipy import ndimage
from scipy.special import ndtr

from insitu_tem.analysis.movie.drift import measure_drift
from insitu_tem.analysis.movie.front import OFF_LINE, TOO_WIDE
from insitu_tem.analysis.movie.front import auto_polarity, track_front
from insitu_tem.analysis.movie.front_area import reacted_area
from insitu_tem.analysis.movie.front_states import moving_edge
from insitu_tem.analysis.movie.kymograph import kymograph
from insitu_tem.samples import EXPERIMENT

N_SAMPLES = 200


def step_kymograph(positions, *, reacted=60.0, pristine=100.0, noise=3.0, seed=0):
    """Rows: reacted level before ``positions[t]``, pristine after (NaN position = not on the
    line)."""
    rng = np.random.default_rng(seed)
    s = np.arange(N_SAMPLES, dtype=float)
    rows = []
    for p in positions:
        if np.isnan(p):
            level = np.full(N_SAMPLES, pristine)
        else:
            level = reacted + (pristine - reacted) * ndtr((s - p) / 1.5)
        rows.append(level + rng.normal(scale=noise, size=N_SAMPLES))
    return np.asarray(rows)


@pytest.fixture
def sample(generated_sample_movie):
    return generated_sample_movie


def test_front_that_enters_stalls_and_leaves_is_followed_to_subpixel():
    truth = np.concatenate(
        [
            np.full(5, np.nan),
            10 + 12 * np.sqrt(np.arange(30)),
            np.full(6, 10 + 12 * np.sqrt(29)),
            np.full(4, np.nan),
        ]
    )
    track = track_front(step_kymograph(truth))
    assert track.ok and track.polarity == 1
    present = ~np.isnan(truth)
    np.testing.assert_array_equal(track.present, present)
    assert np.sqrt(np.mean((track.position[present] - truth[present]) ** 2)) < 0.3
    assert (track.confidence[present] > 0.9).all() and (track.confidence[~present] == 0).all()


def test_polarity_is_found_from_what_moves_not_from_static_edges():
    truth = 20 + 4.0 * np.arange(30)
    image = step_kymograph(truth, reacted=140.0, pristine=100.0)
    image[:, 150:] -= 80.0
    assert auto_polarity(image) == -1
    track = track_front(image)
    assert track.polarity == -1
    assert np.sqrt(np.nanmean((track.position - truth) ** 2)) < 0.3


def test_no_front_is_a_result_not_an_error():
    rng = np.random.default_rng(3)
    flat = 100 + rng.normal(scale=2.0, size=(20, 100))
    track = track_front(flat, polarity=1)
    assert not track.ok and "no step-like front" in track.reason
    assert np.isnan(track.position).all()


def test_bad_kymograph_raises():
    with pytest.raises(ValueError, match="kymograph"):
        track_front(np.zeros(50))
    with pytest.raises(ValueError, match="polarity"):
        track_front(np.zeros((5, 50)), polarity=2)


def test_sample_movie_front_within_half_a_pixel_raw_and_drift_corrected(sample):
    frames, truth = sample
    row = EXPERIMENT.scan.start_rc[0]
    line = [(row, 0.0), (row, 255.0)]
    raw = track_front(kymograph(frames, line, width=41).image)
    assert raw.present.all()
    assert np.sqrt(np.mean((raw.position - truth.front_raw_px) ** 2)) <= 0.5
    shifts = measure_drift(frames).shifts_px
    corrected = track_front(kymograph(frames, line, width=41, shifts_px=shifts).image)
    assert np.sqrt(np.mean((corrected.position - truth.front_specimen_px) ** 2)) <= 0.25


def test_reacted_area_grows_with_the_front_in_the_sample(sample):
    frames, truth = sample
    film = np.zeros(frames.shape[1:], bool)
    film[95:160] = True
    shifts = measure_drift(frames).shifts_px
    result = reacted_area(frames, mask=film, shifts_px=shifts)
    assert result.ok and result.polarity == -1
    equivalent_column = result.area_px / film.sum(axis=1).max() * film.shape[1] / 65
    assert np.sqrt(np.mean((equivalent_column - truth.front_specimen_px) ** 2)) < 1.5
    contour = result.contours_rc[30]
    right_edge = contour[(contour[:, 0] > 110) & (contour[:, 0] < 145), 1].max()
    assert right_edge == pytest.approx(truth.front_specimen_px[30], abs=1.5)
    assert (result.confidence > 0.5).all()


def _film(frames):
    film = np.zeros(frames.shape[1:], bool)
    film[95:160] = True
    return film


def test_reacted_area_options_are_checked(sample):
    frames, _ = sample
    with pytest.raises(ValueError, match="polarity"):
        reacted_area(frames[:2], polarity=0)
    brighter = reacted_area(65535 - frames[::10], mask=_film(frames))
    assert brighter.polarity == 1 and brighter.area_px[-1] > brighter.area_px[0]
    with pytest.raises(ValueError, match="mask"):
        reacted_area(frames[:2], mask=np.zeros((3, 3), bool))


def test_keyframes_interpolate_between_polylines_of_different_lengths():
    from insitu_tem.analysis.movie.front_manual import interpolate_keyframes

    keyframes = {2: [(0.0, 10.0), (20.0, 10.0)], 6: [(0.0, 30.0), (10.0, 30.0), (20.0, 30.0)]}
    fronts = interpolate_keyframes(keyframes, 10)
    assert sorted(fronts) == [2, 3, 4, 5, 6]
    np.testing.assert_allclose(fronts[4][:, 1], 20.0)
    np.testing.assert_allclose(fronts[4][:, 0], [0.0, 10.0, 20.0])
    assert interpolate_keyframes({3: [(1.0, 2.0)]}, 10) == {
        3: pytest.approx(np.array([[1.0, 2.0]]))
    }


def test_front_position_along_a_line_by_crossing_or_projection():
    from insitu_tem.analysis.movie.front_manual import position_along_line

    line = [(50.0, 0.0), (50.0, 100.0)]
    assert position_along_line([(0.0, 40.0), (100.0, 44.0)], line) == pytest.approx(42.0)
    assert position_along_line([(48.0, 37.5)], line) == pytest.approx(37.5)
    bent = [(0.0, 0.0), (0.0, 10.0), (10.0, 10.0)]
    assert position_along_line([(4.0, 0.0), (4.0, 20.0)], bent) == pytest.approx(14.0)


def test_manual_csv_rows_are_calibrated():
    from insitu_tem.analysis.movie.front_manual import csv_header, csv_rows
    from insitu_tem.core.model import Axis

    t, row, col = (
        Axis("t", 5, 0.5, 0, "s"),
        Axis("y", 64, 2.0, 0, "nm"),
        Axis("x", 64, 2.0, 1.0, "nm"),
    )
    rows = csv_rows({0: [(10.0, 4.0)], 2: [(10.0, 8.0)]}, 5, time=t, row=row, col=col)
    assert csv_header(row, col) == [
        "frame",
        "time_s",
        "keyframe",
        "point",
        "x_px",
        "y_px",
        "x_nm",
        "y_nm",
    ]
    assert rows[1] == [1, 0.5, False, 0, 6.0, 10.0, 13.0, 20.0]


def test_a_diffuse_front_on_textured_levels_is_followed_off_the_end_of_the_line():
    rng = np.random.default_rng(4)
    frames, samples = 60, 50
    truth = np.linspace(40.0, -12.0, frames)
    s = np.arange(samples)
    pristine = 100 * (1 + 0.1 * rng.standard_normal(samples))
    reacted = 75 * (1 + 0.1 * rng.standard_normal(samples))
    fraction = ndtr((s[None, :] - truth[:, None]) / 3.0)
    image = pristine + (reacted - pristine) * fraction + rng.normal(0, 4.0, (frames, samples))
    track = track_front(image)
    on_line = (truth > 3) & (truth < samples - 4)
    off_line = truth < -4
    assert np.nanmedian(np.abs(track.position - truth)[on_line]) < 0.8
    assert np.isfinite(track.position[on_line]).mean() > 0.9
    assert np.isnan(track.position[off_line]).all()


def reversed_contrast_kymograph(*, seed=0):
    """A front at 10 + 0.6 t samples (reacted at low index) over 60 frames, reacted side 30 %
    darker on average but 20 % brighter over samples 30-41 (independent textures of the two
    phases), 0.5 % noise."""
    rng = np.random.default_rng(seed)
    s = np.arange(60, dtype=float)
    truth = 10 + 0.6 * np.arange(60)
    pristine = 100 * (1 + 0.05 * rng.standard_normal(60))
    reacted = np.where((s >= 30) & (s < 42), 1.2, 0.7) * pristine
    fraction = ndtr((truth[:, None] - s[None, :]) / 1.0)
    level = pristine + (reacted - pristine) * fraction
    return level * (1 + 0.005 * rng.standard_normal(level.shape)), truth


def test_a_sample_whose_reacted_side_is_brighter_does_not_hold_the_front_back():
    image, truth = reversed_contrast_kymograph()
    followed = track_front(image, follows_specimen=True)
    on_line = (truth > 3) & (truth < 56)
    assert np.nanmax(np.abs(followed.position - truth)[on_line]) < 1.0
    assert np.all(followed.present[on_line])


def test_a_front_is_found_when_samples_beyond_where_it_starts_change_late():
    """Samples on the reacted side beyond the front's start brighten late (texture that
    changes): out of the order the front passes in, but weaker than the front's own steps."""
    rng = np.random.default_rng(3)
    frames, samples = 60, 60
    t = np.arange(frames)
    truth = np.where(t < 15, 42.0, 42.0 - (t - 15) * 47 / 44)
    s = np.arange(samples)
    image = 100 + 40 * ndtr((s[None, :] - truth[:, None]) / 1.0)
    image[50:, -12:] += 15.0
    image *= 1 + 0.01 * rng.standard_normal(image.shape)
    track = track_front(image)
    on_line = (truth > 3) & (truth < 40)
    assert track.ok
    assert np.nanmedian(np.abs(track.position - truth)[on_line]) < 0.2


def test_each_frame_not_measured_says_why():
    moving = 20 + 6.0 * np.arange(30)
    truth = np.concatenate([np.full(4, np.nan), moving, [199.6, 400.0, 400.0]])
    image = step_kymograph(truth, noise=1.0)
    s = np.arange(N_SAMPLES, dtype=float)
    image[10] = 60 + 40 * ndtr((s - truth[10]) / 25.0)
    reasons = np.array(track_front(image).frame_reason)
    measured = np.r_[4:10, 11:34]
    assert (reasons[measured] == "").all()
    assert all(r.startswith("no front in this frame") for r in reasons[[0, 1, 2, 3, -2, -1]])
    assert reasons[10] == TOO_WIDE and reasons[-3] == OFF_LINE


def test_a_kymograph_without_a_front_gives_every_frame_the_reason():
    rng = np.random.default_rng(3)
    track = track_front(100 + rng.normal(scale=2.0, size=(20, 100)), polarity=1)
    assert track.frame_reason == (track.reason,) * 20
    assert track.reason.startswith("no step-like front found along the line")


def sliding_texture_kymograph(*, slide_px=6.0, seed=0):
    """A front moving towards higher index (reacted, brighter, at low index) over texture 0.8
    of its contrast that slides ``slide_px`` the other way during the movie, as texture the
    drift correction left moving does."""
    rng = np.random.default_rng(seed)
    n_frames, n_samples = 60, 48
    s = np.arange(n_samples, dtype=float)
    x = np.linspace(-20, n_samples + 20, 2000)
    texture = ndimage.gaussian_filter1d(rng.normal(size=x.size), 2.0 / (x[1] - x[0]))
    texture *= 0.4 / texture.std()
    truth = np.linspace(4, 44, n_frames)
    rows = []
    for t, p in enumerate(truth):
        shift = slide_px * t / (n_frames - 1)
        reacted = 0.5 * (1 - np.tanh(s - p))
        rows.append(1 + 0.5 * reacted + np.interp(s + shift, x, texture))
    return np.asarray(rows) + rng.normal(0, 0.03, (n_frames, n_samples)), truth


def test_a_front_under_sliding_texture_is_found_the_way_its_samples_change():
    image, truth = sliding_texture_kymograph()
    assert moving_edge(image)[0] == -1
    track = track_front(image)
    assert track.ok and track.polarity == -1
    assert np.nanmedian(np.abs(track.position - truth)) < 2.0
