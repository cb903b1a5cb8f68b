"""The virtual detector drawn on the NBD pattern: one ring (the BF disk's edge) or two (the ADF
annulus), each dragged with the mouse to change its radius."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QPainterPath, QPainterPathStroker

RING_COLOUR = "#40ff90"
GRAB_PX = 8.0
"""Width (screen px) of the band about a ring where the mouse grabs it."""


class DetectorRing(pg.GraphicsObject):
    """A circle of ``radius`` px about ``centre`` (view coordinates), drawn in the pattern's
    calibrated coordinates (``scale``: view units per px along (row, col)); a left drag sets the
    radius to the cursor's distance from the centre.

    Signals
    -------
    dragged(float) : the radius (px) while it is dragged
    released(float) : the radius (px) when the drag ends
    """

    dragged = Signal(float)
    released = Signal(float)

    def __init__(self, *, dashed: bool = False) -> None:
        super().__init__()
        style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
        self.pen = pg.mkPen(RING_COLOUR, width=2, style=style)
        self.pen.setCosmetic(True)
        self.centre = QPointF(0.0, 0.0)
        self.scale = (1.0, 1.0)
        self.radius_px = 1.0
        self.setZValue(20)

    def place(self, centre: QPointF, scale: tuple[float, float], radius_px: float) -> None:
        """Move to ``centre`` (view coordinates) with ``scale`` (row, col units per px)."""
        self.prepareGeometryChange()
        self.centre, self.scale, self.radius_px = QPointF(centre), scale, float(radius_px)
        self.update()

    def _ellipse(self, grow: float = 0.0) -> QRectF:
        rx = self.radius_px * self.scale[1] + grow
        ry = self.radius_px * self.scale[0] + grow
        return QRectF(self.centre.x() - rx, self.centre.y() - ry, 2 * rx, 2 * ry)

    def _grab(self) -> float:
        length = self.pixelLength(pg.Point(1, 0)) if self.getViewBox() is not None else None
        return GRAB_PX * (length or abs(self.scale[1]))

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt API
        return self._ellipse(self._grab())

    def shape(self) -> QPainterPath:
        """The band of :data:`GRAB_PX` screen px along the ring (where a press grabs it)."""
        path = QPainterPath()
        path.addEllipse(self._ellipse())
        stroker = QPainterPathStroker()
        stroker.setWidth(self._grab())
        return stroker.createStroke(path)

    def paint(self, painter, *args) -> None:
        painter.setPen(self.pen)
        painter.drawEllipse(self._ellipse())

    def hoverEvent(self, event) -> None:  # noqa: N802 - pyqtgraph's name
        if not event.isExit() and event.acceptDrags(Qt.MouseButton.LeftButton):
            self.setCursor(Qt.CursorShape.SizeAllCursor)
        else:
            self.unsetCursor()

    def mouseDragEvent(self, event) -> None:  # noqa: N802 - pyqtgraph's name
        if event.button() != Qt.MouseButton.LeftButton:
            event.ignore()
            return
        event.accept()
        point = event.pos()
        radius = float(
            np.hypot(
                (point.x() - self.centre.x()) / self.scale[1],
                (point.y() - self.centre.y()) / self.scale[0],
            )
        )
        self.place(self.centre, self.scale, max(radius, 0.5))
        (self.released if event.isFinish() else self.dragged).emit(self.radius_px)


class DetectorRings:
    """The BF ring or the two ADF rings on a :class:`~.pattern_view.NbdPatternView`.

    ``on_change(inner_px, outer_px, final)`` is called while a ring is dragged (``final``
    False) and when it is released (True); the inner ring never passes the outer one.
    """

    def __init__(self, view, on_change) -> None:
        self.view, self.on_change = view, on_change
        self.inner, self.outer = DetectorRing(dashed=True), DetectorRing()
        self.radii = (0.0, 1.0)
        self.centre_rc = (0.0, 0.0)
        for ring in (self.inner, self.outer):
            view.view.addItem(ring, ignoreBounds=True)
            ring.dragged.connect(lambda _, r=ring: self._moved(r, False))
            ring.released.connect(lambda _, r=ring: self._moved(r, True))
        self.set_visible(False)

    def set_visible(self, shown: bool) -> None:
        """Show the rings (the inner one only for an annulus)."""
        self.outer.setVisible(shown)
        self.inner.setVisible(shown and self.radii[0] > 0)

    def show(self, centre_rc, inner_px: float, outer_px: float) -> None:
        """Draw the detector of radii ``inner_px`` (0: a disk) to ``outer_px`` about
        ``centre_rc`` (row, col px of the pattern)."""
        self.centre_rc, self.radii = (
            (float(centre_rc[0]), float(centre_rc[1])),
            (
                float(inner_px),
                float(outer_px),
            ),
        )
        row, col = self.view.axes
        centre = QPointF(col.to_value(self.centre_rc[1]), row.to_value(self.centre_rc[0]))
        scale = (abs(row.scale) or 1.0, abs(col.scale) or 1.0)
        self.outer.place(centre, scale, outer_px)
        self.inner.place(centre, scale, max(inner_px, 0.5))
        self.set_visible(self.outer.isVisible())

    def _moved(self, ring: DetectorRing, final: bool) -> None:
        inner, outer = self.radii
        if ring is self.outer:
            outer = max(ring.radius_px, inner + 0.5)
        else:
            inner = min(ring.radius_px, outer - 0.5)
        self.show(self.centre_rc, inner, outer)
        self.on_change(inner, outer, final)
