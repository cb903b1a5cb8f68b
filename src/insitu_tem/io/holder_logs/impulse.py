"""DENSsolutions Impulse logs: ``<name>_Synchronized data.csv`` or ``<name>_Heat raw.csv`` with
``<name>_Metadata.log`` beside it.

The CSV has ``TimeStamp`` (holder PC clock, ``HH:MM:SS.fff``), ``Experiment time`` (s) and one
column per channel, units in parentheses where given. The metadata log has the experiment date
(``dd-mm-yyyy``), start time, gases, mass-spectrometer channels and the live notes
(``HH:MM:SS: text``). The start is placed so that the time stamps and experiment times agree
(median), which keeps the milliseconds that the metadata's start time leaves out.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from insitu_tem.core.holder_log import HolderLog, LogChannel, LogNote
from insitu_tem.core.model import DataError
from insitu_tem.io.holder_logs.lines import complete_text
from insitu_tem.io.outputs import remember_input
from insitu_tem.io.holder_logs.units import (
    clock_seconds,
    numeric_column,
    split_name_units,
    unwrap_midnight,
)
from insitu_tem.io.raw_formats import log_text

SUFFIXES = ("_Synchronized data.csv", "_Heat raw.csv")


def read(path: Path) -> HolderLog:
    """Read an Impulse CSV and, when present, the metadata log beside it."""
    text, warnings = complete_text(path)
    lines = io.StringIO(text, newline="")
    rows = [[cell.strip() for cell in row] for row in csv.reader(lines) if row]
    header, body = rows[0], [row for row in rows[1:] if len(row) == len(rows[0])]
    if len(body) < 2:
        raise DataError("has fewer than two complete data rows; export the Impulse log again")
    time_s = numeric_column([row[1] for row in body])
    if time_s is None:
        raise DataError("has an 'Experiment time' column that is not numeric")
    clock = unwrap_midnight(np.array([clock_seconds(row[0]) for row in body]))
    metadata, notes_text = _metadata(path)
    start = _start(metadata, clock - time_s)
    channels = {}
    for index, title in enumerate(header[2:], start=2):
        values = numeric_column([row[index] for row in body])
        if values is not None:
            name, units = _impulse_name_units(title, metadata)
            channels[name] = LogChannel(name, units, values)
    notes = tuple(_note(text, start, clock[0] - time_s[0]) for text in notes_text)
    return HolderLog(
        source=str(path),
        format="impulse",
        start=start,
        time_s=time_s,
        channels=channels,
        notes=tuple(n for n in notes if n is not None),
        metadata=metadata,
        warnings=warnings,
    )


def metadata_given(path: Path) -> str:
    """What to do when an Impulse ``<name>_Metadata.log`` is given as the log: the message
    names the data log beside it, which reads the metadata for its date and live notes."""
    stem = path.name.removesuffix("_Metadata.log")
    beside = [f"'{stem}{s}'" for s in SUFFIXES if path.with_name(stem + s).is_file()]
    logs = " or ".join(beside or [f"'{stem}{s}'" for s in SUFFIXES])
    return (
        f"is the metadata of a DENSsolutions Impulse log, not the log; give {logs} "
        "(its date and live notes are read from this file)"
    )


def _impulse_name_units(title: str, metadata: dict[str, str]) -> tuple[str, str]:
    name, units = split_name_units(title)
    if name.startswith("%"):
        gas = metadata.get(name.split()[1], "") if len(name.split()) > 1 else ""
        return (f"% {gas} measured" if gas else name), "%"
    if name.startswith("Channel#"):
        label = metadata.get(f"MassSpec channel {name[len('Channel#') :]}", "")
        return (f"mass spec {label}" if label else name), units
    if name.startswith("Temperature") and not units:
        return name, "°C"
    return name, units


def _metadata(path: Path) -> tuple[dict[str, str], list[str]]:
    name = path.name
    stem = next((name[: -len(s)] for s in SUFFIXES if name.endswith(s)), None)
    meta_path = path.with_name(f"{stem}_Metadata.log") if stem is not None else None
    if meta_path is None or not meta_path.is_file():
        return {}, []
    remember_input(meta_path)
    metadata: dict[str, str] = {}
    notes: list[str] = []
    in_notes = False
    for line in log_text(meta_path.read_bytes()).splitlines():
        key, sep, value = line.partition(",")
        if in_notes and not (sep and key.strip() and not key[:2].isdigit()):
            notes.append(line.strip())
            continue
        in_notes = key.strip() == "Live notes"
        if in_notes:
            notes.append(value.strip())
        elif sep:
            metadata[key.strip()] = value.strip().strip('"')
    return metadata, [n for n in notes if n]


def _start(metadata: dict[str, str], clock_minus_time: np.ndarray) -> datetime | None:
    date = metadata.get("Experiment date")
    if not date:
        return None
    try:
        day = datetime.strptime(date, "%d-%m-%Y")
    except ValueError:
        return None
    return day + timedelta(seconds=float(np.median(clock_minus_time)))


def _note(text: str, start: datetime | None, start_clock: float) -> LogNote | None:
    stamp, sep, message = text.partition(": ")
    if not sep:
        return None
    try:
        seconds = clock_seconds(stamp)
    except DataError:
        return None
    origin = (
        start_clock
        if start is None
        else (start - start.replace(hour=0, minute=0, second=0, microsecond=0)).total_seconds()
    )
    offset = seconds - origin
    if offset < -43200:
        offset += 86400.0
    return LogNote(offset, message.strip())
