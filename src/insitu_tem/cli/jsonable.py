"""Command results as strict JSON types (shared by the entry point, the commands and batch)."""

from __future__ import annotations

import math
from dataclasses import asdict, is_dataclass
from typing import Any

import numpy as np

__all__ = ["to_jsonable"]


def to_jsonable(value: Any) -> Any:
    """Convert dataclasses, numpy scalars and arrays to plain JSON types (NaN -> null)."""
    if is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(asdict(value))
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        kinds = {type(v) for v in value}
        if kinds <= {float}:
            return [v if math.isfinite(v) else None for v in value]
        if kinds <= {bool, int, str}:
            return list(value)
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biu":
            return value.tolist()
        if value.dtype.kind == "f":
            finite = np.isfinite(value)
            return (value if finite.all() else np.where(finite, value, None)).tolist()
        return to_jsonable(value.tolist())
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    return value
