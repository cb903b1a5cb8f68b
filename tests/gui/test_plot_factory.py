"""The workbench's plots build their right-click menu on the first right-click, and it works as
pyqtgraph's own (View All, the axis forms, the plot's options); an axis label follows the range's
SI prefix although its HTML is set only when it changes, and a new label on an axis of fixed
width is centred on it, inside the plot."""

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from insitu_tem.gui.widgets.plot_factory import (
    LazyMenuViewBox,
    QuickPlotItem,
    add_view_box,
    plot_widget,
)


@pytest.fixture
def plot(qtbot):
    widget = plot_widget()
    qtbot.addWidget(widget)
    widget.resize(400, 300)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def right_click(qtbot, widget) -> None:
    centre = QPoint(widget.viewport().width() // 2, widget.viewport().height() // 2)
    qtbot.mouseClick(widget.viewport(), Qt.MouseButton.RightButton, pos=centre)
    QApplication.processEvents()


def test_the_menu_is_built_on_the_first_right_click_and_view_all_works(qtbot, plot):
    plot.plot(np.arange(10.0), np.arange(10.0) ** 2)
    plot.setXRange(2, 3, padding=0)
    view = plot.getPlotItem().vb
    assert view.menu is None and view.menuEnabled()
    right_click(qtbot, plot)
    menu = view.menu
    assert menu is not None and menu.isVisible()
    titles = [action.text() for action in menu.actions()]
    assert "View All" in titles and "Plot Options" in titles
    menu.viewAll.trigger()
    menu.hide()
    (x0, x1), (y0, y1) = view.viewRange()
    assert x0 <= 0 and x1 >= 9 and y0 <= 0 and y1 >= 81


def test_the_axis_form_sets_the_range(qtbot, plot):
    view = plot.getPlotItem().vb
    right_click(qtbot, plot)
    form = view.menu.ctrl[0]
    form.minText.setText("5")
    form.maxText.setText("7")
    form.minText.editingFinished.emit()
    view.menu.hide()
    assert view.viewRange()[0] == pytest.approx([5, 7])


def test_a_view_without_a_menu_shows_none(qtbot):
    widget = pg.GraphicsLayoutWidget()
    qtbot.addWidget(widget)
    view = add_view_box(widget, row=0, col=0, enableMenu=False)
    widget.resize(300, 300)
    widget.show()
    qtbot.waitExposed(widget)
    right_click(qtbot, widget)
    assert view.menu is None and not view.menuEnabled()
    view.setMenuEnabled(True)
    assert view.menu is not None


def test_the_plot_shows_the_axes_pyqtgraph_shows():
    ours, theirs = QuickPlotItem(), pg.PlotItem()
    for side in ("left", "bottom", "right", "top"):
        assert ours.getAxis(side).isVisible() == theirs.getAxis(side).isVisible()
    assert isinstance(ours.vb, LazyMenuViewBox)


def test_the_axis_label_follows_the_si_prefix():
    plot = QuickPlotItem()
    axis = plot.getAxis("bottom")
    axis.setLabel("distance", units="m")
    axis.setRange(0, 2e-3)
    assert "(mm)" in axis.label.toPlainText()
    axis.setRange(0, 3e-3)
    assert "(mm)" in axis.label.toPlainText()
    axis.setRange(0, 2.0)
    assert "(m)" in axis.label.toPlainText()
    axis.setLabel("depth", units="m")
    assert axis.label.toPlainText() == "depth (m)"


def test_the_axes_size_as_pyqtgraph_sizes_them(qtbot):
    ours, theirs = plot_widget(), pg.PlotWidget()
    for widget in (ours, theirs):
        qtbot.addWidget(widget)
        widget.resize(400, 300)
        widget.show()
        qtbot.waitExposed(widget)
    steps = (
        lambda plot: plot.setLabel("left", "shift", units="eV"),
        lambda plot: plot.setLabel("bottom", "time", units="s"),
        lambda plot: plot.plot(np.linspace(0, 2e-3, 20), np.linspace(-3e3, 5e4, 20)),
        lambda plot: plot.setYRange(0, 5e-3),
        lambda plot: plot.getAxis("left").showLabel(False),
        lambda plot: plot.getAxis("left").showLabel(True),
        lambda plot: plot.getAxis("left").setStyle(tickTextOffset=12),
        lambda plot: plot.getAxis("bottom").setScale(1e3),
        lambda plot: plot.setXRange(0, 50),
    )
    for step in steps:
        for widget in (ours, theirs):
            step(widget.getPlotItem())
        QApplication.processEvents()
        for side in ("left", "bottom"):
            a, b = ours.getAxis(side), theirs.getAxis(side)
            assert a.label.toPlainText() == b.label.toPlainText()
            assert (a.width(), a.height()) == (b.width(), b.height())


def test_a_new_label_on_a_fixed_width_axis_is_centred_inside_the_plot(qtbot):
    widget = plot_widget()
    qtbot.addWidget(widget)
    widget.getAxis("left").setWidth(58)
    widget.setLabel("left", "a much longer label than the one that follows (1/Å)")
    widget.resize(300, 120)
    widget.show()
    qtbot.waitExposed(widget)
    widget.setLabel("left", "q (1/Å)")
    QApplication.processEvents()
    axis = widget.getAxis("left")
    label = axis.label.mapRectToParent(axis.label.boundingRect())
    assert 0 <= label.top() and label.bottom() <= axis.size().height()
    assert label.center().y() == pytest.approx(axis.size().height() / 2, abs=1)
