"""Manual front marks on the movie: clicks add points to the current frame's keyframe,
points are dragged or deleted (each an undo step); kept in the session (``Session.marks``,
raw movie px) and exported as CSV."""

from __future__ import annotations

import csv

import numpy as np
from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QUndoStack

from insitu_tem.analysis.movie.front_manual import csv_header, csv_rows
from insitu_tem.core.model import Dataset
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.panels.movie.front_annotations import (
    AddFrontPoint,
    DeleteFrontPoint,
    FrontAnnotations,
    FrontOverlay,
    MoveFrontPoint,
)


class FrontMarks(QObject):
    """The marks of every keyframe and their overlay on the movie view.

    ``offset(frame)`` gives what to subtract from raw px to reach the displayed frame
    (the drift shift when the display is drift-corrected, else zero).
    """

    def __init__(
        self,
        view_box,
        state: SessionBridge,
        undo_stack: QUndoStack,
        *,
        offset,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.state, self.undo_stack, self.offset = state, undo_stack, offset
        self.annotations = FrontAnnotations(self)
        self.overlay = FrontOverlay(view_box, self)
        self.selected_point: int | None = None
        self.frame = 0
        self.annotations.changed.connect(self._to_session)
        self.overlay.point_moved.connect(self._point_moved)
        self.overlay.point_selected.connect(self._select)
        state.session_event.connect(self._on_session_event)

    def add(self, frame: int, shown_rc) -> None:
        """A click with the Mark tool on the displayed frame at ``shown_rc`` (px)."""
        raw = np.asarray(shown_rc, float) + self.offset(frame)
        self.undo_stack.push(AddFrontPoint(self.annotations, frame, tuple(raw)))
        self._select(len(self.annotations.points(frame)) - 1)

    def delete_selected(self) -> None:
        """Delete the last touched point of the current frame (or its last point)."""
        points = self.annotations.points(self.frame)
        if not points:
            return
        index = (
            self.selected_point
            if self.selected_point is not None and self.selected_point < len(points)
            else -1
        )
        self.undo_stack.push(DeleteFrontPoint(self.annotations, self.frame, index % len(points)))
        self.selected_point = None

    def show(self, frame: int, n_frames: int) -> None:
        """Draw the keyframe points and the interpolated front of ``frame``."""
        self.frame = frame
        offset = self.offset(frame)
        interpolated = self.annotations.interpolated(n_frames).get(frame)
        keyframe = [tuple(np.asarray(p) - offset) for p in self.annotations.points(frame)]
        self.overlay.show(keyframe, None if interpolated is None else interpolated - offset)

    def export_csv(self, path: str, dataset: Dataset) -> int:
        """Write the keyframes and interpolated frames of ``dataset``'s time axis; return the
        rows."""
        t, (row, col) = dataset.axes[0], dataset.signal_axes
        rows = csv_rows(self.annotations.keyframes, dataset.shape[0], time=t, row=row, col=col)
        with open(path, "w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream)
            writer.writerow(csv_header(row, col))
            writer.writerows(rows)
        return len(rows)

    def _point_moved(self, index: int, new) -> None:
        frame = self.frame
        command = MoveFrontPoint(
            self.annotations,
            frame,
            index,
            self.annotations.points(frame)[index],
            tuple(np.asarray(new) + self.offset(frame)),
        )
        QTimer.singleShot(0, lambda: self.undo_stack.push(command))

    def _select(self, index: int) -> None:
        self.selected_point = index

    def _to_session(self) -> None:
        marks = self.annotations.as_marks()
        if self.state.dataset("movie") is not None and self.state.session.marks != marks:
            self.state.session.set_marks(marks)

    def _on_session_event(self, name: str, _payload: tuple) -> None:
        if name == "marks" and self.state.session.marks != self.annotations.as_marks():
            self.annotations.load_marks(self.state.session.marks)
