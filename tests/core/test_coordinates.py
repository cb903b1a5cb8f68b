"""Scan-line registration on the movie: probe index <-> movie point <-> distance from the front."""

import numpy as np
import pytest

from insitu_tem.core.coordinates import ScanRegistration, front_along_line, front_at_time
from insitu_tem.samples.experiment import EXPERIMENT


def test_probe_points_and_inverse_on_a_slanted_line():
    scan = ScanRegistration((10.0, 20.0), (40.0, 60.0), 11, 5.0)
    assert scan.length_px == pytest.approx(50.0)
    assert scan.point_rc(5) == pytest.approx((25.0, 40.0))
    index, off = scan.nearest_index(25.0 + 3 * 0.8, 40.0 - 3 * 0.6)
    assert index == 5 and off == pytest.approx(3.0)
    assert scan.nearest_index(-100, -100)[0] == 0 and scan.nearest_index(500, 500)[0] == 10


def test_distance_from_front_matches_the_sample_experiment_truth():
    truth = EXPERIMENT.scan_distance_from_front_nm()
    scan = ScanRegistration.from_dict(
        {
            "start_rc": EXPERIMENT.scan.start_rc,
            "end_rc": EXPERIMENT.scan.end_rc,
            "n_positions": EXPERIMENT.scan.n_positions,
            "time_s": EXPERIMENT.scan.time_s,
        }
    )
    front_rc = (128.0, float(EXPERIMENT.front.position_px(scan.time_s)))
    distance_nm = (
        scan.distance_from_front_px(front_along_line(scan, front_rc)) * EXPERIMENT.pixel_nm
    )
    np.testing.assert_allclose(distance_nm, truth, atol=1e-9)
    assert ScanRegistration.from_dict(scan.as_dict()) == scan


def test_front_at_time_skips_missing_positions():
    assert front_at_time([0, 1, 2, 3], [0.0, np.nan, 20.0, 30.0], 1.0) == pytest.approx(10.0)
    with pytest.raises(ValueError, match="track or mark the front"):
        front_at_time([0, 1], [np.nan, np.nan], 0.5)
