"""The signals of a multi-signal file summarised for the user to choose one, and the one to
open first."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from insitu_tem.core.model import Axis, DataError, Dataset
from insitu_tem.io.kinds import build_dataset
from insitu_tem.io.load import dataset_of, read_signals
from insitu_tem.io.readers import RawSignal


@dataclass(frozen=True)
class SignalSummary:
    """One signal of a file, as a chooser lists it.

    Attributes
    ----------
    index : int
        Position in the file: ``load(path, signal=index)`` opens it.
    title : str
        The file's title for it.
    kind : str
        The :class:`Dataset` kind it opens as ("image", "movie", "spectrum_series", ...); "" when
        it cannot be opened.
    signal_type : str
        The reader's tag ("EELS", "EDS_TEM", "diffraction", ...), "" when unknown.
    axes : tuple of Axis
        Calibrated axes (nm, 1/nm, eV, s or px), navigation first; the stored shape when it
        cannot be opened (uncalibrated).
    problem : str
        Why it cannot be opened; "" when it can.
    notes : tuple of str
        What the reader noticed in it (complex data, no calibration, ...), as
        :attr:`Dataset.warnings`.
    detector : str
        The detector that recorded it, when the file says (Velox: "UltraX3", "DF-S", ...).
    complex_valued : bool
        Whether its values are complex: computed from another signal (an FFT, an exit wave), as
        detectors record real counts.
    """

    index: int
    title: str
    kind: str
    signal_type: str
    axes: tuple[Axis, ...]
    problem: str = ""
    notes: tuple[str, ...] = ()
    detector: str = ""
    complex_valued: bool = False


def preferred_signal(summaries) -> int:
    """The signal of a multi-signal file to open first (``summaries``: all of them, in file
    order): the first recorded one that can be opened, a complex-valued signal (an FFT computed
    from the image beside it) only when the file holds nothing else; the first when none can
    be opened."""
    openable = [s for s in summaries if s.kind and not s.problem] or list(summaries)
    return min(openable, key=lambda s: s.complex_valued).index


def _summary(index: int, raw: RawSignal, path: Path) -> SignalSummary:
    detector = str(raw.metadata.get("detector", ""))
    try:
        dataset = build_dataset(raw, source=str(path))
    except DataError as error:
        axes = tuple(Axis(a.name, a.size) for a in raw.axes)
        return SignalSummary(
            index, raw.title, "", raw.signal_type, axes, str(error), detector=detector
        )
    return SignalSummary(
        index,
        raw.title,
        dataset.kind,
        raw.signal_type,
        dataset.axes,
        notes=dataset.warnings,
        detector=detector,
        complex_valued=dataset.array.dtype.kind == "c",
    )


def load_or_list(path: str | os.PathLike) -> Dataset | tuple[SignalSummary, ...]:
    """What opening a file without naming a signal gives: its dataset when it holds one signal,
    else a summary of each of its signals, for the user to choose one (``load(path, signal=i)``).

    Raises
    ------
    DataError
        As :func:`load`.
    """
    signals, _ = read_signals(path)
    if len(signals) == 1:
        return dataset_of(signals, path, signal=None, kind=None)
    return tuple(_summary(i, raw, Path(path)) for i, raw in enumerate(signals))


def load_and_list(
    path: str | os.PathLike,
    *,
    signal: int | None = None,
    lazy: bool | None = None,
    kind: str | None = None,
) -> tuple[Dataset, tuple[SignalSummary, ...]]:
    """:func:`load` one signal and summarise every signal of the file, reading it once.

    Parameters are those of :func:`load`.

    Returns
    -------
    dataset : Dataset
        The signal ``load`` gives.
    summaries : tuple of SignalSummary
        One per signal of the file, in file order (one for a single-signal file).

    Raises
    ------
    DataError
        As :func:`load`.
    """
    signals, _ = read_signals(path, lazy=lazy)
    dataset = dataset_of(signals, path, signal=signal, kind=kind)
    index = dataset.metadata.get("signal_index", 0)
    opened = SignalSummary(
        index,
        signals[index].title,
        dataset.kind,
        signals[index].signal_type,
        dataset.axes,
        detector=str(signals[index].metadata.get("detector", "")),
    )
    return dataset, tuple(
        opened if i == index else _summary(i, raw, Path(path)) for i, raw in enumerate(signals)
    )
