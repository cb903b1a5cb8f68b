"""Profiles of the EELS panel along a line scan (chemical shift with error bars,
window intensity) or maps of a spectrum image, with the current probe marked; over a map the
cursor reads the pixel's window counts and shift, each ± 1σ."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from insitu_tem.figures.probe_numbers import scan_place
from insitu_tem.core.uncertainty_text import value_with_sigma
from insitu_tem.gui.widgets.plot_factory import plot_widget
from insitu_tem.gui.widgets.plot_hint import PlotHint
from insitu_tem.gui.widgets.plot_stack import tidy_stack
from insitu_tem.gui.widgets.not_measured import NotMeasuredLayer, missing_text, show_map


STACK_FROM_HEIGHT_PX = 510
"""From this height the profiles are stacked (one x axis above the other, each with its title, axis
label and ticks readable); below it, tabs."""

EELS_HINTS = tuple(
    f"A line scan or spectrum image plots the {what} here" for what in ("edge shift", "edge counts")
)
XRAY_HINTS = (
    "X-ray lines have no chemical shift here; name them with insitu-tem eds FILE",
    "X-ray line maps and composition: insitu-tem eds FILE, or the Tomography tab",
)


class EelsProfiles(QWidget):
    """Shift profile (±1σ error bars), window-intensity and MLLS-fraction profiles, or two maps.

    Signals
    -------
    index_picked(int) : the user clicked a probe position (flattened index)
    cursor_text(str) : over a map, the pixel under the cursor with its values ± 1σ
    """

    index_picked = Signal(int)
    cursor_text = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shift_plot = plot_widget()
        self.window_plot = plot_widget()
        self.shift_plot.setToolTip(
            "chemical shift of the edge onset against the reference, eV ± 1σ"
        )
        self.window_plot.setToolTip("background-subtracted counts in the edge window")
        self._label_values()
        self.fraction_plot = plot_widget()
        self.fraction_plot.setLabel("left", "fraction")
        self.fraction_plot.setToolTip("MLLS fraction of the first end member (0 to 1) ± 1σ")
        self.window_plot.setXLink(self.shift_plot)
        self.fraction_plot.setXLink(self.shift_plot)
        self.fraction_curve = pg.PlotDataItem(
            pen=pg.mkPen("#7fd67f", width=1.5),
            symbol="s",
            symbolSize=5,
            symbolBrush="#7fd67f",
            symbolPen=None,
            connect="finite",
        )
        self.fraction_bars = pg.ErrorBarItem(pen=pg.mkPen("#7fd67f"), beam=0.0)
        self.fraction_plot.addItem(self.fraction_bars)
        self.fraction_plot.addItem(self.fraction_curve)
        self.shift_points = pg.ScatterPlotItem(size=6, brush=pg.mkBrush("#ff6f6f"), pen=None)
        self.shift_bars = pg.ErrorBarItem(pen=pg.mkPen("#ff6f6f"), beam=0.0)
        self.window_bars = pg.ErrorBarItem(pen=pg.mkPen("#ffa040"), beam=0.0)
        self.window_curve = pg.PlotDataItem(
            pen=pg.mkPen("#ffa040", width=1.5),
            symbol="o",
            symbolSize=5,
            symbolBrush="#ffa040",
            symbolPen=None,
            connect="finite",
        )
        self.shift_map = pg.ImageItem(axisOrder="row-major")
        self.window_map = pg.ImageItem(axisOrder="row-major")
        self.shift_missing, self.window_missing = NotMeasuredLayer(), NotMeasuredLayer()
        self.markers = [
            pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#e0e0e0")) for _ in range(2)
        ]
        for plot, items in (
            (self.shift_plot, (self.shift_bars, self.shift_points, self.shift_map)),
            (self.window_plot, (self.window_bars, self.window_curve, self.window_map)),
            (self.shift_plot, (self.shift_missing,)),
            (self.window_plot, (self.window_missing,)),
        ):
            for item in items:
                plot.addItem(item)
        for plot, marker in zip((self.shift_plot, self.window_plot), self.markers):
            plot.addItem(marker)
            plot.scene().sigMouseClicked.connect(lambda event, p=plot: self._clicked(p, event))
            plot.scene().sigMouseMoved.connect(lambda pos, p=plot: self._hovered(p, pos))
        tidy_stack([self.shift_plot, self.window_plot, self.fraction_plot], shared_x=False)
        self.hints = [
            PlotHint(plot.getPlotItem(), text)
            for plot, text in zip((self.shift_plot, self.window_plot), EELS_HINTS)
        ]
        self._show_hints(True)
        self.tabs = QTabWidget()
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(2)
        self.column.addWidget(self.tabs)
        self.stacked: bool | None = None
        self._fraction_shown = True
        self.arrange(stacked=True)
        self._positions = np.zeros(0)
        self._map_shape: tuple[int, ...] = ()
        self._map_values: dict = {}

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        """Stacked plots where they fit, tabs in a short dock."""
        super().resizeEvent(event)
        stacked = event.size().height() >= STACK_FROM_HEIGHT_PX
        if stacked != self.stacked:
            self.arrange(stacked=stacked)

    def arrange(self, *, stacked: bool) -> None:
        """Show the three plots one above the other, or as tabs (Shift, Window, MLLS)."""
        self.stacked = stacked
        plots = (
            (self.shift_plot, "Shift"),
            (self.window_plot, "Window"),
            (self.fraction_plot, "MLLS"),
        )
        if stacked:
            self.tabs.clear()
            self.tabs.hide()
            for plot, _ in plots:
                self.column.addWidget(plot)
                plot.show()
        else:
            for plot, name in plots:
                self.tabs.addTab(plot, name)
            self.tabs.show()
        self._show_fraction(self._fraction_shown)

    def _show_fraction(self, shown: bool) -> None:
        self._fraction_shown = shown
        if self.stacked:
            self.fraction_plot.setVisible(shown)
        else:
            self.tabs.setTabVisible(2, shown)

    def clear(self) -> None:
        """Remove all data and the titles naming its edge."""
        self.shift_points.setData([], [])
        for bars in (self.shift_bars, self.window_bars, self.fraction_bars):
            bars.setData(x=np.zeros(0), y=np.zeros(0), height=np.zeros(0))
        self.window_curve.setData([], [])
        self.fraction_curve.setData([], [])
        for image in (self.shift_map, self.window_map, self.shift_missing, self.window_missing):
            image.clear()
        for plot in (self.shift_plot, self.window_plot, self.fraction_plot):
            plot.setTitle(None)
        self._show_hints(True)

    def set_xray(self, xray: bool) -> None:
        """Say on the empty plots what applies to EDS (X-ray) data when it is shown, else what
        the EELS plots will hold."""
        self.set_hints(XRAY_HINTS if xray else EELS_HINTS)

    def set_hints(self, texts: tuple[str, str]) -> None:
        """What the shift and the window plots say while they are empty."""
        for hint, text in zip(self.hints, texts):
            hint.set_empty(hint.empty, text=text)

    def _show_hints(self, empty: bool) -> None:
        """Hints instead of axes and points while there is no scan (nothing, or a single
        spectrum)."""
        for hint in self.hints:
            hint.set_empty(empty)
        for item in (self.shift_points, self.shift_bars, self.window_curve, self.window_bars):
            item.setVisible(not empty)
        for marker in self.markers:
            marker.setVisible(marker.isVisible() and not empty)

    def show_result(self, value: dict | None) -> None:
        """Show an EELS result value (the session's): maps for a 2-D scan, else profiles along
        the line over the whole scan; None or a result without an edge clears them."""
        if not value or not value.get("edge"):
            self.clear()
            self.set_fractions(None, None)
            return
        shift = np.asarray(value["chemical_shift_eV"], float)
        counts = np.asarray(value["map_counts"], float)
        if len(value["nav_shape"]) == 2:
            shape = tuple(value["nav_shape"])
            self.set_maps(
                shift.reshape(shape),
                counts.reshape(shape),
                value["edge"],
                window_sigma=_optional(value.get("map_counts_sigma")),
                shift_sigma=np.asarray(value["chemical_shift_stderr_eV"], float),
                reasons=(value.get("map_reason") or "", value.get("edge_reason") or ""),
            )
        else:
            self.set_line(
                np.asarray(value["position"], float).reshape(-1),
                value["units"],
                shift,
                np.asarray(value["chemical_shift_stderr_eV"], float),
                counts,
                value["edge"],
                window_sigma=_optional(value.get("map_counts_sigma")),
            )
        fraction, chi2 = value.get("mlls_fraction"), value.get("mlls_chi2")
        self.set_fractions(
            None if fraction is None else np.asarray(fraction, float),
            None if chi2 is None else np.asarray(chi2, float),
            sigma=_optional(value.get("mlls_fraction_sigma")),
            reason=value.get("mlls_reason") or "",
        )
        if len(self._positions) > 1:
            self.shift_plot.setXRange(float(self._positions.min()), float(self._positions.max()))

    def set_line(
        self,
        positions: np.ndarray,
        units: str,
        shift: np.ndarray,
        stderr: np.ndarray,
        window: np.ndarray,
        edge: str,
        *,
        window_sigma: np.ndarray | None = None,
    ) -> None:
        """Show profiles along a line scan: positions in ``units``, shift ± stderr in eV, window
        counts ± ``window_sigma`` (error bars of ±1σ when given); NaN (not measured) are gaps."""
        self.clear()
        self._positions, self._map_shape = np.asarray(positions, float), ()
        finite = np.isfinite(shift)
        self.shift_points.setData(self._positions[finite], shift[finite])
        self.shift_bars.setData(
            x=self._positions[finite], y=shift[finite], height=2 * np.nan_to_num(stderr[finite])
        )
        self.window_curve.setData(self._positions, window)
        if window_sigma is not None:
            shown = np.isfinite(window) & np.isfinite(window_sigma)
            self.window_bars.setData(
                x=self._positions[shown], y=window[shown], height=2 * window_sigma[shown]
            )
        for plot in (self.shift_plot, self.window_plot):
            plot.setLabel("bottom", "Position", units=units)
            plot.setAspectLocked(False)
        self._label_values()
        self._show_hints(len(self._positions) < 2)
        self.shift_plot.setTitle(f"{edge} chemical shift")
        self.window_plot.setTitle(f"{edge} window (background-subtracted)")
        self.shift_plot.autoRange()
        self.window_plot.autoRange()

    def _label_values(self) -> None:
        """Left axes of the profiles: the shift in eV, the window in SI-prefixed counts (tick
        values like 500000 do not fit beside the rotated label)."""
        self.shift_plot.setLabel("left", "shift", units="eV")
        self.window_plot.setLabel("left", "window", units="counts")

    def set_fractions(
        self,
        fraction: np.ndarray | None,
        chi2: np.ndarray | None,
        *,
        sigma: np.ndarray | None = None,
        reason: str = "",
    ) -> None:
        """Show the MLLS share of the first end member along the line (None hides it) with ±1σ
        error bars where ``sigma`` is given; probes without a fit or without a 1σ (NaN) are gaps,
        not zeros, and the title counts them with the analysis's ``reason``."""
        self._show_fraction(fraction is not None and not self._map_shape)
        if fraction is None or self._map_shape:
            return
        self.fraction_curve.setData(self._positions, fraction)
        shown = np.isfinite(fraction)
        if sigma is not None:
            shown &= np.isfinite(sigma)
        self.fraction_bars.setData(
            x=self._positions[shown] if sigma is not None else np.zeros(0),
            y=fraction[shown] if sigma is not None else np.zeros(0),
            height=2 * sigma[shown] if sigma is not None else np.zeros(0),
        )
        worst = float(np.nanmax(chi2)) / max(float(np.nanmedian(chi2)), 1e-12)
        missing = int(np.sum(~shown))
        why = reason or "no reference fits or no 1σ"
        probes = "probe" if missing == 1 else "probes"
        gaps = f"; not measured at {missing} {probes} ({why})" if missing else ""
        bars = "± 1σ" if sigma is not None else "1σ not estimated"
        self.fraction_plot.setTitle(f"MLLS fraction {bars} (χ² max/median {worst:.1f}×{gaps})")
        self.fraction_plot.autoRange()

    def set_maps(
        self,
        shift: np.ndarray,
        window: np.ndarray,
        edge: str,
        *,
        window_sigma: np.ndarray | None = None,
        shift_sigma: np.ndarray | None = None,
        reasons: tuple[str, str] = ("", ""),
    ) -> None:
        """Show maps of a spectrum image (scan_y, scan_x): shift in eV and window counts; their
        1σ (any shape of as many values) are read at the cursor. Probes not measured (NaN) are
        painted apart (:mod:`~insitu_tem.gui.widgets.not_measured`), counted in the titles and
        read at the cursor with ``reasons`` (the window map's, the shift's)."""
        self.clear()
        self._map_shape, self._positions = shift.shape, np.zeros(0)
        self._map_values = {
            "edge": edge,
            "window": (window, None if window_sigma is None else window_sigma.reshape(shift.shape)),
            "shift": (shift, None if shift_sigma is None else shift_sigma.reshape(shift.shape)),
            "reasons": reasons,
        }
        missing = (
            show_map(self.shift_map, self.shift_missing, shift),
            show_map(self.window_map, self.window_missing, window),
        )
        for plot in (self.shift_plot, self.window_plot):
            plot.setLabel("bottom", "scan x", units="px")
            plot.setLabel("left", "scan y", units="px")
            plot.setAspectLocked(True)
            plot.autoRange()
        self._show_hints(False)
        self.shift_plot.setTitle(f"{edge} chemical shift map{missing_text(missing[0], '')}")
        self.window_plot.setTitle(f"{edge} window map{missing_text(missing[1], '')}")

    def map_text(self, row: int, col: int) -> str:
        """The map pixel (row, col): window counts and shift, each ± 1σ where the result has it."""
        values = self._map_values
        window_reason, shift_reason = values.get("reasons", ("", ""))
        window = _quoted(*values["window"], row, col, window_reason, "counts")
        shift = _quoted(*values["shift"], row, col, shift_reason, "eV")
        return f"scan ({scan_place(row, col)}): {values['edge']} window {window}, shift {shift}"

    def set_current(self, index: int) -> None:
        """Mark probe ``index`` (flattened) on both profiles."""
        visible = 0 <= index < len(self._positions) and not self.hints[0].empty
        for marker in self.markers:
            marker.setVisible(visible)
            if visible:
                marker.setValue(float(self._positions[index]))

    def _hovered(self, plot: pg.PlotWidget, position) -> None:
        if not self._map_shape or not plot.isVisible():
            return
        point = plot.getPlotItem().vb.mapSceneToView(position)
        row, col = int(np.floor(point.y())), int(np.floor(point.x()))
        if 0 <= row < self._map_shape[0] and 0 <= col < self._map_shape[1]:
            self.cursor_text.emit(self.map_text(row, col))

    def _clicked(self, plot: pg.PlotWidget, event) -> None:
        point = plot.getPlotItem().vb.mapSceneToView(event.scenePos())
        if self._map_shape:
            row, col = int(np.floor(point.y())), int(np.floor(point.x()))
            if 0 <= row < self._map_shape[0] and 0 <= col < self._map_shape[1]:
                self.index_picked.emit(row * self._map_shape[1] + col)
        elif len(self._positions):
            self.index_picked.emit(int(np.argmin(np.abs(self._positions - point.x()))))


def _optional(values) -> np.ndarray | None:
    return None if values is None else np.asarray(values, float)


def _quoted(
    values: np.ndarray, sigmas: np.ndarray | None, row: int, col: int, reason: str, unit: str
) -> str:
    """``values[row, col]`` ± its 1σ in ``unit`` as a paper quotes it ("not measured
    (``reason``)" where NaN)."""
    value = float(values[row, col])
    if not np.isfinite(value):
        return f"not measured ({reason})" if reason else "not measured"
    sigma = None if sigmas is None else float(sigmas[row, col])
    quoted = (
        f"{value:.4g}"
        if sigma is None or not np.isfinite(sigma)
        else value_with_sigma(value, sigma)
    )
    return f"{quoted} {unit}"
