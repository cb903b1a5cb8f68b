"""The analysis line on the movie: placed by two clicks, dragged by its handles (undoable),
kept in the session (``Session.analysis_line``, raw movie px (row, col) vertices)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QPointF, Qt, Signal
from PySide6.QtGui import QUndoStack

from insitu_tem.figures.overlay_colours import ANALYSIS_LINE
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.undo import SetValueCommand, track_drags


class LineTool(QObject):
    """Draws the session's analysis line on the movie view and lets the user place and move it.

    Parameters
    ----------
    to_view, to_px : callable
        Movie px (row, col) → view point, and back (the front overlay's transforms).

    Signals
    -------
    moved() : the line was placed, dragged or removed (the kymograph follows)
    waiting_for_end() : the first click was taken; the next one ends the line
    """

    moved = Signal()
    waiting_for_end = Signal()

    def __init__(
        self,
        view_box,
        state: SessionBridge,
        undo_stack: QUndoStack,
        *,
        to_view,
        to_px,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.view_box, self.state, self.undo_stack = view_box, state, undo_stack
        self.to_view, self.to_px = to_view, to_px
        self.line_rc: np.ndarray | None = None
        self.roi: pg.PolyLineROI | None = None
        self.active = False
        self.visible = False
        self._start: tuple[float, float] | None = None
        state.session_event.connect(self._on_session_event)

    def click(self, specimen_rc) -> None:
        """A click with the Line tool at ``specimen_rc`` (px): first the start, then the end (one
        undo step)."""
        if self._start is None:
            self._start = tuple(specimen_rc)
            self.waiting_for_end.emit()
            return
        line = np.array([self._start, tuple(specimen_rc)])
        self._start = None
        self.undo_stack.push(SetValueCommand(self.set_line, self.line_rc, line, "Draw line"))

    def set_line(self, points_rc) -> None:
        """Make ``points_rc`` (None: no line) the session's analysis line and show it."""
        self.show(points_rc)
        self.state.session.set_analysis_line(
            None if self.line_rc is None else self.line_rc.tolist()
        )

    def show(self, points_rc) -> None:
        """Show ``points_rc`` without changing the session (it already holds them)."""
        self.line_rc = None if points_rc is None else np.asarray(points_rc, dtype=float)
        self.redraw()
        self.moved.emit()

    def forget(self) -> None:
        """No line, no half-placed line (another movie)."""
        self._start = None
        self.line_rc = None
        self.redraw()

    def set_active(self, active: bool) -> None:
        """Only the Line tool drags the line; other tools click through it onto the movie."""
        self.active = bool(active)
        self._start = None if not active else self._start
        if self.roi is None:
            return
        buttons = Qt.MouseButton.LeftButton if self.active else Qt.MouseButton.NoButton
        for item in [self.roi, *self.roi.getHandles(), *self.roi.segments]:
            item.setAcceptedMouseButtons(buttons)
            item.setAcceptHoverEvents(self.active)

    def redraw(self) -> None:
        if self.roi is not None:
            self.view_box.removeItem(self.roi)
            self.roi = None
        if self.line_rc is None or not self.visible:
            return
        self.roi = pg.PolyLineROI(
            [self.to_view(p) for p in self.line_rc],
            closed=False,
            pen=pg.mkPen(ANALYSIS_LINE, width=2),
        )
        self.roi.sigRegionChanged.connect(self._dragged)
        track_drags(
            self.roi,
            self.undo_stack,
            read=lambda: self.line_rc.copy(),
            apply=self.set_line,
            text="Move line",
        )
        self.view_box.addItem(self.roi, ignoreBounds=True)
        self.set_active(self.active)

    def _dragged(self) -> None:
        origin = self.roi.pos()
        self.line_rc = np.array(
            [
                self.to_px(QPointF(origin.x() + p.x(), origin.y() + p.y()))
                for p in self.roi.getState()["points"]
            ]
        )
        self.moved.emit()

    def _on_session_event(self, name: str, _payload: tuple) -> None:
        line = self.state.session.analysis_line
        if name == "analysis_line" and not _same_points(line, self.line_rc):
            self.show(line)


def _same_points(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return np.asarray(a).shape == np.asarray(b).shape and np.allclose(a, b)
