"""Measuring tools driven like a user on a calibrated image: place the ruler and read its
length, a profile across a stripe with a width, region statistics of known pixels, the
angle between two lines, the colour bar and the profile CSV."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from insitu_tem.core.model import Axis
from insitu_tem.gui.widgets.image_view import CalibratedImageView
from insitu_tem.gui.widgets.measure_tools import MeasureTools

PIXEL_NM = 0.5


@pytest.fixture
def tools(qtbot):
    view = CalibratedImageView()
    image = np.tile(np.arange(100, dtype=float), (80, 1))
    image[40, :] = 1000.0
    view.set_frame(
        image,
        axes=(Axis("y", 80, PIXEL_NM, 0.0, "nm"), Axis("x", 100, PIXEL_NM, 0.0, "nm")),
        auto_range=True,
    )
    widget = MeasureTools(view)
    for w in (view, widget):
        qtbot.addWidget(w)
        w.resize(600, 500)
        w.show()
    qtbot.waitExposed(view)
    return widget


def test_the_ruler_reads_its_calibrated_length_and_direction(qtbot, tools):
    qtbot.mouseClick(tools.buttons["Ruler"], Qt.MouseButton.LeftButton)
    assert tools.buttons["Ruler"].isChecked() and "ruler:" in tools.result.text()
    tools.set_line("Ruler", (50, 10), (20, 50))
    (r0, c0), (r1, c1) = tools.line_rc("Ruler")
    assert (r0, c0, r1, c1) == pytest.approx((50, 10, 20, 50))
    assert "ruler: 25 nm, direction 36.9°" in tools.result.text()
    qtbot.mouseClick(tools.buttons["Ruler"], Qt.MouseButton.LeftButton)
    assert "Ruler" not in tools.items and "ruler:" not in tools.result.text()


def test_profile_across_a_stripe_with_a_width_and_its_csv(qtbot, tools, tmp_path, monkeypatch):
    tools.set_line("Profile", (30, 20), (50, 20))
    values = tools.profile.values
    assert len(values) == 21 and values[10] == pytest.approx(1000.0)
    assert values[0] == pytest.approx(20.0) and tools.profile.distance[-1] == pytest.approx(10.0)
    tools.set_line("Profile", (40, 20), (40, 40))
    assert tools.profile.values == pytest.approx(np.full(21, 1000.0))
    tools.width_px.setValue(5)
    assert tools.profile.width_px == 5
    assert tools.profile.values == pytest.approx((1000 + 4 * np.arange(20, 41)) / 5)
    x, y = tools.curve.getData()
    np.testing.assert_allclose(y, tools.profile.values)
    target = tmp_path / "profile.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    qtbot.mouseClick(tools.save_button, Qt.MouseButton.LeftButton)
    lines = target.read_text().splitlines()
    assert lines[0].startswith("distance (nm)") and len(lines) == 22


def test_region_statistics_of_known_pixels(qtbot, tools):
    qtbot.mouseClick(tools.buttons["Region"], Qt.MouseButton.LeftButton)
    roi = tools.items["Region"][0]
    roi.setPos(tools.view.index_to_data(9.5, 9.5))
    roi.setSize((10 * PIXEL_NM, 20 * PIXEL_NM))
    assert tools.region_bounds() == (10, 10, 30, 20)
    st = tools.statistics
    block = np.tile(np.arange(10, 20, dtype=float), (20, 1))
    assert st.n_pixels == 200 and st.area == pytest.approx(50.0) and st.area_units == "nm²"
    assert (st.mean, st.minimum, st.maximum) == pytest.approx((14.5, 10.0, 19.0))
    assert st.std == pytest.approx(block.std(ddof=1)) and st.total == pytest.approx(2900.0)
    assert "200 px = 50 nm²" in tools.result.text()


def test_angle_between_two_lines(qtbot, tools):
    tools.set_line("Angle", (40, 20), (40, 60), index=0)
    tools.set_line("Angle", (40, 20), (20, 40), index=1)
    assert "angle between lines: 45.0°" in tools.result.text()


def test_colour_bar_shows_the_display_levels(qtbot, tools):
    tools.colour_bar_box.setChecked(True)
    levels = tools.view.image_item.getLevels()
    assert tools.colour_bar is not None
    assert tools.colour_bar.levels() == pytest.approx(tuple(levels))
    tools.view.set_fixed_levels((0.0, 50.0))
    tools.update_readout()
    assert tools.colour_bar.levels() == pytest.approx((0.0, 50.0))
    tools.colour_bar_box.setChecked(False)
    assert tools.colour_bar is None
