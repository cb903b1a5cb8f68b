"""The across-the-front figure draws every column's ±1σ that the table holds (``<name>_stderr``)."""

import numpy as np

from insitu_tem.core.results import Result
from insitu_tem.core.session import Session
from insitu_tem.figures.kinetics import across_views


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
