"""The reaction-front side of the movie panel: line tool with live kymograph, manual
front marks (undoable), automatic tracking, kinetics and film strain.

Tools: "Navigate" (clicks mark a film position in the shared state), "Line"
(two clicks place the analysis line; its handles can then be dragged and a
segment click adds a vertex), "Mark front" (each click adds a point to the
current frame's keyframe). All computation goes through the task runner.

Coordinates: marks are stored in raw-frame px (what the CSV exports). Once
drift is measured the line is in frame-0 (specimen) px and follows the
specimen; clicks on a drift-corrected display are moved back into raw frames.
"""

from __future__ import annotations

import csv

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QButtonGroup, QDoubleSpinBox, QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget,
)

from insitu_tem.analysis.movie.film_thickness import film_thickness
from insitu_tem.analysis.movie.front_area import ReactedArea, reacted_area
from insitu_tem.analysis.movie.front_manual import csv_header, csv_rows, position_along_line
from insitu_tem.analysis.movie.kinetics import KineticsFit, fit_kinetics
from insitu_tem.analysis.movie.kymograph import kymograph, sample_line
from insitu_tem.core.model import DataError, Dataset
from insitu_tem.workflows import front as front_workflow
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.tasks import TaskRunner
from insitu_tem.gui.undo import SetValueCommand, track_drags
from insitu_tem.gui.panels.movie.front_area_overlay import ReactedAreaOverlay
from insitu_tem.gui.panels.movie.front_annotations import AddFrontPoint, DeleteFrontPoint, FrontAnnotations, FrontOverlay, MoveFrontPoint
from insitu_tem.gui.panels.movie.kinetics_plot import KineticsPlot, fit_text
from insitu_tem.gui.panels.movie.kymograph_view import KymographView
from insitu_tem.gui.panels.movie.movie_view import MovieView

TOOLS = ("navigate", "line", "front")
FRONT_TASK_KEYS = ("movie-kymograph", "movie-front", "movie-thickness", "movie-area", "movie-manual-fit")
KYMOGRAPH_DELAY_MS = 60


class FrontWorkbench(QWidget):
    """Line, kymograph, manual and automatic front, kinetics.

    Signals
    -------
    frame_requested(int) : the user picked a frame (e.g. by clicking the kymograph)
    kymograph_ready() : a new kymograph is shown
    tracking_ready() : an automatic track and its fit are shown
    """

    frame_requested = Signal(int)
    kymograph_ready = Signal()
    tracking_ready = Signal()

    def __init__(self, view: MovieView, state: SessionBridge, tasks: TaskRunner, undo_stack: QUndoStack,
                 parent=None) -> None:
        super().__init__(parent)
        self.view, self.state, self.tasks, self.undo_stack = view, state, tasks, undo_stack
        self.dataset: Dataset | None = None
        self.shifts_px: np.ndarray | None = None
        self.display_corrected = False
        self.frame = 0
        self.line_rc: np.ndarray | None = None
        self.analysis: dict | None = None
        self.manual_fit = None
        self._pending_start: tuple[float, float] | None = None
        self.selected_point: int | None = None
        self.annotations = FrontAnnotations(self)
        self.overlay = FrontOverlay(view.view, self)
        self.area_overlay = ReactedAreaOverlay(view.view)
        self.region_rc: tuple[int, int, int, int] | None = None
        self.roi: pg.PolyLineROI | None = None
        self._build()
        self._debounce = QTimer(self, singleShot=True, interval=KYMOGRAPH_DELAY_MS)
        self._debounce.timeout.connect(self.request_kymograph)
        self.annotations.changed.connect(self._annotations_changed)
        self.overlay.point_moved.connect(self._point_moved)
        self.overlay.point_selected.connect(self._select)
        self.kymograph_view.time_clicked.connect(self._kymograph_clicked)
        state.session_event.connect(self._on_session_event)

    def _build(self) -> None:
        self.tool_buttons = QButtonGroup(self)
        tools = QHBoxLayout()
        for tool, text in zip(TOOLS, ("Navigate", "Line", "Mark front")):
            button = QPushButton(text, checkable=True)
            button.setObjectName(f"tool-{tool}")
            self.tool_buttons.addButton(button)
            tools.addWidget(button)
        self.tool_buttons.buttons()[0].setChecked(True)
        self.tool_buttons.buttonToggled.connect(lambda *_: self._update_roi_interaction())
        self.width_spin = QDoubleSpinBox(minimum=1, maximum=500, value=21, suffix=" px", decimals=0)
        self.width_spin.setPrefix("width ")
        self.width_spin.valueChanged.connect(self.schedule_kymograph)
        self.track_button = QPushButton("Track front")
        self.thickness_button = QPushButton("Film thickness")
        self.thickness_button.setToolTip("strain of the film across the line (two edges tracked per frame)")
        self.area_button = QPushButton("Reacted area")
        self.area_button.setToolTip("segment the reacted region in every frame (inside the cropped region, if any)")
        self.delete_button = QPushButton("Delete point")
        self.export_button = QPushButton("Export CSV…")
        tools.addWidget(self.width_spin)
        tools.addStretch(1)
        actions = QHBoxLayout()
        for widget in (self.track_button, self.area_button, self.thickness_button, self.delete_button,
                       self.export_button):
            actions.addWidget(widget)
        actions.addStretch(1)
        self.status = QLabel("Draw a line across the front (Line tool: two clicks).")
        self.kymograph_view = KymographView()
        self.kinetics = KineticsPlot()
        splitter = QSplitter()
        splitter.addWidget(self.kymograph_view)
        splitter.addWidget(self.kinetics)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(tools)
        layout.addLayout(actions)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)
        self.track_button.clicked.connect(self.request_tracking)
        self.thickness_button.clicked.connect(self.request_thickness)
        self.area_button.clicked.connect(self.request_area)
        self.delete_button.clicked.connect(self.delete_selected)

    @property
    def tool(self) -> str:
        return self.tool_buttons.checkedButton().objectName().removeprefix("tool-")

    def set_tool(self, tool: str) -> None:
        next(b for b in self.tool_buttons.buttons() if b.objectName() == f"tool-{tool}").setChecked(True)

    def set_dataset(self, dataset: Dataset) -> None:
        """Work on a new movie: nothing drawn or measured on another movie survives.

        The same movie recalibrated keeps its line and marks (they are in px); results go.
        """
        same_movie = self.dataset is not None and (dataset.source, dataset.shape) == (self.dataset.source,
                                                                                       self.dataset.shape)
        self.tasks.cancel_keys(FRONT_TASK_KEYS)
        self.dataset, self.shifts_px, self.analysis, self.manual_fit = dataset, None, None, None
        self._pending_start, self.selected_point, self._kymo = None, None, None
        self.area_overlay.set_result(None)
        self.display_corrected = False
        self.overlay.axes = dataset.signal_axes
        self.kymograph_view.reset()
        if not same_movie:
            self.line_rc = None
            self.annotations.clear()
        self.kinetics.clear()
        self.status.setText("Draw a line across the front (Line tool: two clicks).")
        self._redraw_line()
        self._annotations_changed()
        self.schedule_kymograph()

    def forget(self) -> None:
        """The movie left the session: drop it with everything drawn and measured on it."""
        self.tasks.cancel_keys(FRONT_TASK_KEYS)
        self.dataset, self.line_rc, self.shifts_px, self.analysis, self.manual_fit = None, None, None, None, None
        self.annotations.clear()
        self.kymograph_view.reset()
        self.kinetics.clear()
        self._redraw_line()

    def dependents(self) -> list[str]:
        """What was drawn or measured on this movie (lost when the movie is replaced)."""
        found = []
        if self.line_rc is not None:
            found.append("the analysis line and its kymograph")
        if self.annotations.keyframes:
            found.append(f"front marks on {len(self.annotations.keyframes)} frames")
        if self.shifts_px is not None:
            found.append("the measured drift")
        return found

    def set_shifts(self, shifts_px: np.ndarray | None) -> None:
        """Drift (t, 2) px used to make the line follow the specimen (None: raw frames)."""
        self.shifts_px = shifts_px
        self.schedule_kymograph()
        self._annotations_changed()

    def set_display_corrected(self, corrected: bool) -> None:
        """Whether the movie on screen is drift-corrected (clicks are then in frame-0 px)."""
        self.display_corrected = bool(corrected)
        self._refresh_overlay()

    def _shift(self, frame: int) -> np.ndarray:
        return np.zeros(2) if self.shifts_px is None else np.asarray(self.shifts_px[frame], dtype=float)

    def set_frame(self, index: int) -> None:
        self.frame = int(index)
        self._refresh_overlay()
        if self.dataset is not None:
            self.kymograph_view.set_time(self._times()[self.frame])
        self._show_current_velocity()

    def handle_click(self, row: float, col: float) -> bool:
        """A click on the movie at raw (row, col) px; True when a tool used it."""
        if self.dataset is None or self.tool == "navigate":
            return False
        shown = np.array([row, col])
        if self.tool == "front":
            raw = shown + (self._shift(self.frame) if self.display_corrected else 0.0)
            self.undo_stack.push(AddFrontPoint(self.annotations, self.frame, tuple(raw)))
            self._select(len(self.annotations.points(self.frame)) - 1)
            return True
        specimen = shown - (0.0 if self.display_corrected else self._shift(self.frame))
        if self._pending_start is None:
            self._pending_start = tuple(specimen)
            self.status.setText("Line: click the end point.")
            return True
        line = np.array([self._pending_start, tuple(specimen)])
        self.undo_stack.push(SetValueCommand(self.set_line, self.line_rc, line, "Draw line"))
        self._pending_start = None
        return True

    def set_line(self, points_rc) -> None:
        """Place the analysis line (raw (row, col) px vertices) in the session and compute its kymograph."""
        self._apply_line(points_rc)
        self.state.session.set_analysis_line(None if self.line_rc is None else self.line_rc.tolist())

    def _apply_line(self, points_rc) -> None:
        self.line_rc = None if points_rc is None else np.asarray(points_rc, dtype=float)
        self._redraw_line()
        if self.line_rc is not None:
            self.schedule_kymograph()

    def _redraw_line(self) -> None:
        if self.roi is not None:
            self.view.view.removeItem(self.roi)
            self.roi = None
        if self.line_rc is None or self.dataset is None:
            return
        self.roi = pg.PolyLineROI([self.overlay.to_view(p) for p in self.line_rc], closed=False,
                                  pen=pg.mkPen("#00e5ff", width=2))
        self.roi.sigRegionChanged.connect(self._roi_dragged)
        track_drags(self.roi, self.undo_stack, read=lambda: self.line_rc.copy(), apply=self.set_line, text="Move line")
        self.view.view.addItem(self.roi, ignoreBounds=True)
        self._update_roi_interaction()

    def _update_roi_interaction(self) -> None:
        """Only the Line tool drags the line; other tools click through it onto the movie."""
        if self.roi is None:
            return
        buttons = Qt.MouseButton.LeftButton if self.tool == "line" else Qt.MouseButton.NoButton
        for item in [self.roi, *self.roi.getHandles(), *self.roi.segments]:
            item.setAcceptedMouseButtons(buttons)
            item.setAcceptHoverEvents(self.tool == "line")

    def _roi_dragged(self) -> None:
        origin = self.roi.pos()
        self.line_rc = np.array([self.overlay.to_px(QPointF(origin.x() + p.x(), origin.y() + p.y()))
                                 for p in self.roi.getState()["points"]])
        self.schedule_kymograph()

    def schedule_kymograph(self) -> None:
        """Recompute the kymograph shortly (drags are debounced; the latest request wins)."""
        if self.line_rc is not None and self.dataset is not None:
            self._debounce.start()

    def request_kymograph(self) -> None:
        array, line, width, shifts = self.dataset.array, self.line_rc.copy(), self.width_spin.value(), self.shifts_px
        self.tasks.submit(
            lambda control: kymograph(array, line, width=width, shifts_px=shifts,
                                      progress=control.progress, should_stop=control.should_stop),
            key="movie-kymograph", on_result=self._show_kymograph, description="Kymograph")

    def _show_kymograph(self, kymo) -> None:
        row, col = self.dataset.signal_axes
        self._kymo = kymo
        self.kymograph_view.set_kymograph(kymo.image, kymo.sampling.calibrated_distance(row, col), self._times(),
                                          distance_units=col.units, time_units=self._time_units())
        self.kymograph_view.set_time(self._times()[self.frame])
        self.status.setText(f"Kymograph along {len(self.line_rc)} points, width {self.width_spin.value():g} px.")
        self._update_manual()
        self.kymograph_ready.emit()

    def request_tracking(self) -> None:
        """Track the front automatically along the line (off the GUI thread)."""
        if self.line_rc is None or self.dataset is None:
            self.status.setText("Draw a line first (Line tool).")
            return
        session = self.state.session
        try:
            job = front_workflow.prepare(session, line_rc=self.line_rc.tolist(), width_px=self.width_spin.value(),
                                         drift="session" if session.result("drift") is not None else None)
        except DataError as error:
            self.status.setText(f"Cannot track: {error}")
            return
        self.tasks.submit(lambda control: job.run(should_stop=control.should_stop, progress=control.progress),
                          key="movie-front", on_result=lambda result: session.store_result(job.name, result),
                          description="Tracking the front")

    def _on_session_event(self, name: str, payload: tuple) -> None:
        if name == "result" and payload[0] == "front":
            self.show_track()
        elif name == "analysis_line" and not _same_points(self.state.session.analysis_line, self.line_rc):
            self._apply_line(self.state.session.analysis_line)
        elif name == "marks" and self.state.session.marks != self.annotations.as_marks():
            self.annotations.load_marks(self.state.session.marks)

    def show_track(self) -> None:
        """Show the session's front track and kinetic fit (or nothing when it has none)."""
        result = self.state.session.result("front")
        self.analysis = None if result is None or self.dataset is None else result.value
        if self.analysis is None:
            self.kinetics.clear()
            self._update_manual()
            return
        track, time_units = self.analysis, self._time_units()
        times, position = np.asarray(track["times"], float), np.asarray(track["position"], float)
        self.kinetics.set_automatic(times, position, KineticsFit(**track["fit"]), np.asarray(track["velocity"], float),
                                    np.asarray(track["velocity_measured"], float), units=track["units"],
                                    time_units=time_units)
        self.kymograph_view.set_tracks((times, position), self._manual_series())
        self._show_current_velocity()
        present = np.asarray(track["present"], bool)
        confidence = np.asarray(track["confidence"], float)
        self.status.setText(f"Front found in {int(present.sum())} of {len(times)} frames; "
                            f"mean confidence {np.mean(confidence[present]):.2f}" if present.any() else track["reason"])
        self.tracking_ready.emit()

    def request_thickness(self) -> None:
        """Film thickness across the line in every frame, as strain."""
        if self.line_rc is None or self.dataset is None:
            self.status.setText("Draw a line across the film first (Line tool).")
            return
        array, line, width, shifts = self.dataset.array, self.line_rc.copy(), self.width_spin.value(), self.shifts_px
        self.tasks.submit(lambda: film_thickness(kymograph(array, line, width=width, shifts_px=shifts).image),
                          key="movie-thickness", on_result=self._show_thickness, description="Film thickness")

    def _show_thickness(self, result) -> None:
        self.kinetics.set_strain(self._times(), result.strain)
        scale = self.dataset.signal_axes[1].scale
        final = np.nanmean(result.strain[-5:]) * 100 if result.ok else np.nan
        self.status.setText(f"Film thickness {result.reference_px * scale:.4g} {self.dataset.signal_axes[1].units}"
                            f" at start; strain in the last frames {final:.2f} %" if result.ok else result.reason)

    def set_region(self, region_rc: tuple[int, int, int, int] | None) -> None:
        """(row0, row1, col0, col1) px where the 2-D mode looks for the reacted region (None: everywhere)."""
        self.region_rc = region_rc

    def request_area(self) -> None:
        """Segment the reacted region in every frame (2-D mode)."""
        if self.dataset is None:
            return
        mask = np.zeros(self.dataset.shape[1:], bool)
        r0, r1, c0, c1 = self.region_rc or (0, mask.shape[0], 0, mask.shape[1])
        mask[r0:r1, c0:c1] = True
        array, shifts = self.dataset.array, self.shifts_px
        self.tasks.submit(lambda control: reacted_area(array, mask=mask, shifts_px=shifts, progress=control.progress,
                                                       should_stop=control.should_stop),
                          key="movie-area", on_result=self._show_area, description="Reacted area")

    def _show_area(self, result: ReactedArea) -> None:
        self.area_overlay.set_result(result)
        row, col = self.dataset.signal_axes
        self.kinetics.set_area(self._times(), result.area_px * row.scale * col.scale, f"{col.units}²")
        self._refresh_overlay()
        self.status.setText(f"Reacted region ({'darker' if result.polarity < 0 else 'brighter'}) segmented; "
                            f"mean confidence {np.mean(result.confidence):.2f}")

    def _manual_series(self) -> tuple[np.ndarray, np.ndarray] | None:
        if self.line_rc is None or self.dataset is None or not self.annotations.keyframes:
            return None
        row, col = self.dataset.signal_axes
        frames = sorted(self.annotations.keyframes)
        along_px = [position_along_line(np.asarray(self.annotations.points(f)) - self._shift(f), self.line_rc)
                    for f in frames]
        sampling = sample_line(self.line_rc, width=1)
        along = np.interp(along_px, sampling.distance_px, sampling.calibrated_distance(row, col))
        return self._times()[frames], along

    def _update_manual(self) -> None:
        manual = self._manual_series()
        auto = None if self.analysis is None else (np.asarray(self.analysis["times"], float),
                                                   np.asarray(self.analysis["position"], float))
        self.kymograph_view.set_tracks(auto, manual)
        self.kinetics.set_manual(*(manual if manual is not None else ([], [])))
        if manual is not None and len(manual[0]) >= 5:
            self.tasks.submit(lambda: fit_kinetics(*manual), key="movie-manual-fit", on_result=self._show_manual_fit)

    def _show_manual_fit(self, fit) -> None:
        self.manual_fit = fit
        units = self.dataset.signal_axes[1].units
        self.kinetics.set_manual_fit_text("manual marks: " + fit_text(fit, units=units, time_units=self._time_units()))

    def _annotations_changed(self) -> None:
        if self.dataset is not None and self.state.session.marks != self.annotations.as_marks():
            self.state.session.set_marks(self.annotations.as_marks())
        self._refresh_overlay()
        self._update_manual()

    def _refresh_overlay(self) -> None:
        if self.dataset is None:
            return
        offset = self._shift(self.frame) if self.display_corrected else np.zeros(2)
        interpolated = self.annotations.interpolated(self.dataset.shape[0]).get(self.frame)
        keyframe = [tuple(np.asarray(p) - offset) for p in self.annotations.points(self.frame)]
        self.overlay.show(keyframe, None if interpolated is None else interpolated - offset)
        area_offset = np.zeros(2) if self.display_corrected or self.shifts_px is None else self._shift(self.frame)
        self.area_overlay.show(self.frame, self.dataset.signal_axes, area_offset)

    def _point_moved(self, index: int, new) -> None:
        offset = self._shift(self.frame) if self.display_corrected else np.zeros(2)
        command = MoveFrontPoint(self.annotations, self.frame, index, self.annotations.points(self.frame)[index],
                                 tuple(np.asarray(new) + offset))
        QTimer.singleShot(0, lambda: self.undo_stack.push(command))

    def _select(self, index: int) -> None:
        self.selected_point = index

    def delete_selected(self) -> None:
        """Delete the last touched point of the current frame (or its last point)."""
        points = self.annotations.points(self.frame)
        if not points:
            return
        index = self.selected_point if self.selected_point is not None and self.selected_point < len(points) else -1
        self.undo_stack.push(DeleteFrontPoint(self.annotations, self.frame, index % len(points)))
        self.selected_point = None

    def export_csv(self, path: str) -> int:
        """Write the manual front (keyframes and interpolated frames); return the rows written."""
        t, (row, col) = self.dataset.axes[0], self.dataset.signal_axes
        rows = csv_rows(self.annotations.keyframes, self.dataset.shape[0], time=t, row=row, col=col)
        with open(path, "w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream)
            writer.writerow(csv_header(row, col))
            writer.writerows(rows)
        return len(rows)

    def _show_current_velocity(self) -> None:
        if self.analysis is None or not self.analysis["fit"]["ok"]:
            return
        velocity = self.analysis["velocity"]
        v = float(velocity[min(self.frame, len(velocity) - 1)])
        if not np.isfinite(v):
            self.kinetics.set_current_velocity(f"velocity at t = {self._times()[self.frame]:.3g} "
                                               f"{self._time_units()}: before the front started (no fit)")
            return
        self.kinetics.set_current_velocity(
            f"velocity at t = {self._times()[self.frame]:.3g} {self._time_units()}: "
            f"{v:.4g} {self.analysis['units']}/{self._time_units()} (fit)")

    def _kymograph_clicked(self, time: float) -> None:
        self.frame_requested.emit(int(np.argmin(np.abs(self._times() - time))))

    def _times(self) -> np.ndarray:
        axis = self.dataset.axes[0]
        return axis.coordinates() if axis.units == "s" else np.arange(axis.size, dtype=float)

    def _time_units(self) -> str:
        return "s" if self.dataset.axes[0].units == "s" else "frame"

    def project_state(self) -> dict:
        return {"line_rc": None if self.line_rc is None else self.line_rc.tolist(),
                "width_px": self.width_spin.value(), "front_keyframes": self.annotations.as_dict()}

    def restore_project_state(self, state: dict) -> None:
        """Show the session's line, marks and track (older projects: the panel's own line and marks)."""
        session = self.state.session
        self.width_spin.setValue(float(state.get("width_px", 21)))
        marks = session.marks
        if marks:
            self.annotations.load_marks(marks)
        else:
            self.annotations.load_dict(state.get("front_keyframes", {}))
        line = session.analysis_line or state.get("line_rc")
        if line:
            self._apply_line(line)
            if not session.analysis_line:
                session.set_analysis_line(line)
        self.show_track()


def _same_points(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return np.asarray(a).shape == np.asarray(b).shape and np.allclose(a, b)
