"""Measuring tools driven with the mouse like a user on a calibrated image (0.5 nm/px): drag the
ruler's ends and read its length, drag a profile across a stripe and widen it, move and resize
the region and read its statistics, the angle between two dragged lines, the colour bar and the
profile CSV."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QFileDialog

from insitu_tem.core.model import Axis
from insitu_tem.gui.widgets.image_view import CalibratedImageView
from insitu_tem.gui.widgets.measure_tools import MeasureTools
from tests.gui.user_actions import drag_on_view

PIXEL_NM = 0.5
HAND_PX = 0.1
"""How far from its target a dragged handle may land, image px (the screen shows 8 px per image
px, and a mouse position is a whole screen pixel)."""


@pytest.fixture
def tools(qtbot):
    view = CalibratedImageView()
    image = np.tile(np.arange(100, dtype=float), (80, 1))
    image[39:42, :] = 1000.0
    view.set_frame(
        image,
        axes=(Axis("y", 80, PIXEL_NM, 0.0, "nm"), Axis("x", 100, PIXEL_NM, 0.0, "nm")),
        auto_range=True,
    )
    widget = MeasureTools(view)
    for w, size in ((view, (800, 640)), (widget, (500, 400))):
        qtbot.addWidget(w)
        w.resize(*size)
        w.show()
    qtbot.waitExposed(view)
    view.view.autoRange(items=[view.image_item], padding=0)
    return widget


def open_tool(qtbot, tools, name: str) -> None:
    qtbot.mouseClick(tools.buttons[name], Qt.MouseButton.LeftButton)
    assert tools.buttons[name].isChecked()


def drag_ends(tools, name: str, start_rc, end_rc, *, index: int = 0) -> None:
    """Drag each end of a line tool from where it is to (row, col) px, one after the other."""
    roi = tools.items[name][index]
    for k, target in enumerate((start_rc, end_rc)):
        handle = roi.getHandles()[k]
        drag_on_view(tools.view, roi.mapToParent(handle.pos()), tools.view.index_to_data(*target))
    ends = np.ravel(tools.line_rc(name, index))
    assert ends == pytest.approx(np.ravel([start_rc, end_rc]), abs=HAND_PX)


def numbers_after(text: str, label: str) -> list[float]:
    """The numbers of the readout line starting with ``label``."""
    line = next(line for line in text.splitlines() if line.startswith(label))
    return [float(v) for v in re.findall(r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?", line)]


def test_the_ruler_dragged_by_its_ends_reads_its_calibrated_length_and_direction(qtbot, tools):
    open_tool(qtbot, tools, "Ruler")
    drag_ends(tools, "Ruler", (50, 10), (20, 50))
    length, direction = numbers_after(tools.result.text(), "ruler:")
    assert length == pytest.approx(25.0, abs=2 * HAND_PX * PIXEL_NM)
    assert direction == pytest.approx(36.87, abs=0.5)
    assert "nm, direction" in tools.result.text()
    qtbot.mouseClick(tools.buttons["Ruler"], Qt.MouseButton.LeftButton)
    assert "Ruler" not in tools.items and "ruler:" not in tools.result.text()


def test_profile_dragged_across_a_stripe_then_widened_and_saved(
    qtbot, tools, tmp_path, monkeypatch
):
    open_tool(qtbot, tools, "Profile")
    drag_ends(tools, "Profile", (30, 20), (50, 20))
    distance, values = tools.profile.distance, tools.profile.values
    assert distance[-1] == pytest.approx(10.0, abs=2 * HAND_PX * PIXEL_NM)
    assert len(values) in (21, 22) and np.diff(distance) == pytest.approx(distance[1])
    from_stripe = np.abs(distance - 5.0)
    assert values[from_stripe < 0.45] == pytest.approx(1000.0) and (from_stripe < 0.45).sum() >= 1
    assert values[from_stripe > 1.0] == pytest.approx(20.0, abs=HAND_PX)
    drag_ends(tools, "Profile", (40, 20), (40, 40))
    assert tools.profile.values == pytest.approx(np.full(len(tools.profile.values), 1000.0))
    tools.width_px.setFocus()
    tools.width_px.selectAll()
    qtbot.keyClicks(tools.width_px, "5")
    assert tools.profile.width_px == 5
    columns = 20 + tools.profile.distance / PIXEL_NM
    expected = (3 * 1000 + 2 * columns) / 5
    assert tools.profile.values == pytest.approx(expected, abs=1000 * HAND_PX / 5)
    _, shown = tools.curve.getData()
    np.testing.assert_allclose(shown, tools.profile.values)
    target = tmp_path / "profile.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    qtbot.mouseClick(tools.save_button, Qt.MouseButton.LeftButton)
    lines = target.read_text().splitlines()
    assert lines[0].startswith("distance (nm)") and len(lines) == len(tools.profile.values) + 1
    assert [float(v) for v in lines[5].split(",")] == pytest.approx(
        [tools.profile.distance[4], tools.profile.values[4]]
    )


def test_region_moved_and_resized_with_the_mouse_gives_the_statistics_of_its_pixels(qtbot, tools):
    open_tool(qtbot, tools, "Region")
    roi = tools.items["Region"][0]
    inside = roi.mapToParent(QPointF(roi.size().x() * 0.4, roi.size().y() * 0.4))
    corner = tools.view.index_to_data(9.5, 9.5)
    drag_on_view(tools.view, inside, inside + (corner - roi.pos()))
    handle = roi.getHandles()[0]
    drag_on_view(tools.view, roi.mapToParent(handle.pos()), tools.view.index_to_data(29.5, 19.5))
    assert tools.region_bounds() == (10, 10, 30, 20)
    st = tools.statistics
    block = np.tile(np.arange(10, 20, dtype=float), (20, 1))
    assert st.n_pixels == 200 and st.area == pytest.approx(50.0) and st.area_units == "nm²"
    assert (st.mean, st.minimum, st.maximum) == pytest.approx((14.5, 10.0, 19.0))
    assert st.std == pytest.approx(block.std(ddof=1)) and st.total == pytest.approx(2900.0)
    assert "200 px = 50 nm²" in tools.result.text()


def test_angle_between_two_dragged_lines(qtbot, tools):
    open_tool(qtbot, tools, "Angle")
    drag_ends(tools, "Angle", (40, 20), (40, 60), index=0)
    drag_ends(tools, "Angle", (40, 20), (20, 40), index=1)
    (angle,) = numbers_after(tools.result.text(), "angle between lines:")
    assert angle == pytest.approx(45.0, abs=0.5)


def test_colour_bar_shows_the_display_levels(qtbot, tools):
    box = tools.colour_bar_box
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert tools.colour_bar is not None
    assert tools.colour_bar.levels() == pytest.approx(tuple(tools.view.image_item.getLevels()))
    tools.view.set_fixed_levels((0.0, 50.0))
    tools.update_readout()
    assert tools.colour_bar.levels() == pytest.approx((0.0, 50.0))
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert tools.colour_bar is None


def test_profile_plot_is_a_hint_until_a_profile_is_open_and_empties_when_it_closes(qtbot, tools):
    plot = tools.plot.getPlotItem()
    assert not plot.getAxis("left").isVisible() and not plot.getAxis("bottom").isVisible()
    assert tools.plot_hint.label.isVisible()
    assert "Profile" in tools.plot_hint.label.textItem.toPlainText()
    open_tool(qtbot, tools, "Profile")
    assert not tools.plot_hint.label.isVisible() and plot.getAxis("bottom").isVisible()
    assert plot.getAxis("bottom").labelText == "distance (nm)"
    assert len(tools.curve.getData()[0]) > 0
    qtbot.mouseClick(tools.buttons["Profile"], Qt.MouseButton.LeftButton)
    assert tools.plot_hint.label.isVisible() and not plot.getAxis("left").isVisible()
    assert tools.curve.getData()[0] is None or len(tools.curve.getData()[0]) == 0
