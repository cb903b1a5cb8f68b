"""DENSsolutions DigiHeater ``.dens`` logs (tab-separated, ``Digiheater 3.1``).

Line 1: start date and time (``dd/mm/'yy HH:MM``) and the version; line 2: the heater
calibration (``R0=… a=… b=… c=…``); line 3: the sampling interval; line 4: the column titles
(``sample time Tset[C] Tmeas[C] Rheat[ohm] Vheat[V] Iheat[mA] Pheat [mW] c``); then one row per
sample with the PC clock time ``HH:MM:SS.fff``, which rolls over at midnight.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from insitu_tem.core.holder_log import HolderLog, LogChannel
from insitu_tem.core.model import DataError
from insitu_tem.io.holder_logs.lines import complete_text
from insitu_tem.io.holder_logs.units import (
    clock_seconds,
    numeric_column,
    split_name_units,
    unwrap_midnight,
)


def read(path: Path) -> HolderLog:
    """Read a DigiHeater log with every numeric column (rosettasciio keeps only Tmeas)."""
    text, warnings = complete_text(path)
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 6:
        raise DataError("is not a complete DigiHeater log; export it again from DigiHeater")
    date_text, _, version = lines[0].partition("\t")
    metadata = {
        "version": version.strip(),
        "calibration": lines[1].strip(),
        "delta_t": lines[2].strip(),
    }
    titles = lines[3].split("\t")
    rows = [line.split("\t") for line in lines[4:]]
    rows = [row for row in rows if len(row) >= len(titles) - 1]
    if len(rows) < 2 or "time" not in titles:
        raise DataError("has no time column or fewer than two samples; export the log again")
    time_index = titles.index("time")
    clock = unwrap_midnight(np.array([clock_seconds(row[time_index]) for row in rows]))
    start = _start(date_text, clock[0])
    channels = {}
    for index, title in enumerate(titles):
        if index == time_index or title.strip() in ("sample", "c", ""):
            continue
        values = numeric_column([row[index] if index < len(row) else "" for row in rows])
        if values is not None:
            name, units = split_name_units(title)
            channels[name] = LogChannel(name, units, values)
    return HolderLog(
        source=str(path),
        format="dens",
        start=start,
        time_s=clock - clock[0],
        channels=channels,
        metadata=metadata,
        warnings=warnings,
    )


def _start(date_text: str, first_clock_s: float) -> datetime | None:
    try:
        day = datetime.strptime(date_text.strip(), "%d/%m/'%y %H:%M")
    except ValueError:
        return None
    return day.replace(hour=0, minute=0) + timedelta(seconds=first_clock_s)
