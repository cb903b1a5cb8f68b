"""What an empty plot or view shows: a centred hint saying how to fill it, and no axes or
legend."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import QLabel, QWidget

HINT_COLOUR = "#b0b0b0"

HINT_WIDTH = 0.9
"""Share of the plot's width a hint's lines wrap at (a long reason stays readable in a narrow
plot instead of running off both sides)."""


def hint_label(parent: QWidget, text: str = "", *, margin_px: int = 0) -> QLabel:
    """A centred, wrapped grey hint over ``parent`` that lets the mouse through to it (the caller
    places it and shows it while the view is empty)."""
    label = QLabel(text, parent)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    label.setStyleSheet(
        f"color: {HINT_COLOUR}; background: transparent"
        + (f"; margin: {margin_px}px" if margin_px else "")
    )
    label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    return label


class PlotHint:
    """A hint in the middle of a plot while it has no data; its axes and legend return with data.

    Parameters
    ----------
    plot : pyqtgraph.PlotItem
        The plot (``PlotWidget.getPlotItem()``).
    text : str
        What the user does to fill it, e.g. "Draw a line on the movie to see the kymograph".
    """

    def __init__(self, plot: pg.PlotItem, text: str) -> None:
        self.plot = plot
        self.label = pg.TextItem(text, color=HINT_COLOUR, anchor=(0.5, 0.5))
        self.label.textItem.document().setDefaultTextOption(
            QTextOption(Qt.AlignmentFlag.AlignCenter)
        )
        self.label.setParentItem(plot.vb)
        plot.vb.sigResized.connect(self._centre)
        self.empty = True
        self.set_empty(True)

    def set_empty(self, empty: bool, *, text: str | None = None) -> None:
        """Show the hint (no axes, no legend; ``text`` instead of the one given, if any) or the
        data."""
        self.empty = empty
        if text is not None:
            self.label.setText(text)
        self.label.setVisible(empty)
        for axis in ("left", "bottom"):
            self.plot.showAxis(axis, not empty)
        if self.plot.legend is not None:
            self.plot.legend.setVisible(not empty)
        self._centre()

    def _centre(self, *_args) -> None:
        """Wrap the hint at :data:`HINT_WIDTH` of the plot (its lines centred) and centre it."""
        rect = self.plot.vb.rect()
        self.label.setTextWidth(max(rect.width() * HINT_WIDTH, 1.0))
        self.label.setPos(rect.center())

    def set_note(self, text: str | None) -> None:
        """Show ``text`` in the middle of the plot, its axes kept (a plot lined up with others on
        a shared x axis keeps its axis width), or hide it (None)."""
        self.label.setText(text or "")
        self.label.setVisible(text is not None)
        self._centre()
