"""The shell-thickness map of a segmented wire: rays that found no shell are left empty and
counted in the title, never drawn as a shell 0 nm thick."""

import numpy as np

from insitu_tem.gui.panels.tomo.plots import MeasurementPlots


def measurement(thickness_px: np.ndarray) -> dict:
    finite = thickness_px[np.isfinite(thickness_px)]
    counts, edges = np.histogram(finite, bins=4)
    return {
        "thickness_map_px": thickness_px,
        "thickness_histogram": {"counts": counts, "edges_px": edges},
        "radial_profile": {"radius_px": np.arange(5.0), "mean": np.linspace(1, 0, 5)},
    }


def test_rays_without_a_shell_are_empty_and_counted(qtbot):
    plots = MeasurementPlots()
    qtbot.addWidget(plots)
    thickness = np.full((6, 36), 8.0)
    thickness[2, 5:8] = np.nan
    plots.set_measurement(measurement(thickness), 0.5, "nm")
    shown = plots.map_image.image
    assert np.isnan(shown[2, 5:8]).all() and np.nanmin(shown) == 4.0
    assert plots.map_plot.titleLabel.text == "Shell thickness map — 3 rays found no shell (black)"
    plots.set_measurement(measurement(np.full((6, 36), 8.0)), 0.5, "nm")
    assert plots.map_plot.titleLabel.text == "Shell thickness map"
    plots.set_measurement(None, 0.5, "nm")
    assert plots.map_plot.titleLabel.text == "Shell thickness map"
