"""Open any supported microscope file as a calibrated :class:`Dataset`.

``load(path)`` picks the reader from the suffix (rosettasciio for
DigitalMicrograph, EMD, TIA, MRC, HyperSpy, MSA and blockfiles; tifffile for
TIFF stacks and folders of frames; imageio-ffmpeg for videos; numpy for .npy),
decides the kind (movie, image, pattern, series, spectrum), normalises units
and fixes awkward dtypes. The decoded size is read from the header first
(:mod:`insitu_tem.io.readers.budget`): data above 512 MB load lazily, data beyond the
memory budget or decompression bombs are refused, and HDF5 files may not reach
outside their folder. Raw files are opened read-only, recorded so that no output
ever replaces them, and never written. Anything unreadable raises
:class:`DataError` (with ``filename``) with a message that says what to do.
"""

from __future__ import annotations

import os
from pathlib import Path

from insitu_tem.core.model import DataError, Dataset
from insitu_tem.io.readers.budget import decoded_size, plan_load
from insitu_tem.io.kinds import build_dataset, natural_kind, with_article
from insitu_tem.io.outputs import remember_input
from insitu_tem.io.readers import RawSignal
from insitu_tem.io.readers import npy_reader
from insitu_tem.io.readers import rsciio_reader
from insitu_tem.io.readers import tiff_reader
from insitu_tem.io.readers import video_reader
from insitu_tem.io.sniff import wrong_extension

SUPPORTED_SUFFIXES = (
    tuple(rsciio_reader.PLUGIN_BY_SUFFIX)
    + tiff_reader.TIFF_SUFFIXES
    + video_reader.VIDEO_SUFFIXES
    + (".npy",)
)

_TIFF_NAME = "a TIFF file"
_VIDEO_NAME = "a video file"


_TILT_PART = (
    "is part of a tilt series (IMOD); open its folder or stack with `insitu-tem tomo` or in the "
    "Tomography panel"
)
_LOG = "looks like a holder log; read it with `insitu-tem log` or the Timeline panel's Open Log…"
_READ_ELSEWHERE = {
    ".zip": "is a zip archive; unzip it and open the files inside",
    ".st": _TILT_PART,
    ".mdoc": _TILT_PART,
    ".rawtlt": _TILT_PART,
    ".tlt": _TILT_PART,
    ".csv": _LOG,
    ".tsv": _LOG,
    ".txt": _LOG,
    ".dens": _LOG,
}
"""What to do with a file a data reader does not take but another part of insitu-tem does."""


def _size_on_disk(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in tiff_reader.numbered_frames(path))
    return path.stat().st_size


def _check_path(path: Path) -> None:
    if not path.exists():
        raise DataError("no such file or folder; check the path")
    if path.is_dir():
        if not os.access(path, os.R_OK | os.X_OK):
            raise DataError(
                "is a folder that cannot be read (permission denied); check its permissions"
            )
        if not tiff_reader.numbered_frames(path):
            raise DataError(
                "is a folder without TIFF frames; open a data file, or a folder of numbered .tif "
                "frames"
            )
        return
    if not os.access(path, os.R_OK):
        raise DataError("cannot be read (permission denied); check the file's permissions")
    if path.stat().st_size == 0:
        raise DataError("is empty (0 bytes); the transfer may have failed — copy the file again")
    suffix = path.suffix.lower()
    if suffix in _READ_ELSEWHERE or suffix not in SUPPORTED_SUFFIXES:
        renamed = wrong_extension(path, known=(*SUPPORTED_SUFFIXES, *_READ_ELSEWHERE))
        if renamed is not None:
            raise DataError(renamed)
    if suffix in _READ_ELSEWHERE:
        raise DataError(_READ_ELSEWHERE[suffix])
    if suffix not in SUPPORTED_SUFFIXES:
        raise DataError(
            f"unsupported file type {path.suffix or '(no extension)'!r}; insitu-tem reads "
            + ", ".join(sorted(set(SUPPORTED_SUFFIXES)))
        )


def _read_raw(path: Path, *, lazy: bool) -> tuple[list[RawSignal], str]:
    suffix = path.suffix.lower()
    if path.is_dir():
        return tiff_reader.read_folder(path, lazy=lazy), "a folder of TIFF frames"
    if suffix in rsciio_reader.PLUGIN_BY_SUFFIX:
        plugin = rsciio_reader.PLUGIN_BY_SUFFIX[suffix]
        return rsciio_reader.read(path, lazy=lazy), rsciio_reader.FORMAT_NAMES[plugin]
    if suffix in tiff_reader.TIFF_SUFFIXES:
        return tiff_reader.read(path, lazy=lazy), _TIFF_NAME
    if suffix in video_reader.VIDEO_SUFFIXES:
        return video_reader.read(path, lazy=lazy), _VIDEO_NAME
    return npy_reader.read(path, lazy=lazy), "a numpy .npy file"


def read_signals(
    path: str | os.PathLike, *, lazy: bool | None = None
) -> tuple[list[RawSignal], bool]:
    """Read all signals of a file without choosing one.

    Returns
    -------
    signals : list of RawSignal
    lazy : bool
        Whether arrays are dask arrays.
    """
    path = Path(path)
    try:
        return _read_signals(path, lazy=lazy)
    except DataError as error:
        error.filename = str(path)
        raise


def _read_signals(path: Path, *, lazy: bool | None) -> tuple[list[RawSignal], bool]:
    _check_path(path)
    remember_input(path)
    if path.is_dir():
        for frame in tiff_reader.numbered_frames(path):
            remember_input(frame)
    try:
        size = decoded_size(path)
        lazy = plan_load(size, lazy=lazy, disk_bytes=_size_on_disk(path))
        signals, format_name = _read_raw(path, lazy=lazy)
    except (DataError, ImportError):
        raise
    except MemoryError as error:
        raise DataError(
            "does not fit in memory: its header may be damaged (copy it again) or, if it is "
            "genuine, read it lazily (load(..., lazy=True), `insitu-tem info --lazy`)"
        ) from error
    except Exception as error:  # noqa: BLE001 - readers raise anything on corrupt files
        raise _unreadable(path, error) from error
    if not signals:
        raise DataError("holds no data signal; check that the acquisition was saved")
    for signal in signals:
        signal.metadata["load_notes"] = list(size.warnings) if size else []
    return signals, lazy


def _unreadable(path: Path, error: BaseException) -> DataError:
    renamed = None if path.is_dir() else wrong_extension(path, known=SUPPORTED_SUFFIXES)
    if renamed is not None:
        return DataError(renamed)
    suffix = path.suffix.lower()
    if path.is_dir():
        name = "a folder of TIFF frames"
    elif suffix in rsciio_reader.PLUGIN_BY_SUFFIX:
        name = rsciio_reader.FORMAT_NAMES[rsciio_reader.PLUGIN_BY_SUFFIX[suffix]]
    elif suffix in tiff_reader.TIFF_SUFFIXES:
        name = _TIFF_NAME
    elif suffix in video_reader.VIDEO_SUFFIXES:
        name = _VIDEO_NAME
    else:
        name = f"a {suffix} file"
    detail = " ".join(str(error).split())[:120] or type(error).__name__
    return DataError(
        f"cannot be read as {name} ({type(error).__name__}: {detail}); "
        "it may be truncated, corrupted or have the wrong extension — re-export or copy it again"
    )


def list_signals(path: str | os.PathLike) -> list[str]:
    """Titles of the signals in a file, in file order (lazy, nothing loaded)."""
    signals, _ = read_signals(path, lazy=True)
    return [f"{i}: {s.title}" for i, s in enumerate(signals)]


def load(
    path: str | os.PathLike,
    *,
    signal: int | None = None,
    lazy: bool | None = None,
    kind: str | None = None,
) -> Dataset:
    """Load one signal of a microscope file as a calibrated Dataset.

    Parameters
    ----------
    path : str or PathLike
        File (or folder of numbered TIFF frames).
    signal : int, optional
        Index of the signal in a multi-signal file; default the one the window opens
        (:func:`.signal_summaries.preferred_signal`: the first that can be opened, a
        complex-valued one only when nothing else can), with a warning listing the others; with
        ``kind``, the same choice among the signals that are that kind (their axes say so),
        else the first that opens as that kind. Choosing reads no data: only the dtypes and
        axes, and a signal that cannot be opened is passed over.
    lazy : bool, optional
        True for a dask array, False to read into memory; default: lazy when the
        decoded data (from the header) exceed 512 MB.
    kind : str, optional
        Force the interpretation ("image" or "pattern", "movie" or
        "pattern_series") when the file does not say.

    Returns
    -------
    Dataset
        Axes in canonical units (nm, 1/nm, eV, s; px when uncalibrated) with
        warnings for anything odd.

    Raises
    ------
    DataError
        For missing, empty, unreadable or unsupported files and bad indices.
    """
    signals, _ = read_signals(path, lazy=lazy)
    return dataset_of(signals, path, signal=signal, kind=kind)


def dataset_of(
    signals: list[RawSignal], path: str | os.PathLike, *, signal: int | None, kind: str | None
) -> Dataset:
    """The dataset :func:`load` gives of the file's ``signals`` (read by :func:`read_signals`)."""
    if signal is not None or len(signals) == 1:
        return _build(signals, path, 0 if signal is None else int(signal), kind=kind, notes=[])
    ranked = sorted(
        range(len(signals)),
        key=lambda i: (
            kind is not None and natural_kind(signals[i]) != kind,
            signals[i].array.dtype.kind == "c",
        ),
    )
    errors = []
    for index in ranked:
        try:
            note = _choice_note(signals, index, kind=kind)
            return _build(signals, path, index, kind=kind, notes=[note])
        except DataError as error:
            errors.append(error)
    raise errors[0]


def _choice_note(signals: list[RawSignal], index: int, *, kind: str | None) -> str:
    """The warning of a multi-signal file opened without ``--signal``: every signal, the one
    opened (:func:`.signal_summaries.preferred_signal`'s choice, or the first to open as
    ``kind``) and how to open another."""
    listed = ", ".join(f"{i}: {s.title}" for i, s in enumerate(signals))
    if index == 0:
        why = ""
    elif kind is None:
        why = ", the first recorded signal that opens (a complex-valued one, an FFT, is computed)"
    elif natural_kind(signals[index]) == kind:
        why = f", the first recorded {kind} that opens (a complex-valued one, an FFT, is computed)"
    else:
        why = f", the first that opens as {with_article(kind)}"
    return (
        f"file holds {len(signals)} signals, numbered from 0 as --signal takes them ({listed}); "
        f"showing {index}: {signals[index].title}"
        f"{why} — choose another with --signal N"
    )


def _build(
    signals: list[RawSignal],
    path: str | os.PathLike,
    index: int,
    *,
    kind: str | None,
    notes: list[str],
) -> Dataset:
    if not 0 <= index < len(signals):
        titles = ", ".join(f"{i}: {s.title}" for i, s in enumerate(signals))
        raise DataError(
            f"has no signal {index}; it holds {len(signals)} ({titles}) — choose with --signal N"
        )
    signals[index].metadata["signal_index"] = index
    notes = notes + signals[index].metadata.get("load_notes", [])
    try:
        return build_dataset(
            signals[index],
            source=str(Path(path)),
            signals=tuple(s.title for s in signals),
            notes=notes,
            kind=kind,
        )
    except DataError as error:
        error.filename = str(path)
        raise
