"""Maps that show where a value was not measured: a probe whose value is NaN (withheld, no fit)
is painted in one colour no colour map uses for a number, never as 0 or as the map's darkest
grey."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

NOT_MEASURED_RGB = (64, 112, 255)
"""Colour of a probe without a value (blue: the maps are grey)."""
NOT_MEASURED_NAME = "blue"
"""How titles name :data:`NOT_MEASURED_RGB`."""


def not_measured_mask(values: np.ndarray) -> np.ndarray:
    """(rows, cols, 4) uint8 RGBA: :data:`NOT_MEASURED_RGB` where ``values`` is not finite,
    transparent elsewhere."""
    missing = ~np.isfinite(np.asarray(values, float))
    mask = np.zeros(missing.shape + (4,), np.uint8)
    mask[missing] = (*NOT_MEASURED_RGB, 255)
    return mask


class NotMeasuredLayer(pg.ImageItem):
    """An image laid over a map (same pixels) that paints its not-measured probes."""

    def __init__(self) -> None:
        super().__init__(axisOrder="row-major")
        self.setZValue(5)

    def show_where(self, values: np.ndarray) -> int:
        """Paint the probes of ``values`` that are not finite; return how many there are."""
        mask = not_measured_mask(values)
        self.setImage(mask, levels=(0, 255))
        return int(np.count_nonzero(mask[..., 3]))


def show_map(image: pg.ImageItem, layer: NotMeasuredLayer, values: np.ndarray) -> int:
    """Show ``values`` in ``image`` (levels from the measured probes) and paint the others on
    ``layer``; return how many were not measured."""
    values = np.asarray(values, float)
    finite = np.isfinite(values)
    if finite.any():
        image.setImage(values, levels=(float(values[finite].min()), float(values[finite].max())))
    else:
        image.setImage(np.zeros_like(values), levels=(0.0, 1.0))
    return layer.show_where(values)


def missing_text(count: int, reason: str) -> str:
    """ " — 3 probes not measured (blue): why" ("" when ``count`` is 0)."""
    if not count:
        return ""
    probes = "probe" if count == 1 else "probes"
    why = f": {reason}" if reason else ""
    return f" — {count} {probes} not measured ({NOT_MEASURED_NAME}){why}"
