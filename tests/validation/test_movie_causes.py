"""The error budget by cause puts every scored frame in the first class that applies to it."""

from types import SimpleNamespace

import numpy as np

from validation.movie_causes import CAUSES, drift_error_along, frame_causes


def _entry(*, irregular=0.0, texture_changing=0.0):
    truth = np.array([10.0, 10.0, 10.0, 12.0, 14.0, 16.0, 18.0, 20.0, 36.0, 38.0])
    frames = truth.size
    shifts = np.zeros((frames, 2))
    measured = shifts.copy()
    measured[5] = [0.0, 2.0]
    props = dict(
        length_px=40.0,
        irregular=irregular,
        texture_changing=texture_changing,
        diffuse_width_px=0.0,
        roughness_px=0.0,
    )
    movie = SimpleNamespace(truth=truth, properties=props, shifts=shifts)
    sampling = SimpleNamespace(normals_rc=np.tile([1.0, 0.0], (40, 1)), shear=0.0)
    position = truth + 0.5
    position[8] = np.nan
    track = SimpleNamespace(position=position, position_sigma=np.full(frames, 0.4))
    analysis = SimpleNamespace(
        track=track,
        kymograph=SimpleNamespace(sampling=sampling),
        drift=SimpleNamespace(shifts_px=measured),
    )
    return {"movie": movie, "analysis": analysis}


def test_drift_error_is_taken_along_the_line():
    entry = _entry()
    error = drift_error_along(entry)
    np.testing.assert_allclose(np.abs(error), [0, 0, 0, 0, 0, 2, 0, 0, 0, 0], atol=1e-12)


def test_each_scored_frame_gets_the_first_cause_that_applies():
    errors, sigmas, frames, causes = frame_causes(_entry())
    np.testing.assert_array_equal(frames, [0, 1, 2, 3, 4, 5, 6, 7, 9])
    np.testing.assert_allclose(errors, 0.5)
    assert sigmas.size == frames.size
    assert causes[:2] == [CAUSES[2], CAUSES[2]]
    assert causes[5] == CAUSES[1]
    assert causes[-1] == CAUSES[3]
    assert set(causes[2:5] + causes[6:8]) == {CAUSES[-1]}
    _, _, _, changing = frame_causes(_entry(texture_changing=1.0))
    assert set(changing[2:5] + changing[6:8]) == {"reacted texture changing"}
