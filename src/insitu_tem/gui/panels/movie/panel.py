"""Movie panel: playback of the in situ movie (fixed levels, read-ahead), contrast,
non-destructive display processing, drift correction, and the front workbench
(line + live kymograph, manual marks, automatic tracking, kinetics, strain).

The current frame is published to the shared state so the other panels follow.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QFileDialog, QTabWidget, QVBoxLayout, QWidget

from insitu_tem.analysis.movie.display_processing import (
    DisplayOptions,
    display_axes,
    display_frame,
    frame_range,
    movie_levels,
)
from insitu_tem.core.model import Axis, DataError, Dataset
from insitu_tem.workflows import drift as drift_workflow
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.frame_numbers import frame_number, numbers_text
from insitu_tem.gui.tasks import TaskRunner
from insitu_tem.gui.panels.movie.front_workbench import FrontWorkbench
from insitu_tem.gui.panels.movie.controls import ContrastControls, PlaybackBar, ProcessingControls
from insitu_tem.gui.panels.movie.frames import FrameSource
from insitu_tem.gui.panels.movie.movie_view import MovieView
from insitu_tem.gui.widgets.aspect_splitter import AspectSplitter
from insitu_tem.gui.widgets.measure_tools import MeasureTools
from insitu_tem.gui.widgets.navigator import Navigator
from insitu_tem.gui.guarded_save import save_guarded

SINGLE_IMAGE_WIDE_FROM = 1.8
"""Width-to-height ratio of the panel from which a single image's tools sit beside it, not
below it (as the FFT panel's)."""

SINGLE_IMAGE_SHARE = 100
"""A single image's share of the panel against its tools' 1 (the tools then at their minimum
size)."""


class MoviePanel(QWidget):
    """Frame display with playback, contrast, processing and the front workbench."""

    title = "Movie"
    role = "movie"

    def __init__(
        self, state: SessionBridge, tasks: TaskRunner, undo_stack: QUndoStack, parent=None
    ) -> None:
        super().__init__(parent)
        self.state, self.tasks, self.undo_stack = state, tasks, undo_stack
        self.dataset: Dataset | None = None
        self.source: FrameSource | None = None
        self.shifts_px: np.ndarray | None = None
        self.options = DisplayOptions()
        self.crop: tuple[int, int, int, int] | None = None
        self.view = MovieView()
        self.navigator = Navigator("Frame")
        self.playback = PlaybackBar()
        self.playback.set_frame_count(0)
        self.play_button, self.time_label = self.playback.play_button, self.playback.time_label
        self.contrast = ContrastControls()
        self.processing = ProcessingControls()
        self.processing.set_frame_count(0)
        self.front = FrontWorkbench(self.view, state, tasks, undo_stack)
        self.measure = MeasureTools(self.view)
        self._build()
        self._connect()

    def _build(self) -> None:
        display = QWidget()
        column = QVBoxLayout(display)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.view, 1)
        column.addWidget(self.navigator)
        column.addWidget(self.playback)
        self.view.setMinimumSize(240, 200)
        self.side_tabs = QTabWidget()
        self.side_tabs.addTab(self.front, "Front && kinetics")
        self.side_tabs.addTab(self.contrast, "Contrast")
        self.side_tabs.addTab(self.processing, "Display")
        self.side_tabs.addTab(self.measure, "Measure")
        self.splitter = AspectSplitter(wide_from=SINGLE_IMAGE_WIDE_FROM)
        self.splitter.addWidget(display)
        self.splitter.addWidget(self.side_tabs)
        self._share_room(single=False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

    def _share_room(self, *, single: bool) -> None:
        """A movie beside its tools, growing half and half (as Qt first sizes them, or half and
        half after a single image); a single image (a survey, an HRTEM frame) gets the room: its
        tools below it when the panel is not wide (:data:`SINGLE_IMAGE_WIDE_FROM`), at their
        smallest size either way."""
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0 if single else 1)
        after_image = self.splitter.shares is not None
        shares = [SINGLE_IMAGE_SHARE, 1] if single else ([1, 1] if after_image else None)
        self.splitter.set_follows_aspect(single, shares=shares)

    def _connect(self) -> None:
        self.navigator.index_changed.connect(self.state.set_frame)
        self.state.frame_changed.connect(self._show_frame)
        self.playback.tick.connect(self._advance)
        self.playback.step.connect(
            lambda step: self.state.set_frame(self._next_frame(step, wrap=False))
        )
        self.contrast.levels_changed.connect(self._set_levels)
        self.contrast.auto_requested.connect(self.auto_levels)
        self.contrast.lut_changed.connect(self._set_lut)
        self.processing.options_changed.connect(self._options_changed)
        self.processing.crop_requested.connect(self._crop)
        self.processing.drift_requested.connect(self.request_drift)
        self.front.frame_requested.connect(self.state.set_frame)
        self.front.export_button.clicked.connect(self.export_front_csv)
        self.view.hovered.connect(self.state.report_cursor)
        self.view.clicked.connect(self._clicked)
        self.state.session_event.connect(self._on_session_event)

    def _on_session_event(self, name: str, payload: tuple) -> None:
        if name == "result" and payload[0] == "drift":
            self._use_drift(self.state.session.result("drift"))

    def _use_drift(self, result) -> None:
        """The session's drift (measured here or by a workflow): the line follows the specimen and
        the display may be corrected."""
        shifts = (
            None
            if result is None or self.dataset is None
            else np.asarray(result.value["shifts_px"], float)
        )
        if shifts is not None and shifts.shape != (self.dataset.shape[0], 2):
            shifts = None
        sigma = None if shifts is None else result.value.get("shifts_px_sigma")
        self.shifts_px = shifts
        self.processing.drift_correct.setEnabled(shifts is not None)
        if shifts is None:
            self.processing.drift_correct.setChecked(False)
        self.front.set_shifts(shifts, sigma_px=None if sigma is None else np.asarray(sigma, float))

    def set_dataset(self, dataset: Dataset) -> None:
        """Show a movie (or a single image) from the shared cursor's frame.

        A single image (or a one-frame movie) is not a movie: it is shown without the frame
        slider, the playback bar and a frame number on the image; it opens on the measuring tools
        (a movie after an image on the front and kinetics)."""
        if dataset.kind not in ("movie", "image"):
            raise ValueError(f"the movie panel shows movies and images, not a {dataset.kind}")
        if self.source is not None:
            self.source.close()
        was_single = None if self.dataset is None else self.single_image
        self.playback.stop()
        array = dataset.array if dataset.kind == "movie" else dataset.array[None]
        self.dataset = (
            dataset
            if dataset.kind == "movie"
            else Dataset(
                "movie", array, (Axis("t", 1),) + dataset.axes, dataset.metadata, dataset.source
            )
        )
        self.source = FrameSource(array)
        self.shifts_px, self.crop = None, None
        self.processing.set_frame_count(self.dataset.shape[0])
        self.playback.set_frame_count(self.dataset.shape[0])
        self.processing.drift_correct.setChecked(False)
        self.processing.drift_correct.setEnabled(False)
        self.options = self.processing.options(None)
        self.navigator.set_axis(self.dataset.axes[0])
        for widget in (self.navigator, self.playback):
            widget.setVisible(not self.single_image)
        if self.single_image != was_single:
            self.side_tabs.setCurrentWidget(self.measure if self.single_image else self.front)
            self._share_room(single=self.single_image)
        self.front.set_dataset(self.dataset)
        self.auto_levels()
        frame = min(self.state.frame, self.dataset.shape[0] - 1) if dataset.kind == "movie" else 0
        self.view.set_frame(self._display(frame), axes=self._axes(), auto_range=True)
        self._show_frame(frame)

    @property
    def single_image(self) -> bool:
        """True when the panel shows one image (no frames to step through)."""
        return self.dataset is not None and self.dataset.shape[0] < 2

    def clear_dataset(self) -> None:
        """The movie left the session: forget it with the line, marks and results drawn on it;
        the panel reads as before any movie."""
        self.playback.stop()
        if self.source is not None:
            self.source.close()
        self.dataset, self.source, self.shifts_px, self.crop = None, None, None, None
        self.front.forget()
        self.view.clear_frame()
        self.navigator.clear()
        self.contrast.clear()
        self.time_label.setText("—")
        for counted in (self.playback, self.processing):
            counted.set_frame_count(0)
        self.processing.drift_correct.setChecked(False)
        self.processing.drift_correct.setEnabled(False)
        self.options = self.processing.options(None)

    def _axes(self) -> tuple[Axis, Axis]:
        row, col = self.dataset.signal_axes
        return display_axes(row, col, self.options)

    def _display(self, index: int) -> np.ndarray:
        return display_frame(self.source.get, index, self.options, shifts_px=self.shifts_px)

    def auto_levels(self) -> None:
        """Levels from percentiles of frames across the movie (fixed during playback)."""
        if self.dataset is None:
            return
        black, white = movie_levels(self.dataset.array)
        self._set_levels(black, white)
        self.contrast.set_levels(black, white)

    def _set_levels(self, black: float, white: float) -> None:
        self.view.set_levels(black, white)
        self.state.set_view("movie.levels", [float(black), float(white)])

    def _set_lut(self, name: str, gamma: float) -> None:
        self.view.set_lut(name, gamma)
        self.state.set_view("movie.cmap", name)
        self.state.set_view("movie.gamma", float(gamma))

    def _show_frame(self, index: int) -> None:
        if self.dataset is None:
            return
        index = min(int(index), self.dataset.shape[0] - 1)
        self.view.show_frame(self._display(index))
        self.navigator.blockSignals(True)
        self.navigator.set_index(index)
        self.navigator.blockSignals(False)
        time_axis = self.dataset.axes[0]
        text = (
            ""
            if self.single_image
            else f"t = {time_axis.to_value(index):.2f} s"
            if time_axis.units == "s"
            else f"frame {frame_number(index)}"
        )
        self.time_label.setText(text)
        self.view.set_timestamp(text)
        self.front.set_frame(index)
        if self.playback.playing:
            self.source.prefetch(index)
        else:
            self.contrast.set_histogram(self.view.frame)

    def _next_frame(self, step: int, *, wrap: bool) -> int:
        first, last = frame_range(self.dataset.shape[0], self.options)
        target = self.state.frame + step
        if first <= target <= last:
            return target
        if wrap:
            return first if step > 0 else last
        return min(max(target, first), last)

    def _advance(self) -> None:
        if self.dataset is None or self.dataset.shape[0] < 2:
            self.playback.stop()
            return
        first, last = frame_range(self.dataset.shape[0], self.options)
        if self.state.frame >= last and not self.playback.loop.isChecked():
            self.playback.stop()
            return
        self.state.set_frame(self._next_frame(1, wrap=True))

    def _options_changed(self) -> None:
        if self.dataset is None:
            return
        self.options = self.processing.options(self.crop)
        self.front.set_display_corrected(self.options.drift_correct and self.shifts_px is not None)
        self.view.set_frame(self._display(self.state.frame), axes=self._axes(), auto_range=True)
        self._show_frame(self.state.frame)

    def visible_bounds(self) -> tuple[int, int, int, int]:
        """The raw movie pixels in view, (row0, col0, row1, col1), end exclusive."""
        row, col = self.dataset.signal_axes
        (x0, x1), (y0, y1) = self.view.view.viewRange()
        r0, r1 = sorted(
            (int(max(0, row.to_index(y0))), int(min(row.size, np.ceil(row.to_index(y1)))))
        )
        c0, c1 = sorted(
            (int(max(0, col.to_index(x0))), int(min(col.size, np.ceil(col.to_index(x1)))))
        )
        return r0, c0, r1, c1

    def export_choices(self) -> dict:
        """What File ▸ Export Movie offers: the playback rate and the crops on screen."""
        if self.dataset is None:
            return {"fps": float(self.playback.fps.value()), "crops": {"Whole frame": None}}
        crops = {"Whole frame": None, "Visible area": self.visible_bounds()}
        if self.crop is not None:
            r0, r1, c0, c1 = self.crop
            crops["Display crop"] = (r0, c0, r1, c1)
        return {"fps": float(self.playback.fps.value()), "crops": crops}

    def _crop(self, enabled: bool) -> None:
        """Crop the display to the visible region (or undo the crop); raw data stay whole."""
        if self.dataset is None:
            return
        self.crop = None
        if enabled:
            r0, c0, r1, c1 = self.visible_bounds()
            self.crop = (r0, r1, c0, c1) if r1 - r0 >= 8 and c1 - c0 >= 8 else None
        self.front.film.set_region(self.crop)
        self._options_changed()

    def request_drift(self) -> None:
        """Measure drift in the background; then the display and the line can follow it."""
        if self.dataset is None:
            return
        session = self.state.session
        try:
            job = drift_workflow.prepare(session)
        except DataError as error:
            self.front.status.setText(f"Cannot measure drift: {error}")
            return
        self.tasks.submit_job(
            session,
            job,
            key="movie-drift",
            description="Measuring drift",
            on_stored=self._drift_measured,
        )

    def _drift_measured(self, stored) -> None:
        self.processing.drift_correct.setChecked(True)
        result = stored.value
        largest = float(np.nanmax(np.hypot(*self.shifts_px.T)))
        self.front.status.setText(
            f"Drift measured: up to {largest:.2f} px"
            + ("" if result["ok"] else f" ({drift_note(result)})")
        )

    def _clicked(self, row_f: float, col_f: float) -> None:
        row, col = self.dataset.signal_axes if self.dataset is not None else self.view.axes
        shown_row, shown_col = self.view.axes
        raw_row, raw_col = (
            row.to_index(shown_row.to_value(row_f)),
            col.to_index(shown_col.to_value(col_f)),
        )
        if self.front.handle_click(raw_row, raw_col):
            return
        self.state.set_position(raw_row, raw_col)

    def export_front_csv(self) -> None:
        """Ask for a file and write the manual front marks to it."""
        path, _ = QFileDialog.getSaveFileName(
            self, "Export front marks", "front.csv", "CSV (*.csv)"
        )
        if path:
            save_guarded(path, self.front.export_csv)

    def project_state(self) -> dict:
        """Levels, colour map, gamma and the front workbench, as plain JSON (drift is a session
        result)."""
        levels = self.view.levels()
        return {
            "levels": list(levels) if levels else None,
            "colormap": self.view.colormap_name,
            "gamma": self.view.gamma,
            "front": self.front.project_state(),
        }

    def restore_project_state(self, state: dict) -> None:
        if state.get("levels"):
            self._set_levels(*state["levels"])
            self.contrast.set_levels(*state["levels"])
        self.contrast.colormap.setCurrentText(state.get("colormap", "grey"))
        self.contrast.gamma.setValue(float(state.get("gamma", 1.0)))
        self._use_drift(self.state.session.result("drift"))
        self.front.restore_project_state(state.get("front", {}))


def drift_note(result: dict) -> str:
    """Why a drift result is not trusted, naming frames by the numbers the GUI shows."""
    weak = result["weak_frames"]
    if not weak:
        return result["reason"]
    return f"weak correlation at frames {numbers_text(weak)}; use a ROI on static texture"
