"""Across-the-front panel: line-scan results against distance from the front, one shared axis.

Clicking a plot picks the nearest probe, which moves the movie, NBD and EELS panels.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from insitu_tem.core.model import DataError
from insitu_tem.figures.holder_state import holder_state_at, scan_time_s
from insitu_tem.gui.widgets.plot_factory import add_plot
from insitu_tem.workflows import across_front, drift, front
from insitu_tem.workflows.across_front import AcrossFront
from insitu_tem.gui.controllers.eels_analysis import TASK_KEY as EELS_ANALYSIS
from insitu_tem.gui.controllers.nbd_analysis import SCAN_KEY as NBD_SCAN
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.errors import describe
from insitu_tem.gui.tasks import TaskRunner
from insitu_tem.gui.guarded_save import save_guarded
from insitu_tem.gui.panels.nbd.scan_plots import COLOURS as PHASE_COLOURS, fraction_legend
from insitu_tem.gui.widgets.legend_placement import LEGEND_ROW_PX, fit_legend_rows, legend_above
from insitu_tem.gui.widgets.plot_stack import LEFT_AXIS_PX

PLOTTED = (
    ("W_O23_shift", "W O2,3 shift", "eV", 1.0),
    ("Li_K_intensity", "Li K", "counts", 1.0),
    ("lattice_strain", "lattice strain", "%", 100.0),
    ("crystalline", "crystalline", None, 1.0),
)
"""(result column, axis label, units, display factor): strain is shown in % as in the NBD and
movie panels; counts and eV take an SI prefix when their values are large or small."""

PROFILE_COLOUR = "#ffcc33"
"""Colour of a single-series profile; the phase fractions take the NBD panel's colours."""

MIN_PLOT_HEIGHT_PX = 130
"""Smallest height of a profile at which its rotated axis label and a few ticks are whole;
when the dock is too short to stack every profile this tall they go into more columns."""

ROW_HEIGHT_PX = MIN_PLOT_HEIGHT_PX + 40 + LEGEND_ROW_PX
"""Height a row of profiles needs (px): the smallest profile plus room for the distance axis
(~40 px) under a column's bottom profile and a legend row above the phase fractions' (the rows
of the grid are shared by the columns)."""

MAX_COLUMNS = 3
"""Most columns the profiles are laid out in (a short, wide dock at 1280 × 800)."""

STEP_TEXT = {
    NBD_SCAN: "Across the front: waiting for the NBD scan analysis…",
    EELS_ANALYSIS: "Across the front: waiting for the EELS analysis…",
    "drift": "Measuring drift for the front track…",
    "front": "Tracking the front…",
    "across": "Across the front…",
}


class AcrossPanel(QWidget):
    """Stacked profiles vs distance from the front, linked to the probe cursor."""

    title = "Across front"
    role = "across"
    computed = Signal(object)

    def __init__(
        self, state: SessionBridge, tasks: TaskRunner, undo_stack: QUndoStack, parent=None
    ) -> None:
        super().__init__(parent)
        self.state, self.tasks, self.undo_stack = state, tasks, undo_stack
        self.result: AcrossFront | None = None
        self.compute_button = QPushButton("Compute")
        self.compute_button.setToolTip(
            "W O2,3 shift (eV), Li K, strain (%) and phase fractions against the distance from the "
            "front (nm)"
        )
        self.csv_button = QPushButton("Export CSV…")
        self.csv_button.setToolTip("Save the across-the-front table (distance in nm) as CSV")
        self.status = QLabel("Open a movie, place a scan line, open the line scans, then Compute.")
        self.status.setWordWrap(True)
        self.plots = pg.GraphicsLayoutWidget()
        self.cursors: list[pg.InfiniteLine] = []
        self._plot_items: list[pg.PlotItem] = []
        self.columns = 0
        bar = QHBoxLayout()
        for widget in (self.compute_button, self.csv_button):
            bar.addWidget(widget)
        bar.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.plots, 1)
        self._waiting = False
        self.compute_button.clicked.connect(self.compute)
        self.csv_button.clicked.connect(self._export_csv)
        self.plots.scene().sigMouseClicked.connect(self._on_click)
        state.scan_index_changed.connect(self._move_cursor)
        state.session_event.connect(self._on_session_event)
        tasks.finished.connect(self._on_task_finished)

    def compute(self) -> None:
        """Across-the-front on the session on screen (saved or not): its current result, else run
        on the user's front track (when there is none, measure the drift and track along the
        analysis or scan line first, as the workflow does); the latest request wins."""
        session = self.state.session
        if session.result_status("across") == "current":
            self.show_result(AcrossFront.from_result(session.result("across")))
            return
        step = (
            across_front
            if session.result("front") is not None
            else (front if session.result("drift") is not None else drift)
        )
        running = [key for key in (NBD_SCAN, EELS_ANALYSIS) if self.tasks.is_running(key)]
        self._waiting = step is across_front and bool(running)
        if self._waiting:
            self.status.setText(STEP_TEXT[running[0]])
            return
        worker = self._worker(step)
        try:
            job = step.prepare(session, **worker)
        except DataError as error:
            self.status.setText(f"Across the front: {error}")
            return
        self.status.setText(STEP_TEXT[job.name])
        self.tasks.submit_job(
            session,
            job,
            key="across",
            description=STEP_TEXT[job.name],
            on_stored=lambda result: self._show_step(job.name, result),
            in_worker=bool(worker),
            first=True,
        )

    def _worker(self, step) -> dict:
        """Where ``step`` computes (its job's thread waits): the drift and the front tracking in
        the movie's worker process (which has computed both ahead when a project opened), the
        EELS numbers the view does not reuse in the EELS panel's (which has their analysis
        imported)."""
        movie, eels = self.tasks.movie_child, self.tasks.eels_child
        children = {drift: movie, front: movie, across_front: eels}
        return {"child": children[step]} if step in children else {}

    def _show_step(self, name: str, result) -> None:
        if name == "across":
            self.show_result(AcrossFront.from_result(result))
        else:
            self.compute()

    def _on_task_finished(self, _task_id: int) -> None:
        """Across the front after the NBD panel's scan analysis and the EELS panel's analysis it
        waited for (it refers the scan's spots to the pristine probe instead of analysing the
        scan again, and reuses the EELS result made with the parameters it needs)."""
        if self._waiting and not any(self.tasks.is_running(k) for k in (NBD_SCAN, EELS_ANALYSIS)):
            self.compute()

    def _on_session_event(self, name: str, payload: tuple) -> None:
        if name == "result" and payload[0] == "front" and self.result is not None:
            self.clear()

    def clear(self) -> None:
        """Forget the result (an input changed): no plots until computed again."""
        self.tasks.cancel_keys(("across",))
        self._waiting = False
        self.result = None
        self.plots.clear()
        self.cursors, self._plot_items, self.columns = [], [], 0
        self.status.setText("Inputs changed: Compute again.")

    def show_result(self, result: AcrossFront) -> None:
        self.result = result
        self.plots.clear()
        self.cursors, self._plot_items = [], []
        for label, units, factor, series in _profiles(result.columns):
            plot = add_plot(self.plots, row=len(self._plot_items), col=0)
            plot.setLabel("left", label, units=units)
            plot.getAxis("left").enableAutoSIPrefix(units not in (None, "%"))
            colours = (PROFILE_COLOUR,) if len(series) == 1 else PHASE_COLOURS
            if len(series) > 1:
                legend_above(plot)
            for index, (name, values, errors) in enumerate(series):
                colour = colours[index % len(colours)]
                _plot_series(plot, result.distance_nm, factor, name, values, errors, colour)
            if len(series) > 1:
                fit_legend_rows(plot)
            plot.addItem(
                pg.InfiniteLine(0.0, pen=pg.mkPen("#d62728", style=pg.QtCore.Qt.PenStyle.DashLine))
            )
            cursor = pg.InfiniteLine(pen=pg.mkPen("#00e5ff"))
            plot.addItem(cursor)
            self.cursors.append(cursor)
            self._plot_items.append(plot)
        for plot in self._plot_items:
            plot.getAxis("left").setWidth(LEFT_AXIS_PX)
            plot.setLabel("bottom", "Distance from front", units="nm")
            plot.setXLink(self._plot_items[0])
        self.columns = 0
        self._arrange()
        sigma = result.front_along_sigma_nm
        where = (
            f"front at {result.front_along_nm:.1f} ± {sigma:.2g} nm along the scan line"
            if np.isfinite(sigma)
            else f"front at {result.front_along_nm:.1f} nm along the scan line (1σ not estimated)"
        )
        self.status.setText("; ".join([where, *_not_measured(result)]))
        self._show_holder_state()
        self._move_cursor(self.state.scan_index)
        self.computed.emit(result)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        """More columns of profiles when the dock is too short to stack them readably."""
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        """Place the profiles column by column; only the bottom one of each column shows the
        distance axis's values and label."""
        plots = self._plot_items
        plots_height = self.height() - self.compute_button.sizeHint().height()
        rows_that_fit = max(1, plots_height // ROW_HEIGHT_PX)
        columns = min(MAX_COLUMNS, -(-len(plots) // rows_that_fit)) if len(plots) > 2 else 1
        if not plots or columns == self.columns:
            return
        self.columns = columns
        rows = -(-len(plots) // columns)
        for plot in plots:
            self.plots.ci.removeItem(plot)
        for index, plot in enumerate(plots):
            self.plots.ci.addItem(plot, row=index % rows, col=index // rows)
            bottom = index % rows == rows - 1 or index == len(plots) - 1
            plot.getAxis("bottom").setStyle(showValues=bottom)
            plot.getAxis("bottom").showLabel(bottom)

    def _show_holder_state(self) -> None:
        """Append the holder's state at the scan's time (timeline log, dose) to the status."""
        session, time_s = self.state.session, scan_time_s(self.state.session)
        if time_s is None:
            return
        text = self.status.text()
        self.tasks.submit(
            lambda: holder_state_at(session, time_s),
            key="across-holder",
            on_result=lambda state: self._append_holder_state(text, state),
            on_error=lambda error: self._holder_state_failed(text, error),
            description="Holder state at the scan",
        )

    def _append_holder_state(self, text: str, state) -> None:
        if state is not None:
            self.status.setText(f"{text}; holder {state.text()}")

    def _holder_state_failed(self, text: str, error: BaseException) -> None:
        log = self.state.session.panel_state("timeline").get("log_path") or "the holder log"
        self.status.setText(
            f"{text}; holder state not read ({Path(log).name}: {describe(error).message})"
        )

    def _move_cursor(self, index: int) -> None:
        if self.result is None:
            return
        index = min(index, len(self.result.distance_nm) - 1)
        for cursor in self.cursors:
            cursor.setValue(float(self.result.distance_nm[index]))

    def probe_nearest(self, distance_nm: float) -> int:
        return int(np.argmin(np.abs(self.result.distance_nm - distance_nm)))

    def _on_click(self, event) -> None:
        if self.result is None:
            return
        for plot in self._plot_items:
            if plot.sceneBoundingRect().contains(event.scenePos()):
                x = plot.vb.mapSceneToView(event.scenePos()).x()
                self.state.set_scan_index(self.probe_nearest(x))
                return

    def _export_csv(self) -> None:
        if self.result is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export table", str(Path.home()), "CSV (*.csv)")
        if path:
            save_guarded(path, self.result.write_csv)


def _profiles(columns: dict) -> list[tuple]:
    """(axis label, units, display factor, [(name, values, 1σ or None), ...]) of every profile
    the table has values for: the PLOTTED columns, then the phase fractions in one plot."""
    profiles = []
    for name, label, units, factor in PLOTTED:
        values = columns.get(name)
        if values is not None and np.isfinite(values).any():
            profiles.append((label, units, factor, [(name, values, columns.get(f"{name}_stderr"))]))
    fractions = [
        (fraction_legend(name.removeprefix("fraction_")), values, columns.get(f"{name}_stderr"))
        for name, values in columns.items()
        if name.startswith("fraction_")
        and not name.endswith("_stderr")
        and np.isfinite(values).any()
    ]
    if fractions:
        profiles.append(("fraction", None, 1.0, fractions))
    return profiles


def _not_measured(result: AcrossFront) -> list[str]:
    """Why a profile is missing points (or missing: a column with no value is not plotted), as
    the export's panel notes say it: "Li K not measured at 9 of 9 probes: <reason>"."""
    labels = {name: label for name, label, _, _ in PLOTTED}
    texts = []
    for name, reason in result.reasons.items():
        values = result.columns.get(name)
        if values is None or np.isfinite(values).all():
            continue
        missing = int(np.count_nonzero(~np.isfinite(values)))
        texts.append(
            f"{labels.get(name, name)} not measured at {missing} of {values.size} probes: "
            f"{reason.split('; ')[0]}"
        )
    return texts


def _plot_series(plot, distance_nm, factor, name, values, errors, colour) -> None:
    """One series with its ±1σ bars (when it has them), named in the plot's legend if any."""
    values = factor * np.asarray(values, dtype=float)
    plot.plot(
        distance_nm,
        values,
        pen=pg.mkPen(colour, width=1.5),
        symbol="o",
        symbolSize=4,
        symbolBrush=colour,
        name=name,
    )
    if errors is not None:
        plot.addItem(
            pg.ErrorBarItem(
                x=distance_nm,
                y=values,
                height=2 * factor * np.asarray(errors, dtype=float),
                pen=pg.mkPen(colour),
            )
        )
