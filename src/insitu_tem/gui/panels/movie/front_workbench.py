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

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QButtonGroup,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from insitu_tem.core.model import DataError, Dataset
from insitu_tem.gui.controllers import front_view
from insitu_tem.gui.controllers.front_jobs import FrontJobs
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.tasks import TaskRunner
from insitu_tem.gui.panels.movie.front_area_overlay import ReactedAreaOverlay
from insitu_tem.gui.panels.movie.film_tools import FilmTools
from insitu_tem.gui.panels.movie.front_marks import FrontMarks
from insitu_tem.gui.panels.movie.front_plots import FrontPlots
from insitu_tem.gui.panels.movie.kinetics_plot import KineticsPlot
from insitu_tem.gui.panels.movie.kymograph_view import KymographView
from insitu_tem.gui.panels.movie.line_tool import LineTool
from insitu_tem.gui.panels.movie.movie_view import MovieView
from insitu_tem.workflows.front_manual import NAME as MANUAL
from insitu_tem.gui.widgets.availability import set_available
from insitu_tem.gui.widgets.status_tip import show_status

TOOLS = ("navigate", "line", "front")
TOOL_HINTS = {
    "navigate": "Navigate: click the movie to place the probe; drag to pan, wheel to zoom.",
    "line": "Line: click the start of the analysis line on the movie, then its end.",
    "front": "Mark front: click points along the front on this frame; drag a mark to move it.",
}
"""What each movie tool waits for, shown in the status bar when it is chosen."""

TRACK_TIP = (
    "Track the reaction front along the line in every frame and fit x(t) = x0 + k (t − t0)^n"
)
THICKNESS_TIP = "Strain of the film across the line (two edges tracked per frame)"


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

    def __init__(
        self,
        view: MovieView,
        state: SessionBridge,
        tasks: TaskRunner,
        undo_stack: QUndoStack,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.view, self.state, self.tasks, self.undo_stack = view, state, tasks, undo_stack
        self.jobs = FrontJobs(state, tasks, undo_stack, parent=self)
        self.dataset: Dataset | None = None
        self.shifts_px: np.ndarray | None = None
        self.display_corrected = False
        self.frame = 0
        self.analysis: dict | None = None
        self.marks = FrontMarks(
            view.view, state, undo_stack, offset=self._display_offset, parent=self
        )
        self.annotations, self.overlay = self.marks.annotations, self.marks.overlay
        self.area_overlay = ReactedAreaOverlay(view.view)
        self.line = LineTool(
            view.view,
            state,
            undo_stack,
            to_view=self.overlay.to_view,
            to_px=self.overlay.to_px,
            parent=self,
        )
        self._build()
        self.film = FilmTools(self)
        self.plots = FrontPlots(self)
        self._update_track_button()
        self.annotations.changed.connect(self._annotations_changed)
        self.line.moved.connect(self.plots.schedule_kymograph)
        self.line.moved.connect(self._update_track_button)
        self.line.waiting_for_end.connect(self._waiting_for_end)
        state.session_event.connect(self._on_session_event)

    def _build(self) -> None:
        self.tool_buttons = QButtonGroup(self)
        tools = QHBoxLayout()
        for tool, text in zip(TOOLS, ("Navigate", "Line", "Mark front")):
            button = QPushButton(text, checkable=True)
            button.setObjectName(f"tool-{tool}")
            button.setToolTip(TOOL_HINTS[tool])
            self.tool_buttons.addButton(button)
            tools.addWidget(button)
        self.tool_buttons.buttons()[0].setChecked(True)
        self.tool_buttons.buttonToggled.connect(self._tool_toggled)
        self.width_spin = QDoubleSpinBox(minimum=1, maximum=500, value=21, suffix=" px", decimals=0)
        self.width_spin.setPrefix("width ")
        self.width_spin.setToolTip(
            "Width of the band averaged across the line for the kymograph, pixels"
        )
        self.width_spin.valueChanged.connect(lambda _: self.plots.schedule_kymograph())
        self.track_button = QPushButton("Track front")
        self.thickness_button = QPushButton("Film thickness")
        self.area_button = QPushButton("Reacted area")
        self.area_button.setToolTip(
            "segment the reacted region in every frame (inside the cropped region, if any)"
        )
        self.delete_button = QPushButton("Delete point")
        self.delete_button.setToolTip(
            "Delete the selected front mark on this frame (Undo restores it)"
        )
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setToolTip(
            "Save the front track (time s, position in calibrated units) and the fit as CSV"
        )
        tools.addWidget(self.width_spin)
        tools.addStretch(1)
        actions = QHBoxLayout()
        for widget in (
            self.track_button,
            self.area_button,
            self.thickness_button,
            self.delete_button,
            self.export_button,
        ):
            actions.addWidget(widget)
        actions.addStretch(1)
        self.status = QLabel("Draw a line across the front (Line tool: two clicks).")
        self.status.setWordWrap(True)
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
        self.delete_button.clicked.connect(self.marks.delete_selected)

    @property
    def line_rc(self) -> np.ndarray | None:
        """Vertices (row, col) of the analysis line, raw movie px (None: not drawn)."""
        return self.line.line_rc

    @property
    def roi(self):
        return self.line.roi

    def _tool_toggled(self, button, checked: bool) -> None:
        self.line.set_active(self.tool == "line")
        if checked:
            show_status(self, TOOL_HINTS[self.tool])

    def _update_track_button(self) -> None:
        """Track front and Film thickness: enabled, or disabled with the reason the tracker would
        decline the movie and the line at once (the kymograph's line: the user's, else the
        session's track's)."""
        line = self.plots.kymograph_line()
        reason = front_view.track_unavailable(self.dataset, line)
        set_available(self.track_button, reason, tooltip=TRACK_TIP)
        reason = front_view.track_unavailable(
            self.dataset,
            line,
            least_samples=front_view.THICKNESS_LEAST_SAMPLES,
            what="the film's thickness",
        )
        set_available(self.thickness_button, reason, tooltip=THICKNESS_TIP)

    def _waiting_for_end(self) -> None:
        self.status.setText("Line: click the end point.")
        show_status(self, "Line: click the end of the analysis line on the movie.")

    @property
    def tool(self) -> str:
        return self.tool_buttons.checkedButton().objectName().removeprefix("tool-")

    def set_tool(self, tool: str) -> None:
        next(b for b in self.tool_buttons.buttons() if b.objectName() == f"tool-{tool}").setChecked(
            True
        )

    def set_dataset(self, dataset: Dataset) -> None:
        """Work on a new movie: nothing drawn or measured on another movie survives.

        The same movie recalibrated keeps its line and marks (they are in px); results go. The
        session's own track of this movie (a project opened without panel state) is drawn.
        """
        same_movie = self.dataset is not None and (dataset.source, dataset.shape) == (
            self.dataset.source,
            self.dataset.shape,
        )
        self.jobs.cancel()
        self.dataset, self.shifts_px, self.analysis = dataset, None, None
        self.marks.selected_point = None
        self.display_corrected = False
        self.overlay.axes = dataset.signal_axes
        self.kymograph_view.reset()
        self.line.visible = True
        if not same_movie:
            self.line.forget()
            self.annotations.clear()
        self.kinetics.clear()
        self.status.setText("Draw a line across the front (Line tool: two clicks).")
        self.plots.show_track()
        self.film.show_all()
        self.line.redraw()
        self._annotations_changed()
        self.plots.schedule_kymograph()
        self._update_track_button()

    def forget(self) -> None:
        """The movie left the session: drop it with everything drawn and measured on it."""
        self.jobs.cancel()
        self.dataset, self.shifts_px, self.analysis = None, None, None
        self.line.visible = False
        self.line.forget()
        self.annotations.clear()
        self.kymograph_view.reset()
        self.kinetics.clear()
        self.status.setText("Draw a line across the front (Line tool: two clicks).")
        self._update_track_button()

    def set_shifts(self, shifts_px: np.ndarray | None, *, sigma_px=None) -> None:
        """Drift (t, 2) px used to make the line follow the specimen (None: raw frames), with its
        1σ (t, 2) px for the drift plot when known."""
        self.shifts_px = shifts_px
        if self.dataset is not None:
            frame_times, units = front_view.times(self.dataset)
            self.kinetics.set_drift(frame_times, shifts_px, time_units=units, sigma_px=sigma_px)
        self.plots.schedule_kymograph()
        self._annotations_changed()

    def set_display_corrected(self, corrected: bool) -> None:
        """Whether the movie on screen is drift-corrected (clicks are then in frame-0 px)."""
        self.display_corrected = bool(corrected)
        self.refresh_overlay()

    def _display_offset(self, frame: int) -> np.ndarray:
        return self._shift(frame) if self.display_corrected else np.zeros(2)

    def _shift(self, frame: int) -> np.ndarray:
        return (
            np.zeros(2)
            if self.shifts_px is None
            else np.asarray(self.shifts_px[frame], dtype=float)
        )

    def set_frame(self, index: int) -> None:
        self.frame = int(index)
        self.refresh_overlay()
        if self.dataset is not None:
            self.kymograph_view.set_time(front_view.times(self.dataset)[0][self.frame])
        self.plots.show_current_velocity()

    def handle_click(self, row: float, col: float) -> bool:
        """A click on the movie at raw (row, col) px; True when a tool used it."""
        if self.dataset is None or self.tool == "navigate":
            return False
        shown = np.array([row, col])
        if self.tool == "front":
            self.marks.add(self.frame, shown)
            return True
        self.line.click(shown - (0.0 if self.display_corrected else self._shift(self.frame)))
        return True

    def set_line(self, points_rc) -> None:
        """Place the analysis line (raw (row, col) px vertices) in the session; its kymograph
        follows."""
        self.line.set_line(points_rc)

    def request_tracking(self) -> None:
        """Track the front automatically along the kymograph's line (off the GUI thread)."""
        line = self.plots.kymograph_line()
        if line is None or self.dataset is None:
            self.status.setText("Draw a line first (Line tool).")
            return
        try:
            self.jobs.track(line, width=self.width_spin.value())
        except DataError as error:
            self.status.setText(f"Cannot track: {error}")

    def _on_session_event(self, name: str, payload: tuple) -> None:
        if name == "result" and payload[0] == "front":
            self.plots.show_track()
            self._update_track_button()
        elif name == "result" and payload[0] == MANUAL:
            self.plots.show_manual_fit()

    def _annotations_changed(self) -> None:
        self.refresh_overlay()
        self.plots.update_manual()

    def refresh_overlay(self) -> None:
        """Draw the marks and the reacted area of the current frame."""
        if self.dataset is None:
            return
        self.marks.show(self.frame, self.dataset.shape[0])
        area_offset = (
            np.zeros(2)
            if self.display_corrected or self.shifts_px is None
            else self._shift(self.frame)
        )
        self.area_overlay.show(self.frame, self.dataset.signal_axes, area_offset)

    def export_csv(self, path: str) -> int:
        """Write the manual front (keyframes and interpolated frames); return the rows written."""
        return self.marks.export_csv(path, self.dataset)

    def project_state(self) -> dict:
        return {
            "line_rc": None if self.line_rc is None else self.line_rc.tolist(),
            "width_px": self.width_spin.value(),
            "front_keyframes": self.annotations.as_dict(),
        }

    def restore_project_state(self, state: dict) -> None:
        """Show the session's line, marks, track, manual fit and film results (older projects:
        the panel's own line and marks)."""
        session = self.state.session
        self.width_spin.setValue(float(state.get("width_px", 21)))
        marks = session.marks
        if marks:
            self.annotations.load_marks(marks)
        else:
            self.annotations.load_dict(state.get("front_keyframes", {}))
        line = session.analysis_line or state.get("line_rc")
        if line:
            self.line.show(line)
            if not session.analysis_line:
                session.set_analysis_line(line)
        self.plots.show_track()
        self.plots.update_manual()
        self.film.show_all()
