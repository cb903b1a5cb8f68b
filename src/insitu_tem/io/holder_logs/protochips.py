"""Protochips AXON / Fusion / Atmosphere CSV logs (electrical, thermal, gas, electrothermal).

Layout: a header row ``Time, Notes, <channel>, ...``; rows with time 0 whose Notes cell holds
``Key = Value`` (date ``yyyy.mm.dd``, time ``hh:mm:ss.ms``, ``<Quantity> units = <name>``); then
data rows, time in the stated time units (milliseconds) from the start date and time. A Notes
cell without ``=`` on a data row is a live note.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

from insitu_tem.core.holder_log import HolderLog, LogChannel, LogNote
from insitu_tem.core.model import DataError
from insitu_tem.io.holder_logs.lines import complete_text
from insitu_tem.io.holder_logs.units import SECONDS_PER, numeric_column, unit_symbol


def read(path: Path) -> HolderLog:
    """Read one Protochips CSV (see the module docstring for the layout)."""
    text, warnings = complete_text(path)
    lines = io.StringIO(text, newline="")
    rows = [[cell.strip() for cell in row] for row in csv.reader(lines) if row]
    header, body = rows[0], rows[1:]
    if len(header) < 3 or any(len(row) != len(header) for row in body):
        raise DataError(
            "is not a complete Protochips log (rows of unequal length); "
            "export the log again from the holder software"
        )
    metadata, data_rows = _split_header_rows(body)
    if len(data_rows) < 2:
        raise DataError("has no data rows; give a log recorded for at least two time stamps")
    time_units = metadata.get("Time units", "Milliseconds").lower()
    if time_units not in SECONDS_PER:
        raise DataError(f"has time units {time_units!r}; expected milliseconds or seconds")
    time = numeric_column([row[0] for row in data_rows])
    if time is None:
        raise DataError("has a time column that is not numeric")
    time_s = time * SECONDS_PER[time_units]
    channels = {}
    for index, name in enumerate(header[2:], start=2):
        values = numeric_column([row[index] for row in data_rows])
        if values is not None:
            channels[name] = LogChannel(name, _channel_units(name, metadata), values)
    notes = tuple(LogNote(float(t), row[1]) for t, row in zip(time_s, data_rows) if row[1])
    return HolderLog(
        source=str(path),
        format="protochips",
        start=_start(metadata),
        time_s=time_s,
        channels=channels,
        notes=notes,
        metadata=metadata,
        warnings=warnings,
    )


def _split_header_rows(body: list[list[str]]) -> tuple[dict[str, str], list[list[str]]]:
    metadata: dict[str, str] = {}
    first_data = 0
    for first_data, row in enumerate(body):
        key, sep, value = row[1].partition("=")
        if not (sep and row[0] in ("0", "0.0")):
            break
        metadata[key.strip()] = value.strip()
    return metadata, body[first_data:]


def _channel_units(name: str, metadata: dict[str, str]) -> str:
    for key, value in metadata.items():
        if key.endswith(" units"):
            quantity = key[: -len(" units")]
            if name.lower().endswith(quantity.lower()):
                return unit_symbol(value)
    return ""


def _start(metadata: dict[str, str]) -> datetime | None:
    date = metadata.get("Date (yyyy.mm.dd)")
    clock = metadata.get("Time (hh:mm:ss.ms)")
    if not date or not clock:
        return None
    try:
        return datetime.strptime(f"{date} {clock}", "%Y.%m.%d %H:%M:%S.%f")
    except ValueError:
        try:
            return datetime.strptime(f"{date} {clock}", "%Y.%m.%d %H:%M:%S")
        except ValueError:
            return None


__all__ = ["read"]
