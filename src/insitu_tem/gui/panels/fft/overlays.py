"""Items drawn over the FFT panel's views: spot markers with labels, picked spots,
and the crystalline/amorphous overlay on the frame."""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt

from insitu_tem.analysis.hrtem.crystallinity import domain_size_status, fraction_sigma_status
from insitu_tem.gui.widgets.text_line import TextLine

CRYSTALLINE_RGBA = (40, 220, 90, 90)
AMORPHOUS_RGBA = (230, 60, 200, 70)
LABEL_FILL = pg.mkBrush(0, 0, 0, 170)
"""Dark ground under a spot's label: yellow text stays legible over the speckled spectrum."""


class _PassiveScatter(pg.ScatterPlotItem):
    """Markers that never take a click (pyqtgraph offers clicks to every item under the cursor)."""

    def mouseClickEvent(self, ev) -> None:  # noqa: N802 - pyqtgraph API
        ev.ignore()


class _SpotLabel(pg.TextItem):
    """A spot's short label; a click on it picks its spot (not whatever lies under it)."""

    def __init__(self, text: str, tooltip: str, on_click: Callable[[], None]) -> None:
        super().__init__(text, color="y", anchor=(0, 0), fill=LABEL_FILL)
        self.setToolTip(tooltip)
        self._on_click = on_click

    def mouseClickEvent(self, ev) -> None:  # noqa: N802 - pyqtgraph API
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self._on_click()


def _placements(x: float, y: float, w: float, h: float, gap_x: float, gap_y: float):
    """Top-left corners (view coordinates, y down) of a w × h label around a marker at (x, y)."""
    yield x + gap_x, y - h / 2
    yield x - gap_x - w, y - h / 2
    yield x - w / 2, y - gap_y - h
    yield x - w / 2, y + gap_y
    yield x + gap_x, y - gap_y - h
    yield x + gap_x, y + gap_y
    yield x - gap_x - w, y - gap_y - h
    yield x - gap_x - w, y + gap_y


def _overlaps(rect: QRectF, others: list[QRectF]) -> bool:
    return any(rect.intersects(other) for other in others)


class SpotOverlay:
    """Circles on automatic spots with short, non-overlapping labels; markers on picked spots.

    Positions are in the view's calibrated coordinates (x = k_col, y = k_row).
    A label that cannot be placed beside its spot, inside the view, without covering another
    label or marker is hidden (its full text stays in the spot table and the tooltip); labels
    are placed again when the view zooms. Markers ignore the mouse; a click on a label
    calls ``on_pick(index)``.
    """

    MARKER_PX = 16

    def __init__(self, view_box: pg.ViewBox, on_pick: Callable[[int], None] | None = None) -> None:
        self._view_box = view_box
        self._on_pick = on_pick or (lambda index: None)
        self.auto = _PassiveScatter(
            symbol="o", size=self.MARKER_PX, pen=pg.mkPen("y", width=1.5), brush=None
        )
        self.picked = _PassiveScatter(symbol="+", size=18, pen=pg.mkPen("c", width=2.5))
        for item in (self.auto, self.picked):
            item.setZValue(20)
            view_box.addItem(item)
        self.labels: list[_SpotLabel] = []
        self.positions = np.zeros((0, 2))
        view_box.sigRangeChanged.connect(self.place_labels)
        view_box.sigResized.connect(self.place_labels)

    def set_spots(
        self,
        positions: list[tuple[float, float]],
        labels: list[str],
        tooltips: list[str] | None = None,
    ) -> None:
        """Mark spots at (x, y) view positions; ``labels`` short, ``tooltips`` the full text."""
        for label in self.labels:
            self._view_box.removeItem(label)
        self.positions = np.asarray(positions, dtype=float).reshape(-1, 2)
        self.auto.setData(pos=self.positions)
        self.labels = []
        for index, text in enumerate(labels):
            tip = tooltips[index] if tooltips else text
            item = _SpotLabel(text, tip, lambda i=index: self._on_pick(i))
            item.setZValue(21)
            self._view_box.addItem(item)
            self.labels.append(item)
        self.place_labels()

    def place_labels(self, *_args) -> None:
        """Put each label (strongest spot first) inside the view where it covers no marker and no
        other label."""
        px_x, px_y = (abs(v) for v in self._view_box.viewPixelSize())
        if not (px_x > 0 and px_y > 0):
            return
        r_x, r_y = self.MARKER_PX / 2 * px_x, self.MARKER_PX / 2 * px_y
        taken = [QRectF(x - r_x, y - r_y, 2 * r_x, 2 * r_y) for x, y in self.positions]
        visible = self._view_box.viewRect()
        for (x, y), label in zip(self.positions, self.labels):
            size = label.textItem.boundingRect()
            w, h = size.width() * px_x, size.height() * px_y
            spot = QRectF(x - r_x, y - r_y, 2 * r_x, 2 * r_y)
            others = [rect for rect in taken if rect != spot]
            place = next(
                (
                    QRectF(left, top, w, h)
                    for left, top in _placements(x, y, w, h, 1.2 * r_x, 1.2 * r_y)
                    if visible.contains(QRectF(left, top, w, h))
                    and not _overlaps(QRectF(left, top, w, h), others)
                ),
                None,
            )
            label.setVisible(place is not None and visible.contains(x, y))
            if place is not None:
                label.setPos(place.left(), place.top())
                taken.append(place)

    def nearest(self, x: float, y: float, *, radius_px: float) -> int | None:
        """Index of the spot nearest to view point (x, y) within ``radius_px`` screen pixels."""
        if not len(self.positions):
            return None
        px_x, px_y = (abs(v) for v in self._view_box.viewPixelSize())
        distance = np.hypot((self.positions[:, 0] - x) / px_x, (self.positions[:, 1] - y) / px_y)
        index = int(np.argmin(distance))
        return index if distance[index] <= radius_px else None

    def set_picked(self, positions: list[tuple[float, float]]) -> None:
        self.picked.setData(pos=np.asarray(positions, dtype=float).reshape(-1, 2))

    def label_texts(self) -> list[str]:
        return [label.toPlainText() for label in self.labels]

    def visible_label_rects(self) -> list[QRectF]:
        """Scene rectangles of the labels on screen (for tests and screenshots)."""
        return [label.sceneBoundingRect() for label in self.labels if label.isVisible()]


class CrystallinityOverlay(pg.ImageItem):
    """Semi-transparent colour map: green crystalline, magenta amorphous."""

    def __init__(self) -> None:
        super().__init__(axisOrder="row-major")
        self.setZValue(10)
        self.mask: np.ndarray | None = None

    def set_map(self, mask: np.ndarray, rect: QRectF) -> None:
        """Show the bool ``mask`` (frame-sized) over ``rect`` (view coordinates of the frame)."""
        self.mask = np.asarray(mask, bool)
        rgba = np.empty(self.mask.shape + (4,), np.uint8)
        rgba[self.mask] = CRYSTALLINE_RGBA
        rgba[~self.mask] = AMORPHOUS_RGBA
        self.setImage(rgba, autoLevels=False, levels=(0, 255))
        self.setRect(rect)


class CrystallinityDisplay:
    """The crystallinity map of one frame over the image and its one-line summary.

    Attributes
    ----------
    overlay : CrystallinityOverlay
    label : TextLine
    result : CrystallinityMap or None
        The map on screen (None once the frame or dataset changed).
    """

    def __init__(self, view_box: pg.ViewBox) -> None:
        self.overlay = CrystallinityOverlay()
        view_box.addItem(self.overlay)
        self.label = TextLine()
        self.result = None

    def forget(self) -> None:
        """The map belongs to one frame: hide it when the frame or dataset changes."""
        self.overlay.setVisible(False)
        self.result = None
        self.label.setText("")

    def set_visible(self, on: bool) -> None:
        self.overlay.setVisible(on and self.result is not None)

    def show(self, result, axes, *, visible: bool, calibrated: bool) -> None:
        """Show ``result`` (a CrystallinityMap) over a frame with (row, col) ``axes``."""
        self.result = result
        row, col = axes
        rect = QRectF(
            col.offset - col.scale / 2,
            row.offset - row.scale / 2,
            col.scale * col.size,
            row.scale * row.size,
        )
        self.overlay.set_map(result.pixel_map, rect)
        self.overlay.setVisible(visible)
        unit = "nm" if calibrated else "px"
        ok, reason = domain_size_status(result)
        domain = (
            f"domain size {result.domain_size_nm:.2f} ± {result.sigma_domain_size_nm:.2f} {unit}"
            if ok
            else f"domain size not measured: {reason}"
        )
        delocalisation = (
            "lattice delocalisation not in the 1σ (Δf not given)"
            if math.isnan(result.delocalisation_nm)
            else f"lattice delocalisation {result.delocalisation_nm:.2f} nm in the 1σ"
        )
        sigma_ok, _ = fraction_sigma_status(result)
        fraction = (
            f"{100 * result.crystalline_fraction:.1f} ± "
            f"{100 * result.sigma_crystalline_fraction:.1f} %"
            if sigma_ok
            else f"{100 * result.crystalline_fraction:.1f} % (1σ not measured: no window near "
            "the threshold, no crystal edge)"
        )
        self.label.setText(
            f"crystalline fraction {fraction}, {domain} "
            f"({result.snr.size} windows of {result.window_px * result.pixel_nm:.2f} {unit}); "
            f"{delocalisation}"
        )
