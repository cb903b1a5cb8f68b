"""Turn a reader's :class:`RawSignal` into a calibrated :class:`Dataset`.

Decides the kind from the axes (navigation vs signal), the signal type and the
units; renames axes to insitu-tem's names; normalises units; repairs dtypes a
viewer cannot show (signed-int8 counts, RGB, float16, bool). Every repair and
every odd calibration is reported in ``Dataset.warnings``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from insitu_tem.core.model import Axis, DataError, Dataset
from insitu_tem.io.readers import RawAxis, RawSignal
from insitu_tem.io.readers.rsciio_reader import is_structured_rgb
from insitu_tem.core.units import FRAME, UNCALIBRATED, is_valid_scale, normalise_units

_LUMA = np.array([0.299, 0.587, 0.114])
_FINITE_CHECK_MAX_BYTES = 256 * 2**20


def _grey_from_structured(array: Any) -> Any:
    channels = [
        array["R"].astype(np.float32),
        array["G"].astype(np.float32),
        array["B"].astype(np.float32),
    ]
    return sum(weight * channel for weight, channel in zip(_LUMA, channels)).astype(np.float32)


def _grey_from_last_axis(array: Any) -> Any:
    rgb = array[..., :3].astype(np.float32)
    return (rgb * _LUMA.astype(np.float32)).sum(axis=-1)


def _has_negative(array: Any) -> bool:
    sample = array[(0,) * (array.ndim - 2)] if array.ndim > 2 else array
    return bool(np.asarray(sample).min() < 0)


def check_numeric(array: Any) -> None:
    """Raise DataError unless the values are numbers (bool, integers, floats, complex) or RGB."""
    dtype = np.dtype(array.dtype)
    if is_structured_rgb(array) or (dtype.names is None and dtype.kind in "biufc"):
        return
    what = {
        "U": "text",
        "S": "bytes",
        "V": "raw bytes (void)",
        "M": "dates",
        "m": "time spans",
        "O": "objects",
    }
    kind = "records" if dtype.names else what.get(dtype.kind, str(dtype))
    raise DataError(
        f"holds {kind} ({dtype}), not numbers; save the image, pattern or spectrum as numbers"
    )


def repair_dtype(
    array: Any, axes: tuple[RawAxis, ...]
) -> tuple[Any, tuple[RawAxis, ...], list[str]]:
    """Convert data a viewer cannot use as is; return array, axes and warnings."""
    notes: list[str] = []
    check_numeric(array)
    if is_structured_rgb(array):
        notes.append("RGB data converted to grey (luminance)")
        return _grey_from_structured(array), axes, notes
    if axes and axes[-1].name == "rgb":
        notes.append("RGB data converted to grey (luminance)")
        return _grey_from_last_axis(array), axes[:-1], notes
    dtype = np.dtype(array.dtype)
    if dtype == np.int8 and len([a for a in axes if not a.navigate]) == 2 and _has_negative(array):
        notes.append(
            "signed int8 counts reinterpreted as unsigned 8-bit (values above 127 had wrapped)"
        )
        return array.view(np.uint8), axes, notes
    if dtype == np.float16:
        return array.astype(np.float32), axes, notes
    if dtype == np.bool_:
        return array.astype(np.uint8), axes, notes
    if np.issubdtype(dtype, np.complexfloating):
        notes.append("complex data: views show the modulus")
    return array, axes, notes


def _squeeze_single_navigation(
    array: Any, axes: tuple[RawAxis, ...]
) -> tuple[Any, tuple[RawAxis, ...]]:
    keep = [i for i, a in enumerate(axes) if not (a.navigate and a.size == 1)]
    if len(keep) == len(axes):
        return array, axes
    return array.reshape(tuple(array.shape[i] for i in keep)), tuple(axes[i] for i in keep)


def _decide_kind(signal_axes: list[Axis], n_nav: int, signal_type: str, forced: str | None) -> str:
    if len(signal_axes) == 1:
        return "spectrum" if n_nav == 0 else "spectrum_series"
    if len(signal_axes) != 2:
        raise DataError(
            f"holds {len(signal_axes)}-D signals; insitu-tem reads images, patterns and spectra"
        )
    diffraction = signal_type.lower() == "diffraction" or all(
        a.units == "1/nm" for a in signal_axes
    )
    if forced is not None:
        diffraction = forced in ("pattern", "pattern_series")
    if n_nav == 0:
        return "pattern" if diffraction else "image"
    return "pattern_series" if diffraction else "movie"


def with_article(kind: str) -> str:
    """``kind`` after "a" or "an": "an image", "a pattern"."""
    return f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind}"


def natural_kind(raw: RawSignal) -> str | None:
    """The kind ``raw`` opens as when none is forced, from its axes and signal type alone (no
    data read); None when it cannot be opened."""
    axes = raw.axes[:-1] if raw.axes and raw.axes[-1].name == "rgb" else raw.axes
    axes = tuple(a for a in axes if not (a.navigate and a.size == 1))
    signal_axes = [_calibrated_axis(a, a.name, []) for a in axes if not a.navigate]
    try:
        return _decide_kind(signal_axes, len(axes) - len(signal_axes), raw.signal_type, None)
    except DataError:
        return None


def _calibrated_axis(raw: RawAxis, name: str, notes: list[str], *, time: bool = False) -> Axis:
    conversion = normalise_units(raw.units)
    if conversion.warning:
        notes.append(f"axis {name}: {conversion.warning}")
    units, scale, offset = (
        conversion.units,
        raw.scale * conversion.factor,
        raw.offset * conversion.factor,
    )
    if units != UNCALIBRATED and not is_valid_scale(scale):
        notes.append(
            f"axis {name}: scale {raw.scale!r} {raw.units} is not a positive number; treated as "
            "uncalibrated"
        )
        units, scale, offset = UNCALIBRATED, 1.0, 0.0
    if units == UNCALIBRATED and (scale != 1.0 or offset != 0.0):
        if is_valid_scale(scale) and scale != 1.0:
            notes.append(
                f"axis {name}: scale {raw.scale:g} given without units; treated as uncalibrated "
                "pixels"
            )
        scale, offset = 1.0, 0.0
    if time and units == UNCALIBRATED:
        units = FRAME
    return Axis(name, raw.size, scale, offset, units)


def _navigation_names(kind: str, n_nav: int) -> tuple[str, ...]:
    if n_nav == 0:
        return ()
    if kind == "movie":
        return ("t",)
    return ("position",) if n_nav == 1 else ("scan_y", "scan_x")


def _flatten_navigation(
    array: Any, axes: tuple[RawAxis, ...], notes: list[str]
) -> tuple[Any, tuple[RawAxis, ...]]:
    n_nav = sum(a.navigate for a in axes)
    nav = axes[:n_nav]
    size = int(np.prod([a.size for a in nav]))
    notes.append(
        f"{n_nav} frame axes ({', '.join(a.name for a in nav)}) flattened into one time axis"
    )
    flat = array.reshape((size,) + tuple(array.shape[n_nav:]))
    return flat, (RawAxis("t", size, navigate=True),) + axes[n_nav:]


def unusable_values(array: Any, *, squared_sum: bool = False) -> int:
    """How many values of an in-memory floating-point ``array`` are NaN or infinite.

    Parameters
    ----------
    array : array-like
        Lazy (dask) and integer arrays are not read: 0.
    squared_sum : bool, optional
        Also count values too large for the sum of one frame's (last two axes) squared values
        to stay finite in float64, as an autocorrelation or a centre fit needs.

    Returns
    -------
    int
        Number of values.
    """
    if not isinstance(array, np.ndarray) or not np.issubdtype(array.dtype, np.inexact):
        return 0
    if not squared_sum:
        return int(array.size - np.count_nonzero(np.isfinite(array)))
    pixels = max(array.shape[-1] * array.shape[-2], 1) if array.ndim >= 2 else max(array.size, 1)
    limit = np.sqrt(np.finfo(np.float64).max / pixels)
    return int(array.size - np.count_nonzero(np.abs(array) <= limit))


def _nan_note(array: Any) -> list[str]:
    """A note counting NaN/Inf values (arrays up to 256 MB); DataError when no value is
    finite."""
    if array.nbytes > _FINITE_CHECK_MAX_BYTES:
        return []
    bad = unusable_values(array)
    if bad == 0:
        return []
    if bad == array.size:
        raise DataError(
            "holds no finite value (every value is NaN or Inf); the acquisition or export "
            "failed — export the data again"
        )
    return [f"{bad} NaN/Inf values; analyses ignore or reject them"]


def build_dataset(
    raw: RawSignal,
    *,
    source: str,
    signals: tuple[str, ...] = (),
    notes: list[str] | None = None,
    kind: str | None = None,
) -> Dataset:
    """Build a calibrated Dataset from one raw signal (see module docstring)."""
    notes = list(notes or [])
    if 0 in tuple(raw.array.shape):
        raise DataError(
            f"holds no data values (shape {tuple(raw.array.shape)}); the file may be damaged"
        )
    array, axes, dtype_notes = repair_dtype(raw.array, raw.axes)
    notes += dtype_notes
    array, axes = _squeeze_single_navigation(array, axes)
    nav_raw = [a for a in axes if a.navigate]
    sig_raw = [a for a in axes if not a.navigate]
    provisional = [_calibrated_axis(a, a.name, []) for a in sig_raw]
    chosen = _decide_kind(provisional, len(nav_raw), raw.signal_type, kind)
    if kind is not None and kind != chosen:
        raise DataError(
            f"holds {with_article(chosen)}, which cannot be opened as {with_article(kind)}"
        )
    if chosen == "movie" and len(nav_raw) > 1 or chosen == "pattern_series" and len(nav_raw) > 2:
        array, axes = _flatten_navigation(array, axes, notes)
        nav_raw = [a for a in axes if a.navigate]
    sig_names = {1: ("E",), 2: ("ky", "kx") if chosen.startswith("pattern") else ("y", "x")}[
        len(sig_raw)
    ]
    nav_axes = [
        _calibrated_axis(a, n, notes, time=chosen == "movie")
        for a, n in zip(nav_raw, _navigation_names(chosen, len(nav_raw)))
    ]
    sig_axes = [_calibrated_axis(a, n, notes) for a, n in zip(sig_raw, sig_names)]
    if chosen.startswith("pattern") and any(a.units == "nm" for a in sig_axes):
        notes.append(
            "pattern axes are in detector-plane length units, not 1/nm; treated as pixels — "
            "calibrate in 1/nm"
        )
        sig_axes = [Axis(a.name, a.size) for a in sig_axes]
    notes += _calibration_notes(chosen, sig_axes)
    notes += _nan_note(array)
    metadata = {k: v for k, v in raw.metadata.items() if k != "reader_log"}
    metadata["original_dtype"] = str(np.dtype(raw.array.dtype))
    if raw.signal_type:
        metadata["signal_type"] = raw.signal_type
    sizes = tuple(a.size for a in nav_axes + sig_axes)
    if sizes != tuple(array.shape):
        raise DataError(
            f"its axes say {' × '.join(map(str, sizes))} but its data are "
            f"{' × '.join(map(str, array.shape))}; the file is damaged — export it again"
        )
    return Dataset(
        chosen, array, tuple(nav_axes + sig_axes), metadata, source, tuple(notes), signals
    )


def _calibration_notes(kind: str, signal_axes: list[Axis]) -> list[str]:
    notes = []
    if any(not a.calibrated for a in signal_axes):
        hint = (
            "eV"
            if kind.startswith("spectrum")
            else ("1/nm" if kind.startswith("pattern") else "nm")
        )
        notes.append(f"no calibration in the file; give one (e.g. --scale VALUE --units {hint})")
    if (
        len(signal_axes) == 2
        and signal_axes[0].calibrated
        and signal_axes[0].units == signal_axes[1].units
    ):
        ratio = signal_axes[0].scale / signal_axes[1].scale
        if abs(ratio - 1) > 1e-3:
            notes.append(f"pixels are not square (row/col scale ratio {ratio:.4f})")
    return notes


def is_xray_spectrum(dataset: Dataset) -> bool:
    """Whether ``dataset`` holds X-ray (EDS) spectra, as its reader tagged them (signal type
    ``EDS``, ``EDS_TEM`` or ``EDS_SEM``): its energy axis is the X-ray energy (eV), not an
    energy loss."""
    return str(dataset.metadata.get("signal_type", "")).upper().startswith("EDS")
