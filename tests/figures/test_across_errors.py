"""The across-the-front and kinetics figures draw the ±1σ the results hold (`<name>_stderr`
columns, the front's `position_sigma`)."""

import numpy as np

from insitu_tem.core.results import Result
from insitu_tem.core.session import Session
from insitu_tem.figures.kinetics import across_views, kinetics_views


def test_strain_profile_carries_its_error_bars():
    session = Session(checksums=False)
    columns = {
        "lattice_strain": [0.01, np.nan, 0.0],
        "lattice_strain_stderr": [4e-4, np.nan, 3e-4],
        "crystalline": [1, 1, 0],
    }
    session.store_result("across", Result(value={"distance_nm": [-10, 0, 10], "columns": columns}))
    views = {view.y_label: view for view in across_views(session)}
    ((_, strain, error),) = views["lattice strain"].curves
    np.testing.assert_array_equal(error, columns["lattice_strain_stderr"])
    assert views["crystalline"].curves[0][2] is None


def test_li_k_and_fraction_profiles_carry_their_error_bars():
    session = Session(checksums=False)
    columns = {
        "Li_K_intensity": [900.0, 400.0, 10.0],
        "Li_K_intensity_stderr": [30.0, 25.0, 20.0],
        "fraction_first pattern": [1.0, 0.4, 0.0],
        "fraction_first pattern_stderr": [0.0, 0.05, 0.0],
        "fraction_last pattern": [0.0, 0.6, 1.0],
        "fraction_last pattern_stderr": [0.0, 0.05, 0.0],
    }
    session.store_result("across", Result(value={"distance_nm": [-10, 0, 10], "columns": columns}))
    views = {view.y_label: view for view in across_views(session)}
    np.testing.assert_array_equal(
        views["Li K intensity"].curves[0][2], columns["Li_K_intensity_stderr"]
    )
    fractions = {label: error for label, _, error in views["Phase fraction"].curves}
    assert list(fractions) == ["first pattern", "last pattern"]
    np.testing.assert_array_equal(
        fractions["last pattern"], columns["fraction_last pattern_stderr"]
    )


def test_front_position_carries_its_error_bars():
    session = Session(checksums=False)
    value = {
        "times": [0.0, 1.0, 2.0],
        "units": "nm",
        "time_units": "s",
        "position": [10.0, 14.0, np.nan],
        "position_sigma": [0.5, 0.7, np.nan],
        "velocity_measured": [np.nan, 4.0, np.nan],
        "velocity_units": "nm/s",
        "fit": {"ok": False, "reason": "2 tracked positions for 4 free parameters"},
    }
    session.store_result("front", Result(value=value))
    position = next(view for view in kinetics_views(session) if view.title == "Front position x(t)")
    np.testing.assert_array_equal(position.curves[0][2], value["position_sigma"])
