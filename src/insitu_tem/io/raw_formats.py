"""Raw-data formats that no reader of :mod:`insitu_tem.io.load` takes but that must never be
written over: the tilt-series and EDS files, and the vendor holder logs (told by first line),
whose text may be UTF-8 or, from Windows software, UTF-16."""

from __future__ import annotations

import codecs
import csv
import re

from insitu_tem.core.model import DataError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

OTHER_RAW_SUFFIXES = (".st", ".mdoc", ".rawtlt", ".tlt", ".dens")
"""Suffixes of files only the tilt-series and holder-log readers take."""
TIME_NAMES = ("time", "t", "seconds", "timestamp", "time stamp", "elapsed time", "experiment time")
"""Titles (without units, any case) of the time column of a generic CSV/TSV holder log."""


def vendor_format(first_line: str) -> str | None:
    """``"protochips"``, ``"impulse"`` or ``"dens"`` when a log's first line is that vendor's
    header, else None (a generic CSV/TSV, or not a log)."""
    if first_line.replace(" ", "").startswith("Time,Notes"):
        return "protochips"
    if first_line.startswith("TimeStamp,Experiment time"):
        return "impulse"
    if "Digiheater" in first_line:
        return "dens"
    return None


def log_delimiter(first_line: str) -> str:
    """Tab when a generic log's header row has more tabs than commas, else comma."""
    return "\t" if first_line.count("\t") > first_line.count(",") else ","


def is_time_title(title: str) -> bool:
    """Whether a column title names time as :data:`TIME_NAMES` do, units in brackets aside
    (``Time (ms)``, ``t[s]``); a lone capital ``T`` is a temperature."""
    name = re.split(r"[(\[]", title, maxsplit=1)[0].strip()
    return name != "T" and name.lower() in TIME_NAMES


def is_holder_log(first_line: str) -> bool:
    """Whether a text file with this first line is a holder log: a vendor's header, or a
    CSV/TSV header row with one time column and another column (the generic reader's rule)."""
    if vendor_format(first_line) is not None:
        return True
    titles = next(csv.reader([first_line], delimiter=log_delimiter(first_line)), [])
    return len(titles) >= 2 and sum(is_time_title(t) for t in titles) == 1


def text_encoding(head: bytes) -> str:
    """Encoding of a text log from its first bytes: the byte-order mark's (UTF-8, UTF-16 or
    UTF-32), UTF-16 without one when every other byte is NUL, else UTF-8.

    Raises
    ------
    DataError
        Bytes with NULs that are no UTF-16 text (a binary file).
    """
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    if b"\0" not in head:
        return "utf-8"
    even = head[: len(head) // 2 * 2]
    for zeros, encoding in ((even[1::2], "utf-16-le"), (even[0::2], "utf-16-be")):
        if zeros and zeros.count(0) == len(zeros):
            return encoding
    raise DataError("is a binary file, not a holder log (CSV, TSV or .dens text)")


def log_text(raw: bytes) -> str:
    """The text of a holder log's bytes (:func:`text_encoding`); undecodable bytes become
    U+FFFD."""
    return raw.decode(text_encoding(raw[:4096]), errors="replace")
