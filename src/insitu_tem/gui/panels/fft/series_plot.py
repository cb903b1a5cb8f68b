"""Lattice spacing against time for the FFT panel, with CSV export."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from insitu_tem.analysis.hrtem.lattice_series import LatticeSeries
from insitu_tem.gui.guarded_save import save_guarded
from insitu_tem.gui.widgets.legend_placement import LegendPlacement
from insitu_tem.gui.widgets.plot_factory import plot_widget
from insitu_tem.gui.widgets.plot_hint import PlotHint

COLOURS = ("y", "c", "m", "g", "w")


class FftSeriesPlot(QWidget):
    """d(t) of the tracked spots (Å) with ±1σ error bars and a button to save the table (with the
    1σ) as CSV."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.series: LatticeSeries | None = None
        self.plot = plot_widget()
        self.plot.setLabel("bottom", "time", units="s")
        self.plot.setLabel("left", "d (Å)")
        self.plot.addLegend(offset=(5, 5))
        self.legend_placement = LegendPlacement(self.plot.getPlotItem())
        self.cursor = pg.InfiniteLine(
            angle=90, pen=pg.mkPen((200, 200, 200), style=pg.QtCore.Qt.PenStyle.DashLine)
        )
        self.plot.addItem(self.cursor)
        self.cursor.setVisible(False)
        self.hint = PlotHint(
            self.plot.getPlotItem(), "Track d(t) plots the picked spots' spacing against time"
        )
        self.curves: list[pg.PlotDataItem] = []
        self.bars: list[pg.ErrorBarItem] = []
        self.save_button = QPushButton("Save d(t) CSV…")
        self.save_button.setToolTip("Save d (Å) of every tracked spot against time (s) as CSV")
        self.save_button.setEnabled(False)
        self.status = QLabel("Pick one or two spots, then Track d(t).")
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot, 1)
        layout.addLayout(row)
        self.save_button.clicked.connect(self.save_dialog)

    def show_result(self, value: dict) -> LatticeSeries:
        """Draw the session's "lattice" result ``value`` and return it as a series."""
        series = LatticeSeries(
            **{
                key: np.asarray(value[key], float)
                for key in ("times_s", "d_nm", "sigma_d_nm", "angle_deg", "snr", "roi_rc")
            }
        )
        self.set_series(series)
        return series

    def set_series(self, series: LatticeSeries) -> None:
        self.series = series
        for item in self.curves + self.bars:
            self.plot.removeItem(item)
        self.curves, self.bars = [], []
        for j in range(series.n_spots):
            d_A, sigma_A = 10 * series.d_nm[:, j], 10 * series.sigma_d_nm[:, j]
            shown = np.isfinite(d_A) & np.isfinite(sigma_A)
            bars = pg.ErrorBarItem(
                x=series.times_s[shown],
                y=d_A[shown],
                height=2 * sigma_A[shown],
                beam=0,
                pen=COLOURS[j % len(COLOURS)],
            )
            self.plot.addItem(bars)
            self.bars.append(bars)
            curve = self.plot.plot(
                series.times_s,
                10 * series.d_nm[:, j],
                pen=COLOURS[j % len(COLOURS)],
                symbol="o",
                symbolSize=5,
                name=f"spot {j + 1}",
                connect="finite",
            )
            self.curves.append(curve)
        self.hint.set_empty(False)
        self.cursor.setVisible(True)
        found = np.isfinite(series.d_nm).sum()
        self.status.setText(
            f"{series.n_spots} spot(s) over {len(series.times_s)} frames, {found} measurements "
            "(±1σ bars; none where the spot was not found)"
        )
        self.save_button.setEnabled(True)

    def set_time(self, time_s: float) -> None:
        self.cursor.setValue(time_s)

    def save_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save lattice spacing vs time", "lattice_vs_time.csv", "CSV (*.csv)"
        )
        if path and self.series is not None:
            save_guarded(path, self.series.to_csv)
            self.status.setText(f"saved {path}")
