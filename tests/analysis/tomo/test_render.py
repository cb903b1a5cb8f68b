"""CPU volume rendering and the missing wedge."""

import numpy as np
import pytest

from insitu_tem.analysis.tomo.render import missing_wedge_deg, render_volume


def test_rendering_turns_about_the_tilt_axis():
    volume = np.zeros((32, 8, 32), np.float32)
    volume[16, :, 24] = 1.0
    front = render_volume(volume, 0.0)
    assert front.shape == (8, 32) and int(np.argmax(front[4])) == 24
    turned = render_volume(volume, 90.0)
    assert abs(int(np.argmax(turned[4])) - 16) <= 1 and turned[4, 24] < 0.1
    composite = render_volume(volume, 0.0, mode="composite")
    assert int(np.argmax(composite[4])) == 24 and composite.max() <= 1.0
    with pytest.raises(ValueError, match="mip"):
        render_volume(volume, mode="xray")


def test_missing_wedge_is_the_uncovered_range():
    assert missing_wedge_deg([-60, 0, 60]) == (60.0, 120.0)
    assert missing_wedge_deg([-40, 35]) == (35.0, 140.0)
