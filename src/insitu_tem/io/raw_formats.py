"""Raw-data formats that no reader of :mod:`insitu_tem.io.load` takes but that must never be
written over: the tilt-series and EDS files, and the vendor holder logs (told by first line)."""

from __future__ import annotations

OTHER_RAW_SUFFIXES = (".bcf", ".st", ".mdoc", ".rawtlt", ".tlt", ".dens")
"""Suffixes of files the tilt-series, EDS and holder-log readers take."""


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
