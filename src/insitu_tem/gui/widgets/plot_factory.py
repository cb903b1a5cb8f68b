"""pyqtgraph plots and views that skip work the user never sees.

- The right-click menu is built on the first right-click: pyqtgraph builds every view's context
  menu (``ViewBoxMenu``: two axis forms and their widget groups) when the view is made, and the
  workbench has about thirty views, most never right-clicked. The menu built later is the same
  menu, from the view's state at that time.
- An axis sets its label's HTML only when the text changes: pyqtgraph sets it again on every
  range change (to update the SI prefix), which re-lays the label out each time.
"""

from __future__ import annotations

import pyqtgraph as pg

SIDES = ("left", "bottom", "right", "top")


class LazyMenuViewBox(pg.ViewBox):
    """A :class:`pyqtgraph.ViewBox` that builds its context menu when first asked for it.

    Parameters
    ----------
    **kwargs
        As for :class:`pyqtgraph.ViewBox` (``enableMenu`` is honoured: False means no menu).
    """

    def __init__(self, **kwargs) -> None:
        enabled = kwargs.pop("enableMenu", True)
        super().__init__(enableMenu=False, **kwargs)
        self.state["enableMenu"] = enabled

    def getMenu(self, ev):  # noqa: N802 - pyqtgraph's name
        self._applyMenuEnabled()
        return self.menu

    def getContextMenus(self, event):  # noqa: N802 - pyqtgraph's name
        self._applyMenuEnabled()
        return super().getContextMenus(event)


class SteadyLabelAxis(pg.AxisItem):
    """A :class:`pyqtgraph.AxisItem` whose label's HTML is set only when it changes.

    A range change that leaves the label's text as it was (the same SI prefix) leaves the axis's
    size as it was too; a style, pen or scale change sizes the axis again as pyqtgraph does. A new
    text is placed again at once: pyqtgraph places it only when the axis is resized, so on an
    axis of fixed width (:func:`~insitu_tem.gui.widgets.plot_stack.tidy_stack`) a shorter text
    stayed where the longer one was centred, partly outside the plot.
    """

    _label_html: str | None = None
    _prefix_only = False

    def updateAutoSIPrefix(self) -> None:  # noqa: N802 - pyqtgraph's name
        self._prefix_only = True
        try:
            super().updateAutoSIPrefix()
        finally:
            self._prefix_only = False

    def _updateLabel(self) -> None:  # noqa: N802 - pyqtgraph's name
        html = self.labelString()
        if html != self._label_html:
            self.label.setHtml(html)
            self._label_html = html
            self._adjustSize()
            self.resizeEvent()
        elif not self._prefix_only:
            self._adjustSize()
        self.picture = None
        self.update()


class QuickPlotItem(pg.PlotItem):
    """A :class:`pyqtgraph.PlotItem` (``kwargs`` as for it) with a :class:`LazyMenuViewBox` and
    :class:`SteadyLabelAxis` axes, left and bottom shown as pyqtgraph's default."""

    def __init__(self, **kwargs) -> None:
        axes = {side: SteadyLabelAxis(side) for side in SIDES}
        super().__init__(viewBox=LazyMenuViewBox(), axisItems=axes, **kwargs)
        self.showAxis("right", False)
        self.showAxis("top", False)


def plot_widget(**kwargs) -> pg.PlotWidget:
    """A :class:`pyqtgraph.PlotWidget` showing a :class:`QuickPlotItem` (``kwargs`` for it)."""
    return pg.PlotWidget(plotItem=QuickPlotItem(**kwargs))


def add_plot(layout: pg.GraphicsLayout, *, row=None, col=None, **kwargs) -> QuickPlotItem:
    """``layout.addPlot(row=row, col=col, **kwargs)`` with a :class:`QuickPlotItem`."""
    plot = QuickPlotItem(**kwargs)
    layout.addItem(plot, row=row, col=col)
    return plot


def add_view_box(layout: pg.GraphicsLayout, *, row=None, col=None, **kwargs) -> LazyMenuViewBox:
    """``layout.addViewBox(row=row, col=col, **kwargs)`` with a lazily built menu."""
    view = LazyMenuViewBox(**kwargs)
    layout.addItem(view, row=row, col=col)
    return view
