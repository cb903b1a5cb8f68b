"""Drift: known sub-pixel shifts on textured frames at ~100 counts/px, every reference
mode, masks and ROIs, a moving front, lazy chunks, early stop and the corrected view."""

import dask.array as da
import numpy as np
import pytest
from scipy import ndimage

from insitu_tem.analysis.movie.drift import corrected_movie, measure_drift

PAD = 12


def textured_movie(shifts, *, size=128, counts=100.0, contrast=0.2, seed=0, dtype=np.uint16):
    """Poisson frames of a band-limited texture displaced by ``shifts`` (dy, dx) px."""
    rng = np.random.default_rng(seed)
    field = ndimage.gaussian_filter(rng.normal(size=(size + 2 * PAD,) * 2), 1.5, mode="wrap")
    spectrum = np.fft.fft2(field / field.std())
    frames = []
    for shift in shifts:
        moved = np.fft.ifft2(ndimage.fourier_shift(spectrum, shift)).real[
            PAD : PAD + size, PAD : PAD + size
        ]
        frames.append(rng.poisson(counts * (1 + contrast * moved)))
    return np.asarray(frames).astype(dtype)


def random_walk(n, *, seed=1, scale=0.8):
    rng = np.random.default_rng(seed)
    walk = np.cumsum(rng.normal(scale=scale, size=(n, 2)), axis=0)
    return walk - walk[0]


def rms(a, b):
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


@pytest.mark.parametrize("reference", ["first", "previous", "running"])
def test_known_subpixel_shifts_are_recovered_within_a_tenth_of_a_pixel(reference):
    truth = random_walk(12)
    movie = textured_movie(truth)
    result = measure_drift(movie, reference=reference)
    assert result.ok and result.reference == reference
    assert result.shifts_px.shape == (12, 2)
    np.testing.assert_array_equal(result.shifts_px[0], [0.0, 0.0])
    assert rms(result.shifts_px, truth) <= 0.1


def test_sign_convention_is_the_displacement_of_the_content():
    movie = textured_movie([(0.0, 0.0), (2.0, -3.0)], counts=1000.0)
    shift = measure_drift(movie).shifts_px[1]
    np.testing.assert_allclose(shift, [2.0, -3.0], atol=0.05)
    bright = np.zeros((2, 64, 64))
    bright[0, 20, 30] = bright[1, 22, 27] = 1.0
    smooth = ndimage.gaussian_filter(bright, (0, 2, 2))
    np.testing.assert_allclose(measure_drift(smooth).shifts_px[1], [2.0, -3.0], atol=0.05)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
def test_works_for_several_dtypes(dtype):
    truth = random_walk(4, seed=3)
    movie = textured_movie(truth, counts=100.0, dtype=dtype)
    assert rms(measure_drift(movie).shifts_px, truth) <= 0.1


def test_a_moving_front_does_not_drag_the_estimate_when_masked():
    truth = random_walk(10, seed=5, scale=0.6)
    movie = textured_movie(truth, counts=100.0).astype(float)
    rows = np.arange(128)[:, None]
    for i in range(10):
        edge = 20 + 9 * i
        band = (rows >= 40) & (rows < 90)
        cols = np.arange(128)[None, :]
        movie[i] = np.where(band & (cols < edge), movie[i] * 0.4, movie[i])
    static = np.ones((128, 128), bool)
    static[34:96] = False
    masked = measure_drift(movie, mask=static)
    assert rms(masked.shifts_px, truth) <= 0.1
    above = measure_drift(movie, roi=(0, 34, 0, 128))
    assert rms(above.shifts_px, truth) <= 0.1


def test_sample_movie_drift_is_recovered_with_the_front_moving_through_the_field(
    generated_sample_movie,
):
    frames, truth = generated_sample_movie
    for reference in ("first", "running"):
        assert rms(measure_drift(frames, reference=reference).shifts_px, truth.drift_px) <= 0.1
    static = np.ones(frames.shape[1:], bool)
    static[80:175] = False
    assert (
        rms(measure_drift(frames, reference="previous", mask=static).shifts_px, truth.drift_px)
        <= 0.1
    )


def test_lazy_movie_in_chunks_gives_the_numpy_answer():
    truth = random_walk(9, seed=7)
    movie = textured_movie(truth)
    lazy = da.from_array(movie, chunks=(2, 128, 128))
    eager = measure_drift(movie, reference="running")
    chunked = measure_drift(lazy, reference="running", chunk=3)
    np.testing.assert_allclose(chunked.shifts_px, eager.shifts_px, atol=1e-9)


def test_progress_and_early_stop():
    movie = textured_movie(random_walk(6, seed=2))
    seen = []
    measure_drift(movie, progress=lambda fraction, message: seen.append(fraction))
    assert seen[-1] == pytest.approx(1.0) and len(seen) == 6
    calls = iter(range(100))
    stopped = measure_drift(movie, should_stop=lambda: next(calls) >= 3)
    assert not stopped.ok and "stopped at frame 3" in stopped.reason and stopped.stopped_at == 3
    assert np.isfinite(stopped.shifts_px[:3]).all() and np.isnan(stopped.shifts_px[3:]).all()


def test_featureless_frames_are_flagged_not_trusted():
    rng = np.random.default_rng(4)
    noise = rng.poisson(100, size=(3, 64, 64)).astype(np.uint16)
    result = measure_drift(noise, min_peak=0.2)
    assert not result.ok and "weak correlation" in result.reason


def test_the_frames_of_weak_correlation_are_data_as_well_as_words():
    movie = textured_movie(random_walk(8, seed=5))
    movie[[3, 6]] = 0
    result = measure_drift(movie)
    assert not result.ok and result.weak_frames == (3, 6) and result.stopped_at is None
    assert result.reason.startswith("weak correlation at frames [3, 6]; ")


def test_corrected_movie_is_a_lazy_view_and_raw_data_is_unchanged():
    truth = random_walk(5, seed=9)
    movie = textured_movie(truth, counts=1000.0)
    before = movie.copy()
    result = measure_drift(movie)
    view = corrected_movie(movie, result.shifts_px)
    assert isinstance(view, da.Array) and view.shape == movie.shape
    aligned = np.asarray(view[4])
    np.testing.assert_array_equal(movie, before)
    inner = (slice(10, -10), slice(10, -10))
    residual = measure_drift(
        np.stack([np.asarray(view[0]), aligned])[(slice(None),) + inner]
    ).shifts_px[1]
    assert np.hypot(*residual) < 0.1


def test_calibrated_shifts_use_the_axis_scales():
    from insitu_tem.core.model import Axis

    result = measure_drift(textured_movie([(0, 0), (1.0, 2.0)], counts=1000.0))
    calibrated = result.shifts(Axis("y", 128, 0.5, 0, "nm"), Axis("x", 128, 2.0, 0, "nm"))
    np.testing.assert_allclose(calibrated[1], [0.5, 4.0], atol=0.05)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"reference": "median"}, "reference"),
        ({"roi": (0, 300, 0, 10)}, "roi"),
        ({"mask": np.zeros((128, 128), bool)}, "mask"),
        ({"mask": np.ones((10, 10), bool)}, "mask shape"),
    ],
)
def test_bad_options_raise_with_a_fix(kwargs, message):
    with pytest.raises(ValueError, match=message):
        measure_drift(textured_movie([(0, 0), (1, 1)]), **kwargs)


def test_not_a_movie_raises():
    with pytest.raises(ValueError, match="movie"):
        measure_drift(np.zeros((32, 32)))
    with pytest.raises(ValueError, match="finite"):
        corrected_movie(np.zeros((2, 16, 16)), [[0, 0], [np.nan, 0]])


def test_memory_mapped_movie_gives_the_in_memory_answer(tmp_path):
    movie = textured_movie(random_walk(9, seed=8))
    path = tmp_path / "movie.raw"
    movie.tofile(path)
    mapped = np.memmap(path, dtype=movie.dtype, mode="r", shape=movie.shape)
    np.testing.assert_array_equal(
        measure_drift(mapped, chunk=4).shifts_px, measure_drift(movie).shifts_px
    )


def test_registration_window_and_spectra_stay_single_precision():
    from scipy.signal.windows import tukey as scipy_tukey

    from insitu_tem.analysis.movie.drift_registration import PhaseCorrelator, tukey

    for n, alpha in ((9, 0.3), (64, 0.3), (255, 0.5), (100, 1.0)):
        np.testing.assert_allclose(tukey(n, alpha), scipy_tukey(n, alpha), atol=1e-12)
    correlator = PhaseCorrelator((32, 48))
    spectrum = correlator.spectrum(np.random.default_rng(0).random((32, 48)))
    assert spectrum.dtype == np.complex64
    assert correlator.shift_spectrum(spectrum, (0.5, -1.25)).dtype == np.complex64


def test_stated_sigma_is_zero_at_frame_0_grows_with_noise_and_along_a_chain():
    shifts = random_walk(6, seed=4)
    quiet = measure_drift(textured_movie(shifts, counts=400.0, seed=5))
    noisy = measure_drift(textured_movie(shifts, counts=25.0, seed=5))
    chained = measure_drift(textured_movie(shifts, counts=25.0, seed=5), reference="previous")
    assert np.all(quiet.sigma_px[0] == 0) and np.all(np.isfinite(noisy.sigma_px))
    assert np.median(noisy.sigma_px[1:]) > 2 * np.median(quiet.sigma_px[1:])
    assert np.all(np.diff(chained.sigma_px, axis=0) > 0)
