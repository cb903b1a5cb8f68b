"""Holder logs (Protochips, DENSsolutions Impulse and DigiHeater ``.dens``, generic CSV/TSV).

:func:`load_log` recognises the format from the file's first line and returns a
:class:`~insitu_tem.core.holder_log.HolderLog` with the recorded time stamps. rosettasciio also
reads the three vendor formats, but it resamples time onto a uniform axis (and reads only the
measured temperature of ``.dens`` files); charge integration and synchronisation need the
recorded times, so the columns are read here and the tests compare values with rosettasciio.
"""

from __future__ import annotations

import csv
from pathlib import Path

from insitu_tem.core.holder_log import HolderLog
from insitu_tem.core.model import DataError
from insitu_tem.io.outputs import remember_input
from insitu_tem.io.raw_formats import log_text, vendor_format

MAX_LOG_BYTES = 256 * 1024**2


def load_log(path: str | Path, *, time_column: str | None = None) -> HolderLog:
    """Read a holder log.

    Parameters
    ----------
    path : str or Path
        A Protochips CSV, an Impulse ``... Synchronized data.csv`` (or ``Heat raw.csv``; the
        ``Metadata.log`` beside it gives the date and the live notes), a ``.dens`` log or a
        CSV/TSV with a header row.
    time_column : str, optional
        For generic CSV/TSV files: the column holding time when it is not obvious.

    Returns
    -------
    HolderLog

    Raises
    ------
    DataError
        Unreadable, empty or ambiguous logs, with what to do.
    """
    from insitu_tem.io.holder_logs import delimited, dens, impulse, protochips

    path = Path(path)
    if path.is_dir():
        raise DataError("is a folder; give the log file itself")
    if path.stat().st_size > MAX_LOG_BYTES:
        raise DataError(
            f"is {path.stat().st_size / 1024**2:.0f} MB, larger than any holder log "
            f"({MAX_LOG_BYTES // 1024**2} MB); give the log file"
        )
    remember_input(path)
    first_line = _first_line(path)
    if first_line.startswith("Experiment date,"):
        raise DataError(impulse.metadata_given(path))
    vendor = vendor_format(first_line)
    readers = {"protochips": protochips.read, "impulse": impulse.read, "dens": dens.read}
    try:
        if vendor in readers:
            return readers[vendor](path)
        return delimited.read(path, time_column=time_column)
    except csv.Error as error:
        raise DataError(
            f"cannot be read as a CSV/TSV log ({error}); export the log again from the holder "
            "software"
        ) from error


def _first_line(path: Path) -> str:
    with open(path, "rb") as handle:
        text = log_text(handle.read(4096))
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise DataError("is empty; give a holder log with a header row and data")
    return lines[0].strip()


__all__ = ["load_log", "HolderLog"]
