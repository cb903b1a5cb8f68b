"""Generic holder logs: CSV or TSV with a header row, units in the titles (``I (nA)``, ``T[C]``).

The time column is the one titled ``time``/``t``/``seconds``/``timestamp`` (or given). Its values
are numbers in the title's units (s when none) or clock times ``HH:MM:SS[.fff]``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from insitu_tem.core.holder_log import HolderLog, LogChannel
from insitu_tem.core.model import DataError
from insitu_tem.io.holder_logs.lines import complete_text
from insitu_tem.io.raw_formats import is_time_title, log_delimiter
from insitu_tem.io.holder_logs.units import (
    SECONDS_PER,
    clock_seconds,
    numeric_column,
    split_name_units,
    unwrap_midnight,
)


def read(path: Path, *, time_column: str | None = None) -> HolderLog:
    """Read a delimited log; ``time_column`` picks the time column by its title."""
    text, warnings = complete_text(path)
    delimiter = log_delimiter(text.split("\n", 1)[0])
    rows = [
        [cell.strip() for cell in row]
        for row in csv.reader(text.splitlines(), delimiter=delimiter)
        if row
    ]
    header = rows[0]
    body = [row for row in rows[1:] if len(row) == len(header)]
    if len(header) < 2 or len(body) < 2:
        raise DataError(
            "is not a log with a header row and at least two data rows "
            "(CSV or TSV: time, channel, ...)"
        )
    index = _time_index(header, time_column)
    name, units = split_name_units(header[index])
    time_s = _seconds([row[index] for row in body], units)
    channels = {}
    for column, title in enumerate(header):
        values = numeric_column([row[column] for row in body]) if column != index else None
        if values is not None:
            channel_name, channel_units = split_name_units(title)
            channels[channel_name] = LogChannel(channel_name, channel_units, values)
    if not channels:
        raise DataError("has no numeric channel beside the time column")
    return HolderLog(
        source=str(path),
        format="csv",
        start=None,
        time_s=time_s - time_s[0],
        channels=channels,
        metadata={"time_column": header[index]},
        warnings=warnings,
    )


def _time_index(header: list[str], time_column: str | None) -> int:
    names = [_time_key(split_name_units(title)[0]) for title in header]
    if time_column is not None:
        wanted = time_column.strip().lower()
        matches = [
            i for i, (title, n) in enumerate(zip(header, names)) if wanted in (title.lower(), n)
        ]
        if not matches:
            raise DataError(f"has no column {time_column!r}; columns: {', '.join(header)}")
        return matches[0]
    candidates = [i for i, title in enumerate(header) if is_time_title(title)]
    if len(candidates) != 1:
        found = "several time columns" if candidates else "no column named time"
        raise DataError(f"has {found}; give --time-column with one of: {', '.join(header)}")
    return candidates[0]


def _time_key(name: str) -> str:
    """Lower-case title, except a lone capital T, which is a temperature, not time."""
    return name if name == "T" else name.lower()


def _seconds(values: list[str], units: str) -> np.ndarray:
    numbers = numeric_column(values)
    if numbers is not None:
        factor = SECONDS_PER.get(units.lower(), None) if units else 1.0
        if factor is None:
            raise DataError(f"has time in {units!r}; use s, ms, min or h")
        if np.isnan(numbers).any():
            raise DataError("has empty cells in the time column")
        return numbers * factor
    return unwrap_midnight(np.array([clock_seconds(v) for v in values]))
