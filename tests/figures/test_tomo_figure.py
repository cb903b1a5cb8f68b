"""Tomography figure: slices with scale bars, the missing wedge and a rendering, saved with
provenance."""

import json

import numpy as np
from PIL import Image

from insitu_tem.figures.export import provenance, save_figure
from insitu_tem.figures.tomography import TomoView, render_tomo


def test_slices_and_rendering_are_saved_with_their_parameters(tmp_path):
    volume = np.zeros((20, 24, 28), np.float32)
    volume[5:15, 4:20, 8:20] = 1.0
    labels = (volume > 0.5).astype(np.uint8)
    view = TomoView(
        volume,
        (10, 12, 14),
        voxel_size=0.5,
        units="nm",
        tilts_deg=(-60.0, 60.0),
        labels=labels,
        rendering_angle_deg=30.0,
        alignment={"tilt_axis_angle_deg": -30.1, "tilt_axis_method": "motion"},
    )
    figure, parameters = render_tomo(view, dpi=80)
    assert parameters["tilt_axis_angle_deg"] == -30.1 and parameters["tilt_axis_method"] == "motion"
    texts = [t.get_text() for ax in figure.axes for t in ax.texts]
    assert len(figure.axes) == 4 and "2 nm" in texts
    assert parameters["missing_wedge_deg"] == [60.0, 120.0] and parameters["cursor_zyx"] == [
        10,
        12,
        14,
    ]
    path = save_figure(
        figure, tmp_path / "tomo.png", dpi=80, record=provenance(["v.tif"], parameters)
    )
    record = json.loads(Image.open(path).text["insitu-tem"])
    assert record["parameters"]["rendering_angle_deg"] == 30.0


def test_measurements_are_plotted_on_calibrated_axes():
    volume = np.zeros((20, 24, 28), np.float32)
    measurement = {
        "thickness_map_px": np.full((24, 16), 4.0).tolist(),
        "thickness_histogram": {"counts": [0, 384, 0], "edges_px": [3.0, 3.5, 4.5, 5.0]},
        "radial_profile": {"radius_px": [0.5, 1.5, 2.5], "mean": [2.0, 1.0, 0.0]},
        "shell_thickness_px": 4.0,
        "shell_thickness_sigma_px": 0.25,
    }
    view = TomoView(volume, (10, 12, 14), voxel_size=0.5, units="nm", measurement=measurement)
    figure, parameters = render_tomo(view, dpi=60)
    labels = {ax.get_xlabel() for ax in figure.axes}
    assert {"shell thickness (nm)", "distance from the wire axis (nm)"} <= labels
    histogram = next(ax for ax in figure.axes if ax.get_xlabel() == "shell thickness (nm)")
    assert histogram.get_title() == "median 2 ± 0.12 nm" and histogram.get_xlim()[1] >= 2.5
    assert parameters["shell_thickness"] == 2.0


def test_a_shell_void_fraction_not_measured_is_said_not_drawn_as_nan():
    volume = np.zeros((20, 24, 28), np.float32)
    measurement = {
        "thickness_map_px": np.full((24, 16), 4.0).tolist(),
        "thickness_histogram": {"counts": [0, 384, 0], "edges_px": [3.0, 3.5, 4.5, 5.0]},
        "radial_profile": {"radius_px": [0.5, 1.5, 2.5], "mean": [2.0, 1.0, 0.0]},
        "shell_thickness_px": 4.0,
        "shell_thickness_sigma_px": float("nan"),
        "void_fraction_shell": float("nan"),
    }
    view = TomoView(volume, (10, 12, 14), voxel_size=0.5, units="nm", measurement=measurement)
    figure, _ = render_tomo(view, dpi=60)
    histogram = next(ax for ax in figure.axes if ax.get_xlabel() == "shell thickness (nm)")
    assert histogram.get_title() == "median 2 nm; voids not measured"
