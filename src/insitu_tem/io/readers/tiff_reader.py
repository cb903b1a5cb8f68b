"""TIFF stacks through tifffile: ImageJ hyperstacks, OME-TIFF, FEI/Thermo TIFF, plain TIFF,
and folders of numbered TIFF frames. Lazy uncompressed data are read frame by frame with
``pread`` (never memory-mapped: a file truncated while it is read must raise, not SIGBUS)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from insitu_tem.core.model import DataError
from insitu_tem.io.readers.contiguous import ContiguousFrames
from insitu_tem.io.readers.imports import locked_import
from insitu_tem.io.readers.raw import CapturedLog, RawAxis, RawSignal

if TYPE_CHECKING:
    import tifffile

TIFF_SUFFIXES = (".tif", ".tiff")
_FRAME_AXES = "TZQICRP"


def _natural_key(path: Path) -> list:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", path.name)]


def _imagej_calibration(tif: tifffile.TiffFile) -> dict[str, Any]:
    meta = tif.imagej_metadata or {}
    page = tif.pages.first
    tag = page.tags.get("XResolution")
    calibration: dict[str, Any] = {
        "units": str(meta.get("unit", "")),
        "finterval": meta.get("finterval"),
    }
    if isinstance(meta.get("start"), str):
        calibration["start_time"] = meta["start"]
    if tag is not None:
        numerator, denominator = tag.value
        if numerator:
            calibration["scale"] = denominator / numerator
    return calibration


def _ome_calibration(tif: tifffile.TiffFile) -> dict[str, Any]:
    pixels = locked_import("tifffile").xml2dict(tif.ome_metadata).get("OME", {}).get("Image", {})
    if isinstance(pixels, list):
        pixels = pixels[0]
    pixels = pixels.get("Pixels", {})
    calibration: dict[str, Any] = {}
    if "PhysicalSizeX" in pixels:
        calibration["scale"] = float(pixels["PhysicalSizeX"])
        calibration["units"] = str(pixels.get("PhysicalSizeXUnit", "µm"))
    if "TimeIncrement" in pixels:
        calibration["finterval"] = float(pixels["TimeIncrement"])
    return calibration


def _fei_calibration(tif: tifffile.TiffFile) -> dict[str, Any]:
    meta = tif.fei_metadata or {}
    width = (meta.get("Scan") or {}).get("PixelWidth") or (meta.get("EScan") or {}).get(
        "PixelWidth"
    )
    if not width:
        return {}
    calibration: dict[str, Any] = {"scale": float(width), "units": "m"}
    voltage = (meta.get("Beam") or {}).get("HV")
    if voltage:
        calibration["beam_energy_kV"] = float(voltage) / 1000.0
    return calibration


def _calibration(tif: tifffile.TiffFile) -> dict[str, Any]:
    if tif.is_imagej:
        return _imagej_calibration(tif)
    if tif.is_ome:
        return _ome_calibration(tif)
    if tif.is_fei:
        return _fei_calibration(tif)
    return {}


def _series_array(tif: tifffile.TiffFile, path: Path, *, lazy: bool) -> Any:
    series = tif.series[0]
    shape = tuple(series.shape)
    contiguous = series.dataoffset is not None and not series.keyframe.is_tiled
    if contiguous and lazy and len(shape) >= 3 and series.axes[-1] != "S":
        frames = (int(np.prod(shape[:-2])),) + shape[-2:]
        return _as_dask(
            ContiguousFrames(str(path), series.dataoffset, frames, series.dtype)
        ).reshape(shape)
    if lazy and len(shape) > 2:
        return _pages_as_dask(path, shape, series.dtype)
    return series.asarray()


def _as_dask(array: Any) -> Any:
    da = locked_import("dask.array")
    chunks = (1,) * (array.ndim - 2) + array.shape[-2:] if array.ndim > 2 else array.shape
    return da.from_array(array, chunks=chunks, asarray=False)


def _pages_as_dask(path: Path, shape: tuple[int, ...], dtype: np.dtype) -> Any:
    da = locked_import("dask.array")
    delayed = locked_import("dask").delayed

    n_frames = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    frame_shape = shape[-2:]

    def read_page(index: int) -> np.ndarray:
        with locked_import("tifffile").TiffFile(str(path)) as tif:
            return tif.pages[index].asarray()

    frames = [
        da.from_delayed(delayed(read_page)(i), frame_shape, dtype=dtype) for i in range(n_frames)
    ]
    return da.stack(frames).reshape(shape)


def _axes_for(
    series_axes: str, shape: tuple[int, ...], calibration: dict[str, Any]
) -> tuple[RawAxis, ...]:
    axes = []
    for letter, size in zip(series_axes, shape):
        if letter in "YX":
            axes.append(
                RawAxis(
                    letter.lower(),
                    size,
                    calibration.get("scale", 1.0),
                    0.0,
                    calibration.get("units", ""),
                    navigate=False,
                )
            )
        elif letter == "S" and series_axes.endswith("S"):
            axes.append(RawAxis("rgb", size, navigate=False))
        elif letter == "S":
            raise DataError(
                f"holds {size} colour planes stored one after the other (a planar RGB TIFF, or "
                f"{size} frames that tifffile saved as colour); convert it to grey, or save the "
                "frames as an ImageJ stack (tifffile.imwrite(path, frames, imagej=True))"
            )
        elif letter == "T" and calibration.get("finterval"):
            axes.append(
                RawAxis("t", size, float(calibration["finterval"]), 0.0, "s", navigate=True)
            )
        else:
            axes.append(RawAxis(letter.lower(), size, navigate=True))
    return tuple(axes)


def check_imagej_frames(tif: tifffile.TiffFile, series: Any) -> None:
    """Raise DataError when an ImageJ file's header counts more frames than tifffile could
    lay out (a truncated stack would otherwise read as its first frame alone)."""
    if not tif.is_imagej:
        return
    try:
        images = int((tif.imagej_metadata or {}).get("images", 1))
    except (TypeError, ValueError):
        return
    if images > 1 and series.kind != "imagej":
        raise DataError(
            f"its ImageJ header says {images} frames but they cannot all be read; the file is "
            "truncated or damaged — copy or export it again"
        )


def read(path: Path, *, lazy: bool) -> list[RawSignal]:
    """Read the first series of a TIFF file as one signal.

    Parameters
    ----------
    path : Path
        TIFF file.
    lazy : bool
        Return a dask array (frames read with pread when uncompressed).
    """
    with CapturedLog("tifffile"), locked_import("tifffile").TiffFile(str(path)) as tif:
        series = tif.series[0]
        check_imagej_frames(tif, series)
        calibration = _calibration(tif)
        array = _series_array(tif, path, lazy=lazy)
        series_axes = series.axes
    if series_axes.endswith("S") and array.shape[-1] not in (3, 4):
        series_axes = series_axes[:-1] + "X"
    metadata: dict[str, Any] = {"title": path.stem}
    if "beam_energy_kV" in calibration:
        metadata["beam_energy_kV"] = calibration["beam_energy_kV"]
    if "start_time" in calibration:
        metadata["start_time"], metadata["start_time_clock"] = calibration["start_time"], "local"
    signal_type = "time_series" if "T" in series_axes else ""
    return [
        RawSignal(
            array,
            _axes_for(series_axes, array.shape, calibration),
            path.stem,
            signal_type,
            metadata,
        )
    ]


def numbered_frames(folder: Path) -> list[Path]:
    """TIFF files in ``folder`` in natural (numbered) order."""
    files = [p for p in folder.iterdir() if p.suffix.lower() in TIFF_SUFFIXES and p.is_file()]
    return sorted(files, key=_natural_key)


def read_folder(folder: Path, *, lazy: bool) -> list[RawSignal]:
    """Read a folder of numbered single-frame TIFFs as one movie.

    Frames must share shape and dtype; calibration comes from the first.
    """
    da = locked_import("dask.array")
    files = numbered_frames(folder)
    if not files:
        raise DataError(
            "folder holds no .tif/.tiff frames; open a file, or a folder of numbered TIFF frames"
        )
    first = read(files[0], lazy=False)[0]
    frame_shape, dtype = first.array.shape, first.array.dtype
    if lazy:
        frames = [
            da.from_delayed(_delayed_frame(p, frame_shape, dtype), frame_shape, dtype=dtype)
            for p in files
        ]
        stack = da.stack(frames)
    else:
        stack = np.stack([_checked_frame(p, frame_shape, dtype) for p in files])
    axes = (RawAxis("t", len(files), navigate=True),) + first.axes
    return [
        RawSignal(stack, axes, folder.name, "time_series", dict(first.metadata, title=folder.name))
    ]


def _checked_frame(path: Path, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """Decode one frame of a folder movie after its header matched the first frame's."""
    with CapturedLog("tifffile"), locked_import("tifffile").TiffFile(str(path)) as tif:
        series = tif.series[0]
        if tuple(series.shape) != tuple(shape) or series.dtype != dtype:
            raise DataError(
                f"frame {path.name} is {tuple(series.shape)} {series.dtype}, the first frame is "
                f"{tuple(shape)} {dtype}; all frames of a folder movie must match"
            )
        return series.asarray()


def _delayed_frame(path: Path, shape: tuple[int, ...], dtype: np.dtype) -> Any:
    return locked_import("dask").delayed(_checked_frame)(path, shape, dtype)
