"""Probe numbers as the user reads them: counted from 1, as frames are (the GUI's frame
numbers), in every widget, status line and exported figure title. A scan's rows and columns
shown beside a probe number count from 1 too. The session, the workflows, the project and the
CSV/JSON files keep the 0-based probe index (docs/formats.md)."""

from insitu_tem.analysis.eds.spectrum_region import region_label

FIRST_PROBE = 1
"""The number shown for probe index 0."""


def probe_number(index: int) -> int:
    """The number shown for probe ``index`` (0-based)."""
    return int(index) + FIRST_PROBE


def probe_index(number: int) -> int:
    """The probe index (0-based) of the shown number ``number``."""
    return int(number) - FIRST_PROBE


def scan_place(row: int, col: int) -> str:
    """ "row r, col c" of the scan position (``row``, ``col``) (0-based), as shown."""
    return f"row {probe_number(row)}, col {probe_number(col)}"


def region_text(n_items: int, region: dict | None) -> str:
    """What the EDS spectrum shown sums, in words, numbered as shown: "the sum of 65536 spectra",
    "the spectrum at probe 13", "the sum of the 8×8 spectra of rows 5–12, columns 1–8"
    (:func:`insitu_tem.analysis.eds.spectrum_region.region_label`; ``n_items`` spectra in
    all)."""
    return region_label(n_items, region, first=FIRST_PROBE)
