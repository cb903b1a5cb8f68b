"""What the map of a 2-D NBD scan can show (:mod:`insitu_tem.figures.nbd_map_values`, shared
with the ``nbd-map`` export view)."""

from insitu_tem.figures.nbd_map_values import (
    CRYSTALLINE,
    FRACTION,
    RING_D,
    RING_TOLERANCE,
    STRAIN,
    VIRTUAL,
    MapValues,
    map_values,
    quantities,
    ring_d_values,
    value_text,
)

__all__ = [
    "CRYSTALLINE",
    "FRACTION",
    "RING_D",
    "RING_TOLERANCE",
    "STRAIN",
    "VIRTUAL",
    "MapValues",
    "map_values",
    "quantities",
    "ring_d_values",
    "value_text",
]
