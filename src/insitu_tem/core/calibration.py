"""User calibration overrides: a new pixel or channel size for a dataset's signal axes."""

from __future__ import annotations

import math
from dataclasses import replace

from insitu_tem.core.model import Axis, DataError, Dataset
from insitu_tem.core.units import normalise_units


def recalibrate(dataset: Dataset, *, scale: float | None, units: str | None) -> Dataset:
    """Return ``dataset`` with its signal axes recalibrated; the array is shared.

    Parameters
    ----------
    dataset : Dataset
        Loaded data (never modified).
    scale : float or None
        New step of every signal axis, in ``units``; None keeps the file's step.
    units : str or None
        Units of ``scale`` (nm, Å, 1/nm, eV, ...), converted to the canonical unit;
        None keeps the file's units.

    Raises
    ------
    DataError
        When ``scale`` is not a finite positive number.
    """
    if scale is None and units is None:
        return dataset
    if scale is not None and not (math.isfinite(scale) and scale > 0):
        raise DataError(f"--scale {scale} is not a positive number; give e.g. --scale 0.05")
    conversion = normalise_units(units) if units is not None else None
    n_nav = len(dataset.navigation_axes)
    axes = list(dataset.axes)
    for i in range(n_nav, len(axes)):
        axis = axes[i]
        new_scale = axis.scale if scale is None else scale
        new_units = axis.units
        if conversion is not None:
            new_scale *= conversion.factor
            new_units = conversion.units
        axes[i] = Axis(
            axis.name, axis.size, new_scale, axis.offset * (new_scale / axis.scale), new_units
        )
    override = {"scale": scale, "units": units}
    warnings = dataset.warnings
    if conversion is not None and conversion.units != "px":
        warnings = tuple(w for w in warnings if not w.startswith("no calibration in the file"))
    return replace(
        dataset,
        axes=tuple(axes),
        warnings=warnings,
        metadata=dict(dataset.metadata, calibration_override=override),
    )
