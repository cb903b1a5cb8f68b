"""Reacted-area segmentation stopped early: the frame it stopped at is data, not only words."""

import numpy as np

from insitu_tem.analysis.movie.front_area import reacted_area


def test_stopping_early_names_the_first_frame_not_segmented():
    movie = np.full((5, 32, 32), 100.0)
    movie[:, :, :16] = 50.0
    calls = iter(range(100))
    stopped = reacted_area(movie, polarity=-1, should_stop=lambda: next(calls) >= 3)
    assert not stopped.ok and stopped.stopped_at == 3 and stopped.reason == "stopped at frame 3"
    assert np.isfinite(stopped.area_px[:3]).all() and np.isnan(stopped.area_px[3:]).all()
    finished = reacted_area(movie, polarity=-1)
    assert finished.ok and finished.stopped_at is None
