"""What makes a tilt series unusable, refused when it is read: a DataError naming its file and
saying what to do, instead of a failure (or a meaningless volume) in alignment and
reconstruction."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from insitu_tem.core.model import DataError
from insitu_tem.io.readers.budget import check_in_memory


def stack_fits(path: Path, copies: float) -> None:
    """DataError naming the stack file ``path`` when it is empty or its header cannot be read, or
    (:func:`~insitu_tem.io.readers.budget.check_in_memory`) when ``copies`` of its data would not
    fit the memory budget."""
    if path.stat().st_size == 0:
        raise DataError(
            f"{path.name}: is empty (0 bytes); the transfer may have failed — copy the file again"
        )
    try:
        check_in_memory(path, copies=copies)
    except OSError as error:
        raise DataError(
            f"{path.name}: cannot be read ({type(error).__name__}); it may be truncated, "
            "corrupted or have the wrong extension — re-export or copy it again"
        ) from error


def finite_tilts(angles: np.ndarray, name: str) -> np.ndarray:
    """``angles`` when every one is a finite number; else DataError naming the tilt file."""
    bad = np.flatnonzero(~np.isfinite(angles))
    if bad.size:
        raise DataError(
            f"{name}: angle {bad[0] + 1} is {angles[bad[0]]}; give one finite tilt angle per "
            "line, in degrees"
        )
    return angles


def check_series(channels: dict[str, np.ndarray], tilts: np.ndarray, name: str) -> None:
    """DataError naming ``name`` when the series cannot be reconstructed: fewer than two
    distinct tilt angles, an angle beyond ±90°, NaN or infinite values in a channel, or a blank
    projection (every pixel equal) in the reference channel, the one aligned."""
    distinct = np.unique(tilts)
    if distinct.size < 2:
        count = f"{tilts.size} images" if tilts.size > 1 else "1 image"
        raise DataError(
            f"{name}: holds {count} at {distinct[0]:g}° only; a tilt series needs images at two "
            "or more tilt angles — open the whole series, or correct its tilt angles"
        )
    extreme = tilts[np.argmax(np.abs(tilts))]
    if abs(extreme) > 90:
        raise DataError(
            f"{name}: its tilt angles reach {extreme:g}°, beyond ±90° — correct them (one angle "
            "per image, in degrees)"
        )
    for channel, stack in channels.items():
        bad = int(stack.size - np.count_nonzero(np.isfinite(stack)))
        if bad:
            raise DataError(
                f"{name}: its {channel} images hold {bad} NaN or infinite values, which alignment "
                "and reconstruction cannot use — replace them (e.g. by 0) and export them again"
            )
    reference = next(iter(channels.values()))
    flat = np.flatnonzero(reference.min(axis=(1, 2)) == reference.max(axis=(1, 2)))
    if flat.size:
        k = flat[0]
        raise DataError(
            f"{name}: its image at {tilts[k]:g}° is blank (every pixel {reference[k, 0, 0]:g}); "
            "remove the blank images and their tilt angles from the series"
        )


def same_tilts(tilts: np.ndarray, reference: np.ndarray, name: str) -> None:
    """DataError naming ``name`` (a channel added to a series) unless its ``tilts`` are the
    series' ``reference`` tilts (both ascending, degrees)."""
    if tilts.size != reference.size or not np.allclose(tilts, reference):
        raise DataError(
            f"{name}: its tilts ({_span(tilts)}) are not the series' ({_span(reference)}); add "
            "a channel of the same tilt series"
        )


def _span(tilts: np.ndarray) -> str:
    return f"{tilts.size} from {tilts.min():g} to {tilts.max():g}°"


def named(error: DataError, name: str) -> DataError:
    """``error`` as a DataError whose message starts with the file's ``name``."""
    text = str(error)
    return error if text.startswith(f"{name}: ") else DataError(f"{name}: {text}")


def tiff_stack_text(path: Path) -> str:
    """What to do with a TIFF of several images the per-tilt reader refused ("" otherwise)."""
    if path.suffix.lower() not in (".tif", ".tiff"):
        return ""
    import tifffile

    try:
        with tifffile.TiffFile(path) as tif:
            shape = tif.series[0].shape
    except Exception:  # noqa: BLE001 - a damaged TIFF keeps the generic text
        return ""
    if len(shape) < 3:
        return ""
    size = " × ".join(str(n) for n in shape)
    return (
        f"{path.name}: holds a stack of images ({size}), not one image per tilt — open the stack "
        "itself as the tilt series, or save each tilt's image in its own file"
    )
