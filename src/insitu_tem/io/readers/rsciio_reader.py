"""Readers built on rosettasciio: DigitalMicrograph, EMD, TIA, MRC, HyperSpy, MSA, blockfile."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np

from insitu_tem.core.model import DataError
from insitu_tem.io.readers.acquisition_time import digitalmicrograph_times, velox_times
from insitu_tem.io.readers.bcf_check import check_bcf_complete
from insitu_tem.io.readers.imports import locked_import
from insitu_tem.io.readers.raw import CapturedLog, RawAxis, RawSignal
from insitu_tem.io.readers.rsciio_pread import install as install_pread_chunks

PLUGIN_BY_SUFFIX = {
    ".dm3": "digitalmicrograph",
    ".dm4": "digitalmicrograph",
    ".emd": "emd",
    ".ser": "tia",
    ".emi": "tia",
    ".mrc": "mrc",
    ".mrcs": "mrc",
    ".ali": "mrc",
    ".rec": "mrc",
    ".hspy": "hspy",
    ".hdf5": "hspy",
    ".msa": "msa",
    ".bcf": "bruker",
    ".ems": "msa",
    ".mas": "msa",
    ".emsa": "msa",
    ".blo": "blockfile",
}

FORMAT_NAMES = {
    "digitalmicrograph": "a DigitalMicrograph file",
    "emd": "an EMD (HDF5) file",
    "tia": "a TIA .ser/.emi file",
    "mrc": "an MRC file",
    "hspy": "a HyperSpy HDF5 file",
    "msa": "an EMSA/MSA spectrum",
    "blockfile": "a NanoMegas blockfile",
    "bruker": "a Bruker .bcf (image and EDS spectrum image)",
}

_LAZY_PLUGINS = {"digitalmicrograph", "emd", "tia", "mrc", "hspy", "blockfile", "bruker"}


def _nested(tree: dict, *keys: str, default: Any = None) -> Any:
    for key in keys:
        if not isinstance(tree, dict) or key not in tree:
            return default
        tree = tree[key]
    return tree


_VOLTAGE_PATHS_V = (
    ("ImageList", "TagGroup0", "ImageTags", "Microscope Info", "Voltage"),
    ("ObjectInfo", "ExperimentalConditions", "MicroscopeConditions", "AcceleratingVoltage"),
    ("Optics", "AccelerationVoltage"),
    ("microscope", "high tension"),
)


def _beam_energy_kV(signal: dict) -> float | None:
    energy = _nested(signal.get("metadata", {}), "Acquisition_instrument", "TEM", "beam_energy")
    if energy:
        return float(energy)
    original = signal.get("original_metadata", {})
    for path in _VOLTAGE_PATHS_V:
        volts = _nested(original, *path)
        try:
            if volts and float(volts) > 0:
                return float(volts) / 1000.0
        except (TypeError, ValueError):
            continue
    return None


_CS_PATHS_MM = (("ImageList", "TagGroup0", "ImageTags", "Microscope Info", "Cs(mm)"),)
_DEFOCUS_PATHS_NM = (
    (("Optics", "Defocus"), -1e9),
    (("ObjectInfo", "ExperimentalDescription", "Defocus_um"), -1e3),
)


def _first_number(tree: dict, paths) -> float | None:
    for path, factor in paths:
        try:
            value = float(_nested(tree, *path))
        except (TypeError, ValueError):
            continue
        if np.isfinite(value):
            return value * factor
    return None


def aberrations(original: dict) -> dict:
    """``cs_mm`` and ``defocus_nm`` (positive underfocus) where the file's original metadata
    ``original`` gives them: Cs from DigitalMicrograph's Microscope Info (``Cs(mm)``); the
    defocus from Velox EMD (``Optics/Defocus``, m) or TIA (``Defocus_um``), both written by
    Thermo Fisher microscopes whose defocus is negative for underfocus."""
    found = {
        "cs_mm": _first_number(original, [(path, 1.0) for path in _CS_PATHS_MM]),
        "defocus_nm": _first_number(original, _DEFOCUS_PATHS_NM),
    }
    return {key: value for key, value in found.items() if value is not None}


def _signal_type(signal: dict) -> str:
    declared = _nested(signal.get("metadata", {}), "Signal", "signal_type", default="") or ""
    if declared:
        return str(declared)
    tags = _nested(signal.get("original_metadata", {}), "ImageList", "TagGroup0", "ImageTags") or {}
    mode = str(_nested(tags, "Microscope Info", "Imaging Mode", default="")).upper()
    return "diffraction" if mode == "DIFFRACTION" else ""


def _raw_axes(signal: dict) -> tuple[RawAxis, ...]:
    axes = []
    for axis in signal["axes"]:
        axes.append(
            RawAxis(
                name=str(axis.get("name") or ""),
                size=int(axis["size"]),
                scale=float(axis.get("scale", 1.0)),
                offset=float(axis.get("offset", 0.0)),
                units=str(axis.get("units") or ""),
                navigate=bool(axis.get("navigate", False)),
            )
        )
    return tuple(axes)


def _acquisition_times(signal: dict, plugin: str, path: Path) -> dict:
    if plugin == "emd":
        return velox_times(signal, path)
    if plugin == "digitalmicrograph":
        return digitalmicrograph_times(signal)
    return {}


def _to_raw(signal: dict, index: int, plugin: str, path: Path) -> RawSignal:
    title = _nested(signal.get("metadata", {}), "General", "title", default="") or f"signal {index}"
    metadata = {"title": str(title), **_acquisition_times(signal, plugin, path)}
    energy = _beam_energy_kV(signal)
    if energy:
        metadata["beam_energy_kV"] = energy
    metadata.update(aberrations(signal.get("original_metadata", {})))
    detector = _nested(signal.get("original_metadata", {}), "BinaryResult", "Detector")
    if isinstance(detector, str) and detector.strip():
        metadata["detector"] = detector.strip()
    elements = _nested(signal.get("metadata", {}), "Sample", "elements", default=())
    elements = [elements] if isinstance(elements, str) else list(elements)
    if elements:
        metadata["elements"] = [str(symbol) for symbol in elements]
    return RawSignal(
        array=signal["data"],
        axes=_raw_axes(signal),
        title=str(title),
        signal_type=_signal_type(signal),
        metadata=metadata,
    )


def read(path: Path, *, lazy: bool) -> list[RawSignal]:
    """Read every signal of ``path`` with the rosettasciio plugin for its suffix.

    Parameters
    ----------
    path : Path
        File with a suffix in :data:`PLUGIN_BY_SUFFIX`.
    lazy : bool
        Return dask arrays where the plugin supports it.

    Returns
    -------
    list of RawSignal
        One per signal in the file, in file order. Reader log messages and
        warnings are kept in ``metadata["reader_log"]``.
    """
    plugin = PLUGIN_BY_SUFFIX[path.suffix.lower()]
    if plugin == "bruker":
        check_bcf_complete(path)
    lazy = lazy and plugin in _LAZY_PLUGINS
    in_memory = lazy and plugin == "emd" and _small_velox_stream(path)
    if lazy:
        locked_import("dask.array")
        install_pread_chunks()
    module = locked_import(f"rsciio.{plugin}")
    log = CapturedLog("rsciio")
    with warnings.catch_warnings(record=True) as caught, log:
        warnings.simplefilter("always")
        signals = module.file_reader(
            str(path), **({"lazy": True} if lazy and not in_memory else {})
        )
    messages = log.messages + [str(w.message) for w in caught]
    if plugin == "msa":
        _check_msa_complete(signals[0])
    raws = [_to_raw(signal, i, plugin, path) for i, signal in enumerate(signals)]
    for raw in raws:
        raw.metadata["reader_log"] = messages
    return raws


def _small_velox_stream(path: Path) -> bool:
    """Whether a Velox file with a spectrum stream decodes to at most
    :data:`~insitu_tem.io.readers.budget.LAZY_BYTES`: then it is decoded into memory, not by
    rosettasciio's slow lazy stream reader (:mod:`.velox_stream`)."""
    from insitu_tem.io.readers.budget import LAZY_BYTES
    from insitu_tem.io.readers.velox_stream import decoded_bytes

    size = decoded_bytes(path)
    return size is not None and size <= LAZY_BYTES


def _check_msa_complete(signal: dict) -> None:
    """Refuse an EMSA/MSA spectrum with fewer values than its header's ``#NPOINTS`` (times
    ``#NCOLUMNS``): rosettasciio reads a file cut short as a shorter spectrum."""
    header = signal.get("original_metadata", {})
    try:
        expected = int(float(header["NPOINTS"])) * max(1, int(float(header.get("NCOLUMNS", 1))))
    except (KeyError, TypeError, ValueError):
        return
    found = int(np.size(signal["data"]))
    if found < expected:
        raise DataError(
            f"its header says {expected} values (#NPOINTS) but the file holds {found}; it is "
            "truncated — copy or export it again"
        )


def is_structured_rgb(array: Any) -> bool:
    """True for DigitalMicrograph RGB(A) data stored as a structured dtype."""
    names = np.dtype(array.dtype).names or ()
    return {"R", "G", "B"} <= set(names)
