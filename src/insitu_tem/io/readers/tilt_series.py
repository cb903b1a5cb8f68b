"""Tilt series: one stack of projections with a tilt angle per image, from any of the usual layouts.

* MRC/.ali/.st stacks with IMOD ``.rawtlt``/``.tlt`` beside them (same stem,
  one angle per line) or a SerialEM ``.mdoc`` (``TiltAngle =`` per ``[ZValue]``);
* HyperSpy ``.hspy`` whose navigation axis is in degrees (uniform or not);
* a folder of per-tilt files named by their angle (``-40.bcf``, ``tilt_35.tif``,
  …) or, when the names do not tell, with the stage α tilt in each file's
  metadata (DigitalMicrograph, Velox): Bruker ``.bcf`` (HAADF image plus EDS
  spectrum image), Velox ``.emd``, DigitalMicrograph, TIFF.

Per-tilt files that hold a spectrum image also give one line-intensity map
series per map that a caller-supplied function makes of it (X-ray line maps),
computed file by file so that only one spectrum image is in memory at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from insitu_tem.core.model import DataError
from insitu_tem.io.outputs import remember_input
from insitu_tem.io.readers.bcf_check import check_bcf_complete
from insitu_tem.io.readers.tilt_angles import angle_from_name, read_tilt_file
from insitu_tem.io.readers.tilt_checks import (
    check_series,
    stack_fits,
    tiff_stack_text,
)

STACK_SUFFIXES = (".mrc", ".ali", ".st", ".mrcs", ".hspy", ".hdf5")
SPECTRUM_MARGIN_EV = 500.0
"""Spectra are read this far above the highest background window of the lines mapped, eV."""
FILE_SUFFIXES = (".bcf", ".emd", ".dm3", ".dm4", ".tif", ".tiff")
TILT_FILE_SUFFIXES = (".rawtlt", ".tlt")
_DEGREE_UNITS = {"deg", "degree", "degrees", "°", "º"}


@dataclass(frozen=True)
class TiltSeries:
    """Projections and their tilts.

    Attributes
    ----------
    channels : dict of str to ndarray
        ``{"HAADF": (n, rows, cols), "Si_Ka": ...}`` float32, sorted by tilt;
        the first is the reference for alignment.
    tilts_deg : ndarray
        (n,) ascending tilt angles, degrees.
    pixel_size : float
        Image pixel size in ``units`` (1 and ``"px"`` when uncalibrated).
    units : str
    source : str
    files : tuple of str
        Per-tilt files (folders) or the stack file.
    notes : tuple of str
    order : tuple of int
        Index in the file (or files) of each image, in tilt order.
    """

    channels: dict[str, np.ndarray]
    tilts_deg: np.ndarray
    pixel_size: float = 1.0
    units: str = "px"
    source: str = ""
    files: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())
    order: tuple[int, ...] = ()

    @property
    def file_tilts_deg(self) -> np.ndarray:
        """The tilt angles in file order, degrees."""
        return self.tilts_deg[np.argsort(self.order)] if self.order else self.tilts_deg

    @property
    def reference(self) -> np.ndarray:
        """The first channel (the one aligned)."""
        return next(iter(self.channels.values()))


def _beside(path: Path, fallback: np.ndarray | None) -> np.ndarray | None:
    for candidate in [path.with_suffix(s) for s in TILT_FILE_SUFFIXES] + [
        Path(str(path) + ".mdoc"),
        path.with_suffix(".mdoc"),
    ]:
        if candidate.is_file():
            return read_tilt_file(candidate)
    return fallback


def _signals(path: Path, options: dict | None = None) -> list[dict]:
    from importlib import import_module

    plugin = {
        ".bcf": "bruker",
        ".emd": "emd",
        ".dm3": "digitalmicrograph",
        ".dm4": "digitalmicrograph",
        ".tif": "tiff",
        ".tiff": "tiff",
        ".mrc": "mrc",
        ".ali": "mrc",
        ".st": "mrc",
        ".mrcs": "mrc",
        ".hspy": "hspy",
        ".hdf5": "hspy",
    }[path.suffix.lower()]
    if plugin == "bruker":
        try:
            check_bcf_complete(path)
        except DataError as error:
            raise DataError(f"{path.name}: {error}") from error
    try:
        return import_module(f"rsciio.{plugin}").file_reader(
            str(path), **(options if plugin == "bruker" else {})
        )
    except Exception as error:  # noqa: BLE001 - readers raise anything on corrupt files
        raise DataError(
            tiff_stack_text(path)
            or f"{path.name}: cannot be read ({type(error).__name__}); re-export or copy it again"
        ) from error


def _scale(signal: dict) -> tuple[float, str]:
    axis = [a for a in signal["axes"] if not a.get("navigate", False)][-1]
    units = str(axis.get("units") or "")
    factor = {"µm": 1000.0, "um": 1000.0, "nm": 1.0, "Å": 0.1, "A": 0.1}.get(units)
    if factor is None:
        return 1.0, "px"
    return float(axis.get("scale", 1.0)) * factor, "nm"


def _read_stack(path: Path, tilts, copies: float, fallback=None) -> TiltSeries:
    if path.is_file():
        stack_fits(path, copies)
    signal = _signals(path)[0]
    data = np.asarray(signal["data"], dtype=np.float32)
    if data.ndim != 3:
        raise DataError(
            f"{path.name}: holds a {data.ndim}-D signal; a tilt series is a stack of images "
            "(tilts × rows × columns) — open the whole series"
        )
    nav = signal["axes"][0]
    if tilts is None and str(nav.get("units") or "").strip().lower() in _DEGREE_UNITS:
        tilts = (
            np.asarray(nav["axis"], float)
            if "axis" in nav
            else nav.get("offset", 0.0) + nav.get("scale", 1.0) * np.arange(data.shape[0])
        )
    tilts = _beside(path, fallback) if tilts is None else tilts
    if tilts is None:
        raise DataError(
            f"{path.name}: no tilt angles found; put a .rawtlt beside it or give --tilts "
            "START:STOP:STEP"
        )
    title = str(signal.get("metadata", {}).get("General", {}).get("title") or "") or "HAADF"
    return _series(
        {title: data}, np.asarray(tilts, float), *_scale(signal), source=path, files=(str(path),)
    )


def _series(channels, tilts, pixel_size, units, *, source, files, notes=()) -> TiltSeries:
    n, name = next(iter(channels.values())).shape[0], Path(source).name
    if tilts.size != n:
        raise DataError(f"{name}: {tilts.size} tilt angles for {n} images; give one per image")
    check_series(channels, tilts, name)
    order = np.argsort(tilts, kind="stable")
    channels = {k: np.ascontiguousarray(v[order]) for k, v in channels.items()}
    return TiltSeries(
        channels,
        tilts[order],
        pixel_size,
        units,
        str(source),
        tuple(np.asarray(files)[order]) if len(files) == n else tuple(files),
        tuple(notes),
        tuple(int(k) for k in order),
    )


SpectrumMaps = Callable[[np.ndarray, np.ndarray], dict]


def angle_from_metadata(signal: dict) -> float | None:
    """Stage α tilt of a signal, degrees: HyperSpy's ``Stage.tilt_alpha`` (DM, Velox, Bruker) or
    Velox's ``AlphaTilt`` (rad)."""
    stage = (
        signal.get("metadata", {}).get("Acquisition_instrument", {}).get("TEM", {}).get("Stage", {})
    )
    if "tilt_alpha" in stage:
        return float(stage["tilt_alpha"])
    alpha = signal.get("original_metadata", {}).get("Stage", {}).get("AlphaTilt")
    return float(np.rad2deg(float(alpha))) if alpha is not None else None


def _bruker_options(spectrum_maps: SpectrumMaps | None, limit_ev: float | None) -> dict:
    """Decode only what is used: the image alone without maps, the spectra up to ``limit_ev``."""
    if spectrum_maps is None:
        return {"select_type": "image"}
    return {} if limit_ev is None else {"cutoff_at_kV": limit_ev / 1000.0}


def _per_tilt(
    path: Path, spectrum_maps: SpectrumMaps | None, limit_ev: float | None
) -> tuple[dict[str, np.ndarray], float, str, float | None]:
    signals = _signals(path, _bruker_options(spectrum_maps, limit_ev))
    images = [s for s in signals if np.ndim(s["data"]) == 2]
    cubes = [
        s for s in signals if np.ndim(s["data"]) == 3 and not s["axes"][-1].get("navigate", True)
    ]
    out = {}
    if images:
        out["HAADF"] = np.asarray(images[0]["data"], dtype=np.float32)
    if spectrum_maps is not None:
        if not cubes:
            raise DataError(
                f"{path.name} holds no spectrum image; element maps need EDS data in every file"
            )
        energy = cubes[0]["axes"][-1]
        factor = 1000.0 if str(energy.get("units", "keV")).lower() == "kev" else 1.0
        energies = (
            energy.get("offset", 0.0) + energy.get("scale", 1.0) * np.arange(energy["size"])
        ) * factor
        out.update(spectrum_maps(np.asarray(cubes[0]["data"]), energies))
    if not out:
        raise DataError(
            tiff_stack_text(path)
            or f"{path.name} holds no image; each per-tilt file needs a HAADF image"
        )
    first = (images or cubes)[0]
    return out, *_scale(first), angle_from_metadata(first)


def _read_folder(
    path: Path,
    spectrum_maps: SpectrumMaps | None,
    limit_ev: float | None,
    progress: Callable[[float, str], None] | None,
) -> TiltSeries:
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in FILE_SUFFIXES)
    if len(files) < 2:
        raise DataError(
            "holds fewer than two per-tilt files (e.g. -40.bcf, 35.bcf); open a tilt series"
        )
    per_tilt = []
    for k, file in enumerate(files):
        per_tilt.append(_per_tilt(file, spectrum_maps, limit_ev))
        if progress is not None:
            progress((k + 1) / len(files), f"read {file.name}")
    names = list(per_tilt[0][0])
    shapes = {c[0][n].shape for c in per_tilt for n in names if n in c[0]}
    if len(shapes) != 1 or any(set(c[0]) != set(names) for c in per_tilt):
        raise DataError(
            "per-tilt files differ in image size or content; a tilt series needs identical "
            "acquisitions"
        )
    channels = {n: np.stack([c[0][n] for c in per_tilt]) for n in names}
    tilts = _folder_tilts(files, [c[3] for c in per_tilt])
    return _series(
        channels,
        tilts,
        per_tilt[0][1],
        per_tilt[0][2],
        source=path,
        files=tuple(str(f) for f in files),
    )


def _folder_tilts(files: list[Path], from_metadata: list[float | None]) -> np.ndarray:
    """Angles from the file names when each has a distinct number, else from the stage α in each
    file."""
    named = [angle_from_name(f) for f in files]
    if None not in named and len(set(named)) == len(named):
        return np.array(named, dtype=float)
    if None not in from_metadata and len(set(from_metadata)) == len(from_metadata):
        return np.array(from_metadata, dtype=float)
    raise DataError(
        "has files that neither their names nor their stage tilt tell apart; name them by angle "
        "(e.g. -40.tif) or give --tilts"
    )


def _remember_inputs(path: Path) -> None:
    """Record the series' files (per-tilt files, or the stack and its angle files) as raw."""
    if path.is_dir():
        beside = [p for p in path.iterdir() if p.suffix.lower() in FILE_SUFFIXES]
    else:
        beside = [path.with_suffix(s) for s in (*TILT_FILE_SUFFIXES, ".mdoc", ".mrc")]
    for file in [path, *beside]:
        if file.exists():
            remember_input(file)


def load_tilt_series(
    path: str | Path,
    *,
    tilts: np.ndarray | None = None,
    spectrum_maps: SpectrumMaps | None = None,
    spectrum_limit_ev: float | None = None,
    progress: Callable[[float, str], None] | None = None,
    copies: float = 1.0,
    fallback_tilts: np.ndarray | None = None,
) -> TiltSeries:
    """Read a tilt series (module docstring); a stack file is checked against the memory
    budget from its header before any data is read.

    Parameters
    ----------
    path : str or Path
        Stack file, ``.mdoc``, or folder of per-tilt files.
    tilts : ndarray, optional
        Override the tilt angles, degrees (in file order).
    spectrum_maps : callable, optional
        ``spectrum_maps(cube, energies_ev) -> {name: map}`` applied to the
        spectrum image of every per-tilt file (e.g. X-ray line maps); each
        map becomes a channel.
    spectrum_limit_ev : float, optional
        Highest energy ``spectrum_maps`` reads, eV: Bruker spectra are decoded only up to it
        (several times faster). Without ``spectrum_maps`` only the Bruker images are decoded.
    progress : callable, optional
    copies : float, optional
        Copies of the stack the caller will hold at once (alignment and reconstruction: about
        4); a stack whose decoded size times ``copies`` exceeds the memory budget is refused.
    fallback_tilts : ndarray, optional
        Tilt angles (file order, degrees) of a stack file without its own (axis or tilt file).

    Returns
    -------
    TiltSeries

    Raises
    ------
    DataError
        Missing files or angles, inconsistent per-tilt files, or a stack beyond the memory
        budget (:func:`~insitu_tem.io.readers.budget.check_in_memory`).
    """
    path = Path(path)
    if not path.exists():
        raise DataError("no such file or folder; check the path")
    _remember_inputs(path)
    if path.suffix.lower() == ".mdoc":
        stack = path.with_suffix("") if path.with_suffix("").suffix else path.with_suffix(".mrc")
        return _read_stack(stack, read_tilt_file(path) if tilts is None else tilts, copies)
    if path.is_dir():
        series = _read_folder(path, spectrum_maps, spectrum_limit_ev, progress)
        if tilts is not None:
            series = _series(
                series.channels,
                np.asarray(tilts, float),
                series.pixel_size,
                series.units,
                source=path,
                files=series.files,
            )
        return series
    if path.suffix.lower() in STACK_SUFFIXES:
        return _read_stack(path, tilts, copies, fallback_tilts)
    raise DataError(
        f"unsupported tilt-series file {path.suffix!r}; open an .mrc/.ali (with .rawtlt), .hspy, "
        ".mdoc, or a folder of per-tilt files named by angle"
    )
