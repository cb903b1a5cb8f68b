"""Manual front annotations: the keyframe model, its undoable edits and its overlay.

Points are (row, col) in raw movie px. Every edit goes through a
``QUndoCommand`` pushed on the application's undo stack. The overlay shows the
current frame's keyframe points as draggable targets joined by a line, or the
front interpolated from the neighbouring keyframes (dashed).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QPointF, Qt, Signal
from PySide6.QtGui import QUndoCommand

from insitu_tem.analysis.movie.front_manual import interpolate_keyframes
from insitu_tem.core.model import Axis
from insitu_tem.figures.overlay_colours import MARKS
from insitu_tem.gui.frame_numbers import frame_number


class FrontAnnotations(QObject):
    """Keyframes {frame: [(row, col), ...]}; emits ``changed`` after every edit."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.keyframes: dict[int, list[tuple[float, float]]] = {}

    def points(self, frame: int) -> list[tuple[float, float]]:
        return list(self.keyframes.get(frame, []))

    def insert(self, frame: int, index: int, point: tuple[float, float]) -> None:
        self.keyframes.setdefault(frame, []).insert(index, (float(point[0]), float(point[1])))
        self.changed.emit()

    def remove(self, frame: int, index: int) -> tuple[float, float]:
        point = self.keyframes[frame].pop(index)
        if not self.keyframes[frame]:
            del self.keyframes[frame]
        self.changed.emit()
        return point

    def replace(self, frame: int, index: int, point: tuple[float, float]) -> None:
        self.keyframes[frame][index] = (float(point[0]), float(point[1]))
        self.changed.emit()

    def clear(self) -> None:
        self.keyframes = {}
        self.changed.emit()

    def interpolated(self, n_frames: int) -> dict[int, np.ndarray]:
        """Front points for every frame between the first and last keyframe."""
        return interpolate_keyframes(self.keyframes, n_frames)

    def as_dict(self) -> dict:
        """Plain-JSON form for the project file."""
        return {
            str(frame): [list(p) for p in points]
            for frame, points in sorted(self.keyframes.items())
        }

    def as_marks(self) -> dict[int, list]:
        """The session's form of the marks: ``{frame: [[row, col], ...]}``, raw movie px."""
        return {
            frame: [[float(r), float(c)] for r, c in points]
            for frame, points in sorted(self.keyframes.items())
            if points
        }

    def load_marks(self, marks: dict) -> None:
        """Replace all keyframes from the session's marks."""
        self.load_dict({str(frame): points for frame, points in marks.items()})

    def load_dict(self, document: dict) -> None:
        """Replace all keyframes from :meth:`as_dict` output."""
        self.keyframes = {
            int(frame): [(float(r), float(c)) for r, c in points]
            for frame, points in document.items()
            if points
        }
        self.changed.emit()


class AddFrontPoint(QUndoCommand):
    """Append a point to a frame's keyframe."""

    def __init__(self, model: FrontAnnotations, frame: int, point: tuple[float, float]) -> None:
        super().__init__(f"Mark front on frame {frame_number(frame)}")
        self.model, self.frame, self.point = model, frame, point
        self.index = len(model.points(frame))

    def redo(self) -> None:
        self.model.insert(self.frame, self.index, self.point)

    def undo(self) -> None:
        self.model.remove(self.frame, self.index)


class MoveFrontPoint(QUndoCommand):
    """Move one keyframe point."""

    def __init__(self, model: FrontAnnotations, frame: int, index: int, old, new) -> None:
        super().__init__(f"Move front point on frame {frame_number(frame)}")
        self.model, self.frame, self.index, self.old, self.new = model, frame, index, old, new

    def redo(self) -> None:
        self.model.replace(self.frame, self.index, self.new)

    def undo(self) -> None:
        self.model.replace(self.frame, self.index, self.old)


class DeleteFrontPoint(QUndoCommand):
    """Delete one keyframe point."""

    def __init__(self, model: FrontAnnotations, frame: int, index: int) -> None:
        super().__init__(f"Delete front point on frame {frame_number(frame)}")
        self.model, self.frame, self.index = model, frame, index
        self.point = model.points(frame)[index]

    def redo(self) -> None:
        self.model.remove(self.frame, self.index)

    def undo(self) -> None:
        self.model.insert(self.frame, self.index, self.point)


class FrontOverlay(QObject):
    """Draws the annotations of the current frame on a ViewBox and turns drags into moves.

    Signals
    -------
    point_moved(int, object) : index and new (row, col) px on the display
    point_selected(int) : index of the point the user last touched
    """

    point_moved = Signal(int, object)
    point_selected = Signal(int)

    def __init__(self, view_box: pg.ViewBox, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.view_box = view_box
        self.axes = (Axis("y", 1), Axis("x", 1))
        self.targets: list[pg.TargetItem] = []
        self.line = pg.PlotDataItem(pen=pg.mkPen(MARKS, width=2))
        self.interpolated_line = pg.PlotDataItem(
            pen=pg.mkPen(MARKS, width=1.5, style=Qt.PenStyle.DashLine),
            symbol="o",
            symbolSize=5,
            symbolBrush=MARKS,
        )
        for item in (self.line, self.interpolated_line):
            item.setZValue(20)
            view_box.addItem(item, ignoreBounds=True)

    def to_view(self, point) -> QPointF:
        row, col = self.axes
        return QPointF(col.to_value(point[1]), row.to_value(point[0]))

    def to_px(self, pos: QPointF) -> tuple[float, float]:
        row, col = self.axes
        return row.to_index(pos.y()), col.to_index(pos.x())

    def show(self, keyframe: list, interpolated: np.ndarray | None) -> None:
        """Draw a keyframe (targets + line) or, when there is none, the interpolated front."""
        for target in self.targets:
            self.view_box.removeItem(target)
        self.targets = []
        for index, point in enumerate(keyframe):
            target = pg.TargetItem(pos=self.to_view(point), size=12, pen=pg.mkPen(MARKS, width=2))
            target.sigPositionChangeFinished.connect(lambda item, i=index: self._moved(i, item))
            self.view_box.addItem(target, ignoreBounds=True)
            self.targets.append(target)
        views = [self.to_view(p) for p in keyframe]
        self.line.setData([p.x() for p in views], [p.y() for p in views])
        if keyframe or interpolated is None:
            self.interpolated_line.setData([], [])
        else:
            views = [self.to_view(p) for p in interpolated]
            self.interpolated_line.setData([p.x() for p in views], [p.y() for p in views])

    def _moved(self, index: int, item: pg.TargetItem) -> None:
        self.point_selected.emit(index)
        self.point_moved.emit(index, self.to_px(item.pos()))
