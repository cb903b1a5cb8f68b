"""Tomography figure: slices with scale bars, the missing wedge and a rendering, saved with provenance."""

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
    )
    figure, parameters = render_tomo(view, dpi=80)
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
