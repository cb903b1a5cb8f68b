"""The stored front result says, frame by frame, why a frame has no position."""

import numpy as np

from insitu_tem.core.model import Axis, Dataset
from insitu_tem.core.session import Session
from insitu_tem.workflows import front

N_FRAMES, SIZE = 16, 48


def test_the_stored_track_gives_each_frame_without_a_position_its_reason():
    cols = np.arange(SIZE)
    edges = [0] * 4 + [8 + 3 * t for t in range(N_FRAMES - 4)]
    array = np.stack(
        [np.where(cols[None, :] < edge, 200.0, 1000.0) * np.ones((SIZE, 1)) for edge in edges]
    ).astype(np.float32)
    axes = (Axis("t", N_FRAMES, 0.5, 0.0, "s"), Axis("y", SIZE), Axis("x", SIZE))
    session = Session()
    session.set_dataset("movie", Dataset("movie", array, axes))
    session.set_analysis_line([(10.0, 2.0), (10.0, 46.0)])
    value = front.run(session, width_px=5.0).value
    reasons = value["frame_reason"]
    assert len(reasons) == N_FRAMES
    for position, reason in zip(value["position_px"], reasons):
        assert (reason == "") == np.isfinite(position)
    assert all(reason.startswith("no front in this frame") for reason in reasons[:4])
