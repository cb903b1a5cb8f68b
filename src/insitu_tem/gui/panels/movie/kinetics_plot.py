"""Kinetics plots of the movie panel: front position vs time (automatic, manual, fit),
velocity vs time, film strain vs time, and a text readout of the fit."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from insitu_tem.analysis.movie.kinetics import KineticsFit, power_law
from insitu_tem.figures.kinetics import kinetics_text, manual_text
from insitu_tem.gui.widgets.legend_placement import legend_above
from insitu_tem.gui.widgets.plot_factory import plot_widget
from insitu_tem.gui.widgets.plot_hint import PlotHint


def fit_text(fit: KineticsFit, *, units: str, time_units: str) -> str:
    """One-line readout: x0, k, n, t0 ± 1σ with units (the exported figure's text)."""
    values = {"ok": fit.ok, "reason": fit.reason, **fit.as_dict()}
    return kinetics_text(values, units=units, time_units=time_units)


class KineticsPlot(QWidget):
    """Tabs: position, velocity, strain; a readout line underneath."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tabs = QTabWidget()
        self.position_plot = plot_widget()
        self.velocity_plot = plot_widget()
        self.strain_plot = plot_widget()
        self.area_plot = plot_widget()
        self.drift_plot = plot_widget()
        for plot, name in (
            (self.position_plot, "Position"),
            (self.velocity_plot, "Velocity"),
            (self.strain_plot, "Strain"),
            (self.area_plot, "Area"),
            (self.drift_plot, "Drift"),
        ):
            legend_above(plot.getPlotItem())
            plot.showGrid(x=True, y=True, alpha=0.3)
            plot.setLabel("bottom", "time")
            self.tabs.addTab(plot, name)
        self.auto_points = self.position_plot.plot(
            pen=None, symbol="o", symbolSize=5, symbolBrush="#00a5c0", name="automatic"
        )
        self.auto_bars = pg.ErrorBarItem(pen=pg.mkPen("#00a5c0"), beam=0.0)
        self.position_plot.addItem(self.auto_bars)
        self.manual_points = self.position_plot.plot(
            pen=None, symbol="x", symbolSize=9, symbolPen="#ff5050", name="manual"
        )
        self.fit_curve = self.position_plot.plot(pen=pg.mkPen("#ffcc00", width=2), name="fit")
        self.manual_fit_curve = self.position_plot.plot(
            pen=pg.mkPen("#ff5050", width=1.5, style=pg.QtCore.Qt.PenStyle.DashLine),
            name="manual fit",
        )
        self.velocity_fit = self.velocity_plot.plot(pen=pg.mkPen("#ffcc00", width=2), name="fit")
        self.velocity_band_edges = (pg.PlotDataItem(), pg.PlotDataItem())
        self.velocity_band = pg.FillBetweenItem(
            *self.velocity_band_edges, brush=pg.mkBrush(255, 204, 0, 60)
        )
        self.velocity_plot.addItem(self.velocity_band)
        self.velocity_measured = self.velocity_plot.plot(
            pen=None, symbol="o", symbolSize=4, symbolBrush="#00a5c0", name="from positions"
        )
        self.velocity_bars = pg.ErrorBarItem(pen=pg.mkPen("#00a5c0"), beam=0.0)
        self.velocity_plot.addItem(self.velocity_bars)
        self.strain_curve = self.strain_plot.plot(
            pen=pg.mkPen("#80ff80", width=2), symbol="o", symbolSize=4, name="strain"
        )
        self.strain_bars = pg.ErrorBarItem(pen=pg.mkPen("#80ff80"), beam=0.0)
        self.strain_plot.addItem(self.strain_bars)
        self.drift_plot.setLabel("left", "drift", units="px")
        self.drift_curves = [
            self.drift_plot.plot(pen=pg.mkPen(colour, width=2), name=name)
            for colour, name in (("#00a5c0", "row"), ("#ff8040", "column"))
        ]
        self.drift_bars = [
            pg.ErrorBarItem(pen=pg.mkPen(colour), beam=0.0) for colour in ("#00a5c0", "#ff8040")
        ]
        for bars in self.drift_bars:
            self.drift_plot.addItem(bars)
        self.area_curve = self.area_plot.plot(
            pen=pg.mkPen("#ffa040", width=2), symbol="o", symbolSize=4, name="reacted area"
        )
        self.hints = {
            plot: PlotHint(plot.getPlotItem(), text)
            for plot, text in (
                (self.position_plot, "Track the front to plot its position against time"),
                (self.velocity_plot, "Track the front to plot its velocity"),
                (self.strain_plot, "Film thickness gives the strain against time"),
                (self.area_plot, "Reacted area gives the area against time"),
            )
        }
        self.readout = QLabel("Track the front to fit its kinetics.")
        self.readout.setWordWrap(True)
        self.readout.setTextInteractionFlags(
            self.readout.textInteractionFlags()
            | pg.QtCore.Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.velocity_label = QLabel("")
        self.velocity_label.setWordWrap(True)
        self.manual_readout = QLabel("")
        self.manual_readout.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.readout)
        layout.addWidget(self.velocity_label)
        layout.addWidget(self.manual_readout)

    def set_units(self, units: str, time_units: str) -> None:
        """Axis labels in ``units`` and ``time_units``; an empty plot keeps its hint, not axes
        (``setLabel`` shows an axis)."""
        self.position_plot.setLabel("left", "front position", units=units)
        self.velocity_plot.setLabel("left", "velocity", units=f"{units}/{time_units}")
        self.strain_plot.setLabel("left", "strain", units="%")
        for plot in (self.position_plot, self.velocity_plot, self.strain_plot):
            plot.setLabel("bottom", "time", units=time_units)
        for hint in self.hints.values():
            hint.set_empty(hint.empty)

    def clear(self) -> None:
        """No track, marks, fit, strain or area: what a movie without analyses shows."""
        for item in (
            self.auto_points,
            self.manual_points,
            self.fit_curve,
            self.manual_fit_curve,
            self.velocity_fit,
            self.velocity_measured,
            *self.velocity_band_edges,
            self.strain_curve,
            self.area_curve,
        ):
            item.setData([], [])
        for bars in (self.auto_bars, self.velocity_bars, self.strain_bars):
            bars.setData(x=np.zeros(0), y=np.zeros(0), height=np.zeros(0))
        for hint in self.hints.values():
            hint.set_empty(True)
        self.readout.setText("Track the front to fit its kinetics.")
        for label in (self.velocity_label, self.manual_readout):
            label.setText("")

    def set_automatic(
        self,
        times,
        positions,
        fit: KineticsFit,
        velocity,
        velocity_measured,
        *,
        units: str,
        time_units: str,
        sigma=None,
        velocity_sigma=None,
        velocity_band=None,
    ) -> None:
        """Show an automatic track (with ±1σ bars from ``sigma``, None: none), its fit and
        velocities (the measured ones with ±1σ bars from ``velocity_sigma``; the fitted one's
        ±1σ shaded from ``velocity_band`` = (times, low, high), None: none)."""
        self.set_units(units, time_units)
        times, positions = np.asarray(times, dtype=float), np.asarray(positions, dtype=float)
        self.auto_points.setData(times, positions, connect="finite")
        _set_bars(self.auto_bars, times, positions, sigma)
        if fit.ok:
            fine = np.linspace(times.min(), times.max(), 400)
            self.fit_curve.setData(fine, fit.position(fine))
            self.velocity_fit.setData(fine[fine > fit.t0], fit.velocity(fine[fine > fit.t0]))
        else:
            self.fit_curve.setData([], [])
            self.velocity_fit.setData([], [])
        velocity_measured = np.asarray(velocity_measured, dtype=float)
        self.velocity_measured.setData(times, velocity_measured, connect="finite")
        _set_bars(self.velocity_bars, times, velocity_measured, velocity_sigma)
        band_x, *edges = velocity_band if velocity_band is not None else ([], [], [])
        for item, values in zip(self.velocity_band_edges, edges):
            item.setData(band_x, values)
        self.readout.setText(fit_text(fit, units=units, time_units=time_units))
        for plot in (self.position_plot, self.velocity_plot):
            self.hints[plot].set_empty(False)

    def set_manual(self, times, positions) -> None:
        self.manual_points.setData(
            np.asarray(times, dtype=float), np.asarray(positions, dtype=float)
        )
        if len(np.atleast_1d(times)):
            self.hints[self.position_plot].set_empty(False)

    def set_drift(self, times, shifts_px, *, time_units: str, sigma_px=None) -> None:
        """Drift of every frame from the first, (row, col) px, against time, with ±1σ bars when
        ``sigma_px`` (t, 2) is given (``shifts_px`` None clears it)."""
        empty = np.zeros(0)
        for bars in self.drift_bars:
            bars.setData(x=empty, y=empty, height=empty)
        if shifts_px is None:
            for curve in self.drift_curves:
                curve.setData([], [])
            return
        shifts, times = np.asarray(shifts_px, float), np.asarray(times, float)
        for curve, column in zip(self.drift_curves, shifts.T):
            curve.setData(times, column)
        if sigma_px is not None:
            for bars, column, sigma in zip(self.drift_bars, shifts.T, np.asarray(sigma_px).T):
                bars.setData(x=times, y=column, height=2 * sigma)
        self.drift_plot.setLabel("bottom", "time", units=time_units)

    def set_current_velocity(self, text: str) -> None:
        self.velocity_label.setText(text)

    def set_area(self, times, area, units: str) -> None:
        """Reacted area vs time (2-D mode), in ``units`` (empty: no area measured)."""
        times = np.asarray(times, dtype=float)
        self.area_plot.setLabel("left", "reacted area", units=units)
        self.area_curve.setData(times, np.asarray(area, dtype=float))
        self.hints[self.area_plot].set_empty(not times.size)
        if times.size:
            self.tabs.setCurrentWidget(self.area_plot)

    def set_manual_fit(self, value: dict | None) -> None:
        """The fit of the manual marks (a "front.manual" result value; None: no fit) as a dashed
        curve on x(t) and a readout line."""
        self.manual_readout.setText("" if value is None else manual_text(value))
        fit = None if value is None else value["fit"]
        if fit is None or not fit["ok"]:
            self.manual_fit_curve.setData([], [])
            return
        times = np.asarray(value["times"], dtype=float)
        fine = np.linspace(times.min(), times.max(), 400)
        self.manual_fit_curve.setData(
            fine, power_law(fine, fit["x0"], fit["k"], fit["n"], fit["t0"])
        )

    def set_strain(self, times, strain, sigma=None) -> None:
        """Strain (fraction) vs time, shown in % with ±1σ bars where ``sigma`` (fraction) is
        finite (empty: no thickness measured)."""
        times = np.asarray(times, dtype=float)
        percent = 100 * np.asarray(strain, dtype=float)
        self.strain_curve.setData(times, percent, connect="finite")
        _set_bars(
            self.strain_bars,
            times,
            percent,
            None if sigma is None else 100 * np.asarray(sigma, float),
        )
        self.hints[self.strain_plot].set_empty(not times.size)
        if times.size:
            self.tabs.setCurrentWidget(self.strain_plot)


def _set_bars(bars: pg.ErrorBarItem, x: np.ndarray, y: np.ndarray, sigma) -> None:
    """±1σ bars at the points where ``y`` and ``sigma`` are finite (none when ``sigma`` is None)."""
    sigma = np.full(len(x), np.nan) if sigma is None else np.asarray(sigma, dtype=float)
    shown = np.isfinite(y) & np.isfinite(sigma)
    bars.setData(x=x[shown], y=y[shown], height=2.0 * sigma[shown])
