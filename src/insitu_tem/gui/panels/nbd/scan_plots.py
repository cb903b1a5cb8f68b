"""Plots of an NBD scan against position: lattice strain, the profile-vs-position map,
NMF phase fractions with the PCA scree, each with the current probe marked."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from insitu_tem.figures.nbd_map_values import fraction_legend
from insitu_tem.gui.widgets.legend_placement import LEGEND_ROW_PX, fit_legend_rows, legend_above
from insitu_tem.gui.widgets.plot_factory import plot_widget
from insitu_tem.gui.widgets.plot_hint import PlotHint
from insitu_tem.gui.widgets.plot_stack import tidy_stack

COLOURS = ("#ff6f6f", "#6fb7ff", "#7fd67f", "#ffa040", "#d08fff", "#e0e0e0")
NO_STRAIN = "Strain is measured at fewer than two positions: the status line says why"


class NbdScanPlots(QWidget):
    """Strain, map and phase-fraction plots sharing the position axis; the PCA scree
    (:attr:`scree_plot`) is shown by the panel in a tab of its own.

    Signals
    -------
    index_picked(int) : the user clicked a position on the strain or fraction plot
    """

    index_picked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.strain_plot = plot_widget()
        self.strain_plot.setLabel("left", "strain %")
        self.strain_plot.setToolTip(
            "lattice strain d/d_ref − 1 against the reference pattern, % (error bars ±1σ)"
        )
        self.strain_bars = pg.ErrorBarItem(pen=pg.mkPen("#ff6f6f"), beam=0.0)
        self.strain_curve = pg.PlotDataItem(
            pen=pg.mkPen("#ff6f6f", width=1.5),
            symbol="o",
            symbolSize=5,
            symbolBrush="#ff6f6f",
            symbolPen=None,
        )
        self.reference_marker = pg.ScatterPlotItem(
            size=12, symbol="star", brush=pg.mkBrush("#ffd040"), pen=None
        )
        self.strain_plot.addItem(self.strain_bars)
        self.strain_plot.addItem(self.strain_curve)
        self.strain_plot.addItem(self.reference_marker)
        self.map_plot = plot_widget()
        self.map_plot.setLabel("left", "q (1/Å)")
        self.map_plot.setToolTip(
            "radial profile against q = 1/d, 1/Å (against the radius, px, until calibrated)"
        )
        self.map_image = pg.ImageItem(axisOrder="row-major")
        self.map_plot.addItem(self.map_image)
        self.fraction_plot = plot_widget()
        self.fraction_plot.setLabel("left", "fraction")
        self.fraction_plot.setToolTip(
            "NMF phase fraction of each component (names and colours above the plot): the first\n"
            "and last patterns are fixed end members; an intermediate component's profile\n"
            "is found by the NMF in the data"
        )
        self.fraction_plot.setLabel("bottom", "Position")
        legend_above(self.fraction_plot.getPlotItem())
        self.fraction_curves: list[pg.PlotDataItem] = []
        self.fraction_bars: list[pg.ErrorBarItem] = []
        self.scree_plot = plot_widget()
        self.scree_plot.setLabel("left", "explained variance fraction")
        self.scree_plot.setToolTip("fraction of the variance each PCA component explains")
        self.scree_plot.setLabel("bottom", "Component")
        self.scree_plot.setLogMode(y=True)
        self.scree_curve = pg.PlotDataItem(
            pen=pg.mkPen("#e0e0e0"), symbol="o", symbolSize=6, symbolBrush="#e0e0e0"
        )
        self.scree_plot.addItem(self.scree_curve)
        self.markers = []
        for plot in (self.strain_plot, self.map_plot, self.fraction_plot):
            marker = pg.InfiniteLine(
                angle=90,
                movable=False,
                pen=pg.mkPen("#e0e0e0", style=pg.QtCore.Qt.PenStyle.DashLine),
            )
            plot.addItem(marker)
            self.markers.append(marker)
            if plot is not self.strain_plot:
                plot.setXLink(self.strain_plot)
            plot.scene().sigMouseClicked.connect(lambda event, p=plot: self._clicked(p, event))
        tidy_stack([self.strain_plot, self.map_plot, self.fraction_plot])
        self.fraction_plot.setMinimumHeight(self.fraction_plot.minimumHeight() + LEGEND_ROW_PX)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.strain_plot, 2)
        layout.addWidget(self.map_plot, 3)
        layout.addWidget(self.fraction_plot, 3)
        self.hint_texts = [
            f"A scan of patterns plots the {what} here"
            for what in ("strain", "radial profiles", "phase fractions")
        ]
        self.hints = [
            PlotHint(plot.getPlotItem(), text)
            for plot, text in zip(
                (self.strain_plot, self.map_plot, self.fraction_plot), self.hint_texts
            )
        ]
        self._positions = np.zeros(0)
        self._position_label = "Position"
        self._show_hints(True)

    def _show_hints(self, empty: bool) -> None:
        """Hints instead of axes and markers while there is no scan (nothing, or one pattern)."""
        for hint, marker, text in zip(self.hints, self.markers, self.hint_texts):
            hint.set_empty(empty, text=text)
            marker.setVisible(not empty)

    def set_positions(self, positions, units: str, *, label: str = "") -> None:
        """Scan coordinate of every pattern (1-D) and its units; ``label`` names the x axis
        instead (a 2-D scan's patterns in order)."""
        self._positions = np.asarray(positions, dtype=float)
        self._position_label = label or (
            "Position" if units in ("px", "") else f"Position ({units})"
        )
        self.fraction_plot.setLabel("bottom", self._position_label)
        self._show_hints(len(self._positions) < 2)

    def clear(self) -> None:
        """Remove every result (none is current)."""
        self.strain_curve.setData([], [])
        self.strain_bars.setData(x=np.zeros(0), y=np.zeros(0), height=np.zeros(0))
        self.reference_marker.setData([], [])
        self.map_image.clear()
        self._remove_fraction_items()
        self.scree_curve.setData([], [])

    def show_strain(self, strain, reference_index: int, sigma=None) -> None:
        """Strain per position (NaN gaps) with ±1σ bars (``sigma``, None: none) and the
        reference starred."""
        values = 100.0 * np.asarray(strain, dtype=float)
        self.strain_curve.setData(self._positions, values, connect="finite")
        shown = np.isfinite(values)
        if sigma is not None:
            shown &= np.isfinite(np.asarray(sigma, dtype=float))
        self.strain_bars.setData(
            x=np.asarray(self._positions, float)[shown],
            y=values[shown],
            height=np.zeros(0) if sigma is None else 200.0 * np.asarray(sigma, float)[shown],
        )
        self.reference_marker.setData([self._positions[reference_index]], [0.0])
        alone = bool(np.isfinite(values).sum() < 2)
        self.hints[0].set_note(NO_STRAIN if alone else None)
        self.strain_plot.getAxis("left").setStyle(showValues=not alone)
        self.strain_plot.getAxis("left").showLabel(not alone)
        for item in (self.strain_curve, self.strain_bars, self.reference_marker):
            item.setVisible(not alone)
        self.strain_plot.autoRange()

    def show_map(self, profiles, q_per_A, r_px) -> None:
        """Log profile-vs-position image: position along x, q (1/Å) along y, or the radius r (px)
        when ``q_per_A`` is None (an uncalibrated scan)."""
        self.map_plot.setLabel("left", "r (px)" if q_per_A is None else "q (1/Å)")
        data = np.log1p(np.clip(np.nan_to_num(np.asarray(profiles, dtype=float)), 0, None)).T
        self.map_image.setImage(data, autoLevels=True)
        x0 = self._positions[0] if len(self._positions) else 0.0
        step = float(np.diff(self._positions[:2])[0]) if len(self._positions) > 1 else 1.0
        q = np.asarray(r_px if q_per_A is None else q_per_A, dtype=float)
        q_step = float(q[1] - q[0]) if len(q) > 1 else 1.0
        self.map_image.setRect(
            pg.QtCore.QRectF(
                x0 - step / 2, q[0] - q_step / 2, step * data.shape[1], q_step * data.shape[0]
            )
        )
        self.map_plot.autoRange()

    def _remove_fraction_items(self) -> None:
        for item in self.fraction_curves + self.fraction_bars:
            self.fraction_plot.removeItem(item)
        self.fraction_curves, self.fraction_bars = [], []

    def show_fractions(self, fractions, names, explained_variance, sigma=None) -> None:
        """NMF fractions per position, one curve per component with ±1σ bars (``sigma``, (n, k);
        None: none), and the PCA scree."""
        self._remove_fraction_items()
        for i, name in enumerate(names):
            colour = COLOURS[i % len(COLOURS)]
            if sigma is not None:
                bars = pg.ErrorBarItem(
                    x=np.asarray(self._positions, float),
                    y=np.asarray(fractions, float)[:, i],
                    height=2.0 * np.nan_to_num(np.asarray(sigma, float)[:, i]),
                    pen=pg.mkPen(colour),
                    beam=0.0,
                )
                self.fraction_plot.addItem(bars)
                self.fraction_bars.append(bars)
            curve = pg.PlotDataItem(
                self._positions,
                np.asarray(fractions)[:, i],
                name=fraction_legend(name),
                pen=pg.mkPen(colour, width=1.5),
                symbol="s",
                symbolSize=4,
                symbolBrush=colour,
                symbolPen=None,
            )
            self.fraction_plot.addItem(curve)
            self.fraction_curves.append(curve)
        ratio = np.asarray(explained_variance, dtype=float)[:10]
        self.scree_curve.setData(np.arange(1, len(ratio) + 1), np.clip(ratio, 1e-12, None))
        fit_legend_rows(self.fraction_plot.getPlotItem())
        self.fraction_plot.autoRange()
        self.scree_plot.autoRange()

    def set_current(self, index: int) -> None:
        """Move the position markers to pattern ``index``."""
        if 0 <= index < len(self._positions):
            for marker in self.markers:
                marker.setValue(self._positions[index])

    def _clicked(self, plot: pg.PlotWidget, event) -> None:
        if len(self._positions) == 0 or not plot.sceneBoundingRect().contains(event.scenePos()):
            return
        x = plot.getPlotItem().vb.mapSceneToView(event.scenePos()).x()
        self.index_picked.emit(int(np.argmin(np.abs(self._positions - x))))
