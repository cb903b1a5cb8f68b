"""An edge the ±4 eV onset search misses is not measured, and where it visibly rises further
off the reason says where and to check the energy calibration; a lone spectrum's edge carries
no shift and no detection flag (not tested), in the result and in the stored values."""

import numpy as np

from insitu_tem.analysis.eels.pipeline import analyse_edge
from insitu_tem.workflows.eels_values import edge_values
from tests.analysis.eels.test_eels_edges import CORE, carbon_like


def test_an_edge_8_ev_off_its_table_is_not_measured_and_the_reason_points_at_the_calibration():
    result = analyse_edge(carbon_like([-8.0], counts=1e4, seed=3), CORE, "C-K")
    assert not result.onset.ok and np.isnan(result.onset.onset_eV).all()
    assert "check the energy calibration" in result.onset.reason
    at = float(result.onset.reason.split("rise lies at ")[1].split(" ±")[0])
    assert abs(at - 276.0) < 1.0


def test_an_edge_in_place_needs_no_hint_and_a_lone_one_has_no_shift_nor_detection_flag():
    result = analyse_edge(carbon_like([0.0], counts=1e4, seed=4), CORE, "C-K")
    assert result.onset.ok and "calibration" not in result.onset.reason
    values = edge_values(result)
    assert values["chemical_shift_eV"] != [0.0] and np.isnan(values["chemical_shift_eV"]).all()
    assert np.isnan(values["chemical_shift_stderr_eV"]).all()
    assert values["edge_detected"] == [None] and "lone spectrum" in values["edge_reason"]
