"""Spectrum plot of the EELS panel: counts vs energy loss with a fitted background,
draggable background and signal windows, an energy cursor and edge markers."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer, Signal

from insitu_tem.analysis.eels.edges_table import Edge
from insitu_tem.figures.eels_markers import edge_lines
from insitu_tem.gui.widgets.plot_factory import QuickPlotItem
from insitu_tem.gui.widgets.plot_hint import PlotHint

BACKGROUND_BRUSH = (70, 130, 255, 45)
SIGNAL_BRUSH = (255, 150, 40, 45)


HIGHLIGHT, GREY = "#ff6f6f", "#9a9a9a"
"""Colours of the highlighted edge's lines and of the others."""
LABEL_MARGIN_PX = 3
"""Least room between two edge labels, and between a label and the plot's top, screen pixels."""
LABEL_ROOM = 0.8
"""Fraction of the plot's height, from its top, where edge labels are written."""
CURSOR_PEN = pg.mkPen("#c8c8c8", width=1, style=pg.QtCore.Qt.PenStyle.DashLine)
"""The energy cursor: thin and dashed, drawn behind the spectrum (:data:`CURVE_Z`)."""
WINDOW_Z, MARKER_Z, CURSOR_Z, CURVE_Z = 5, 5.5, 6, 7
"""Stacking: the windows; the edge markers over them (a window's edge never crosses a label); the
energy cursor over both (the user grabs it inside a window); the spectrum and its fitted
background over all (wherever the cursor is, the data are drawn)."""
ZLP_WITHIN_EV = 10.0
"""A spectrum whose highest channel lies within this of 0 eV is a low-loss spectrum (its ZLP)."""
NO_FLOOR = -1e307
"""pyqtgraph's own lower limit of a view: no floor."""


class EelsSpectrumPlot(pg.PlotWidget):
    """Counts vs energy loss (eV) with the interactive items of the EELS panel.

    Signals
    -------
    background_window_changed(float, float) : background window after a drag, eV
    signal_window_changed(float, float) : signal window after a drag, eV
    cursor_moved(float) : energy of the cursor line, eV
    marker_clicked(str) : the user clicked a marker drawn with a key (:meth:`draw_markers`)
    """

    background_window_changed = Signal(float, float)
    signal_window_changed = Signal(float, float)
    cursor_moved = Signal(float)
    marker_clicked = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent, plotItem=QuickPlotItem())
        self.setLabel("bottom", "Energy loss", units="eV")
        self.setLabel("left", "intensity", units="counts")
        self.curve = self.plot(pen=pg.mkPen("#ffcc33", width=1.5), name="spectrum")
        self.background_curve = self.plot(
            pen=pg.mkPen("#6fa8ff", width=1.5, style=pg.QtCore.Qt.PenStyle.DashLine)
        )
        self.background_region = pg.LinearRegionItem(brush=BACKGROUND_BRUSH, swapMode="sort")
        self.signal_region = pg.LinearRegionItem(brush=SIGNAL_BRUSH, swapMode="sort")
        self.cursor = pg.InfiniteLine(angle=90, movable=True, pen=CURSOR_PEN)
        self.cursor.setHoverPen(pg.mkPen("#ffffff", width=2))
        for item, z in (
            (self.background_region, WINDOW_Z),
            (self.signal_region, WINDOW_Z),
            (self.cursor, CURSOR_Z),
            (self.curve, CURVE_Z),
            (self.background_curve, CURVE_Z),
        ):
            item.setZValue(z)
            if item not in self.getPlotItem().items:
                self.addItem(item)
        self.markers: list[pg.InfiniteLine] = []
        self.restagger = QTimer(self, singleShot=True, interval=0)
        self.restagger.timeout.connect(self.stagger_labels)
        self.getPlotItem().vb.sigXRangeChanged.connect(self.restagger.start)
        self.getPlotItem().vb.sigResized.connect(self.restagger.start)
        self.background_region.sigRegionChangeFinished.connect(
            lambda region: self.background_window_changed.emit(*map(float, region.getRegion()))
        )
        self.signal_region.sigRegionChangeFinished.connect(
            lambda region: self.signal_window_changed.emit(*map(float, region.getRegion()))
        )
        self.cursor.sigPositionChanged.connect(
            lambda line: self.cursor_moved.emit(float(line.value()))
        )
        self.cursor_held = False
        """True once the user has dragged the cursor: new spectra leave it where it is."""
        self.cursor.sigDragged.connect(lambda _line: setattr(self, "cursor_held", True))
        self.hint = PlotHint(self.getPlotItem(), "Open an EELS spectrum or line scan to plot it")
        self.set_spectrum(np.zeros(0), np.zeros(0))

    def set_spectrum(self, energy: np.ndarray, counts: np.ndarray) -> None:
        """Show one spectrum (energy in eV, counts per channel) with the energy cursor where
        :func:`first_reading` puts it, unless the user has moved it and it is still on the
        spectrum (0 eV on a core-loss spectrum would widen the plot to 0 eV; on a low-loss
        spectrum it hid the ZLP); none: the hint, no axes, no windows and no cursor."""
        self.curve.setData(energy, counts)
        self._floor_counts()
        empty = not len(energy)
        self.hint.set_empty(empty)
        self.cursor.setVisible(not empty)
        if empty:
            self.set_windows(None, None)
        elif not (self.cursor_held and energy[0] <= self.cursor.value() <= energy[-1]):
            self.cursor.blockSignals(True)
            self.cursor.setValue(first_reading(energy, counts))
            self.cursor.blockSignals(False)

    def release_cursor(self) -> None:
        """The next spectrum places the cursor (:func:`first_reading`) even where the user had
        moved it: a new dataset."""
        self.cursor_held = False

    def set_background(self, energy: np.ndarray | None, counts: np.ndarray | None) -> None:
        """Show a fitted background over ``energy`` (None hides it)."""
        if energy is None or counts is None:
            self.background_curve.setData([], [])
            return
        finite = np.isfinite(counts)
        self.background_curve.setData(energy[finite], counts[finite])

    def set_windows(
        self, background: tuple[float, float] | None, signal: tuple[float, float] | None
    ) -> None:
        """Place the two windows (eV) without emitting the change signals; None hides one."""
        for region, window in ((self.background_region, background), (self.signal_region, signal)):
            region.blockSignals(True)
            region.setVisible(window is not None)
            if window is not None:
                region.setRegion(window)
            region.blockSignals(False)

    def set_markers(
        self, edges: list[Edge], highlight: str | None, *, within: tuple[float, float] | None = None
    ) -> None:
        """Draw a labelled line at every line of ``edges`` (only those ``within`` (low, high) eV
        when given: the spectrum's range, which a line outside would widen); the ``highlight``
        edge in colour."""
        lines = edge_lines(edges, highlight, within or (-np.inf, np.inf))
        dotted = pg.QtCore.Qt.PenStyle.DotLine
        self.draw_markers(
            [
                (energy, text, HIGHLIGHT if chosen else GREY, dotted)
                for energy, text, chosen in lines
            ],
            first=lambda line: line[2] == HIGHLIGHT,
        )

    def draw_markers(self, lines: list[tuple], *, first=lambda line: False) -> None:
        """Draw a vertical line at every ``(x, label, colour, pen style)`` of ``lines`` (an empty
        label: the line alone), those for which ``first(line)`` is true labelled first; a line
        given a fifth item, a key, emits :attr:`marker_clicked` with it when clicked."""
        for marker in self.markers:
            self.removeItem(marker)
        self.markers = []
        for energy, text, colour, style, *key in sorted(lines, key=lambda line: not first(line)):
            marker = pg.InfiniteLine(
                energy,
                angle=90,
                movable=False,
                pen=pg.mkPen(colour, width=1, style=style),
                label=text or None,
                labelOpts={"position": 0.5, "color": colour, "rotateAxis": (1, 0)},
            )
            marker.setZValue(MARKER_Z)
            if key:
                marker.setToolTip(f"{text or key[0]}: click to map it")
                marker.sigClicked.connect(lambda _m, _e, k=key[0]: self.marker_clicked.emit(k))
            self.addItem(marker)
            self.markers.append(marker)
        self.stagger_labels()

    def stagger_labels(self, *_args) -> None:
        """Write every edge label in view (highlighted edge first, then by energy) in the highest
        row of the top :data:`LABEL_ROOM` of the plot where it overlaps no label written before;
        hide a label that finds no room (its line stays). Again after every zoom or resize, once the
        lines are redrawn (:attr:`restagger`: label rectangles measured before are stale)."""
        view = self.getPlotItem().vb.sceneBoundingRect()
        low, high = self.getPlotItem().vb.viewRange()[0]
        labels = [
            _label(marker)
            for marker in self.markers
            if _label(marker) and low <= marker.value() <= high
        ]
        for label in labels:
            label.setVisible(True)
        if not labels or view.height() <= 0:
            return
        length = max(label.sceneBoundingRect().height() for label in labels) + LABEL_MARGIN_PX
        rows = max(int(view.height() * LABEL_ROOM // length), 1)
        placed: list = []
        for label in labels:
            label.setVisible(self._place(label, placed, view, length, rows))

    @staticmethod
    def _place(label, placed: list, view, length: float, rows: int) -> bool:
        """Put ``label`` in the first of ``rows`` rows (each ``length`` px high, from the top of
        ``view``) where it overlaps none of the scene rectangles ``placed``; add its rectangle."""
        for row in range(rows):
            centre = view.top() + LABEL_MARGIN_PX + row * length + length / 2
            label.setPosition((view.bottom() - centre) / view.height())
            rect = label.sceneBoundingRect()
            grown = rect.adjusted(-LABEL_MARGIN_PX, 0, LABEL_MARGIN_PX, 0)
            if not any(grown.intersects(other) for other in placed):
                placed.append(rect)
                return True
        return False

    def set_log(self, enabled: bool) -> None:
        """Logarithmic counts axis (in counts: an SI prefix would scale decades to 1e-9 Gcounts);
        linear, in counts with an SI prefix (kcounts, Mcounts); the whole spectrum shown again
        when the scale changes (a range in one scale means nothing in the other)."""
        axis = self.getAxis("left")
        axis.setSIPrefixEnableRanges(() if enabled else None)
        axis.updateAutoSIPrefix()
        changed = bool(enabled) != self.getPlotItem().ctrl.logYCheck.isChecked()
        self.setLogMode(x=False, y=bool(enabled))
        self._floor_counts()
        if changed:
            self.show_all()

    def _floor_counts(self) -> None:
        """Keep a linear counts axis at or above 0 when no count is negative: autoscale pads the
        range, which put −140 counts under a 2,330-count EDS spectrum. Counts that do go negative
        (a difference, a dark-subtracted spectrum) and the log axis have no floor."""
        counts = self.curve.getOriginalDataset()[1]
        counts = np.asarray([] if counts is None else counts, float)
        counts = counts[np.isfinite(counts)]
        logarithmic = self.getPlotItem().ctrl.logYCheck.isChecked()
        floor = counts.size and counts.min() >= 0 and not logarithmic
        self.getPlotItem().vb.setLimits(yMin=0.0 if floor else NO_FLOOR)

    def show_all(self) -> None:
        """Fit the view to the whole spectrum, its highest count (the ZLP) included.

        From the recorded counts: pyqtgraph fits the curve as drawn, whose points it clips at a
        million times the view's height, so from a view of 0-1 counts a ZLP of 4e8 counts was
        cut at 1e6.
        """
        if self.curve.getOriginalDataset()[0] is None:
            return
        x, y = (np.asarray(v, float) for v in self.curve.getOriginalDataset())
        if self.getPlotItem().ctrl.logYCheck.isChecked():
            with np.errstate(divide="ignore", invalid="ignore"):
                y = np.log10(y)
        x, y = x[np.isfinite(y)], y[np.isfinite(y)]
        if x.size:
            self.getPlotItem().vb.setRange(xRange=(x.min(), x.max()), yRange=(y.min(), y.max()))

    def marker_labels(self) -> list[str]:
        """Text of every edge label the user sees: its line in view and the label written (a
        label :meth:`stagger_labels` found no room for is hidden, its line kept), by energy."""
        low, high = self.getPlotItem().vb.viewRange()[0]
        return [
            marker.label.toPlainText()
            for marker in sorted(self.markers, key=lambda marker: marker.value())
            if low <= marker.value() <= high and _label(marker) and marker.label.isVisible()
        ]

    def hidden_labels(self) -> list[str]:
        """Text of the edge labels in view that found no room (their lines are drawn), by
        energy."""
        low, high = self.getPlotItem().vb.viewRange()[0]
        return [
            marker.label.toPlainText()
            for marker in sorted(self.markers, key=lambda marker: marker.value())
            if low <= marker.value() <= high and _label(marker) and not marker.label.isVisible()
        ]


def _label(marker: pg.InfiniteLine):
    """The text label of ``marker`` (None for a line drawn without one)."""
    return getattr(marker, "label", None)


def first_reading(energy: np.ndarray, counts: np.ndarray) -> float:
    """Where the energy cursor starts on a spectrum, eV: clear of the zero-loss peak.

    On a low-loss spectrum (its highest channel within :data:`ZLP_WITHIN_EV` of 0 eV) the first
    plasmon: the highest count, averaged over 1 eV, beyond the first minimum after the ZLP has
    fallen to a tenth of its height (the end of the spectrum when it ends before); otherwise the
    first channel.

    Parameters
    ----------
    energy : ndarray
        Channel energies, eV, increasing.
    counts : ndarray
        Counts per channel (NaN ignored).

    Returns
    -------
    float
        Energy, eV.
    """
    energy, counts = np.asarray(energy, float), np.asarray(counts, float)
    finite = np.isfinite(counts)
    if energy.size < 3 or not finite.any():
        return float(energy[0]) if energy.size else 0.0
    apex = int(np.argmax(np.where(finite, counts, -np.inf)))
    if abs(energy[apex]) > ZLP_WITHIN_EV:
        return float(energy[0])
    fallen = np.flatnonzero(counts[apex:] < 0.1 * counts[apex])
    step = abs(float(np.median(np.diff(energy)))) or 1.0
    width = max(int(round(1.0 / step)), 1)
    if not fallen.size or energy.size - apex - fallen[0] <= width + 1:
        return float(energy[-1])
    start = apex + int(fallen[0])
    tail = np.where(finite[start:], counts[start:], 0.0)
    mean = np.convolve(tail, np.ones(width) / width, mode="valid")
    rising = np.flatnonzero(np.diff(mean) > 0)
    valley = int(rising[0]) if rising.size else mean.size - 1
    return float(energy[start + valley + int(np.argmax(mean[valley:])) + width // 2])
