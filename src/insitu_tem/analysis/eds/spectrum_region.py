"""The X-ray spectrum of a region of an EDS data set: which spectra are summed (every one, one
probe's, or a box of a spectrum image's scan), in words, and the channel energies.

A region is plain data: None for every spectrum, ``{"probe": i}`` for the spectrum at flattened
probe ``i``, ``{"box": [row0, row1, col0, col1]}`` for the spectra of scan rows
``row0 ≤ row < row1`` and columns ``col0 ≤ col < col1`` (a spectrum image only)."""

from __future__ import annotations

import numpy as np

from insitu_tem.core.model import DataError, Dataset


def energies_ev(dataset: Dataset, *, offset_ev: float = 0.0, gain: float = 0.0) -> np.ndarray:
    """Channel energies of ``dataset``'s spectra, eV (NaN without an eV calibration: the
    identification then says so), corrected for an axis that reads ``offset_ev`` (eV) and a
    relative ``gain`` high (``E = (E_axis − offset) / (1 + gain)``, what an identification
    measured on the spectrum's lines: :func:`axis_correction`)."""
    axis = dataset.signal_axes[-1]
    if axis.units != "eV":
        return np.full(axis.size, np.nan)
    return (axis.offset + axis.scale * np.arange(axis.size) - offset_ev) / (1.0 + gain)


def axis_correction(identification: dict | None) -> dict[str, float]:
    """The energy-axis offset (eV) and gain an identification's plain data
    (``energy_offset_ev``, ``energy_gain``) measured, as :func:`energies_ev`'s keywords; 0 for
    what it did not measure or apply."""
    found = identification or {}
    return {
        "offset_ev": float(found.get("energy_offset_ev") or 0.0),
        "gain": float(found.get("energy_gain") or 0.0),
    }


def on_axis_ev(energy_ev: float, *, offset_ev: float = 0.0, gain: float = 0.0) -> float:
    """Where a line of energy ``energy_ev`` (eV) lies on an axis that reads ``offset_ev`` and a
    relative ``gain`` high, eV (``E_axis = E + offset + gain · E``)."""
    return energy_ev * (1.0 + gain) + offset_ev


def region_label(n_items: int, region: dict | None, *, first: int = 0) -> str:
    """What was summed of ``n_items`` spectra, in words ("the sum of 65536 spectra", "the
    spectrum at probe 12", "the sum of the 8×8 spectra of rows 4–11, columns 0–7"), probes, rows
    and columns numbered from ``first`` (0: the files' indices, as the command line and JSON
    give them; the GUI counts from 1)."""
    if region is None:
        return "the spectrum" if n_items == 1 else f"the sum of {n_items} spectra"
    if "probe" in region:
        return f"the spectrum at probe {int(region['probe']) + first}"
    row0, row1, col0, col1 = (int(v) + first for v in region["box"])
    return (
        f"the sum of the {row1 - row0}×{col1 - col0} spectra of rows {row0}–{row1 - 1}, "
        f"columns {col0}–{col1 - 1}"
    )


def region_spectra(dataset: Dataset, region: dict | None = None) -> np.ndarray:
    """The spectra of ``region`` (module docstring), (..., channels) counts: every spectrum,
    the probe's, or the box's (scan rows, scan columns, channels).

    Raises
    ------
    DataError
        When the region lies outside the scan, or is a box on data that is not a spectrum image.
    """
    cube = dataset.array
    if region is not None and "probe" in region:
        index = int(region["probe"])
        if not 0 <= index < dataset.n_items:
            raise DataError(f"probe {index} is outside the {dataset.n_items} spectra")
        return cube.reshape(-1, cube.shape[-1])[index]
    if region is not None:
        if len(dataset.navigation_axes) != 2:
            raise DataError("a region is drawn on a spectrum image; this data is not one")
        row0, row1, col0, col1 = (int(v) for v in region["box"])
        rows, cols = dataset.shape[:2]
        if not (0 <= row0 < row1 <= rows and 0 <= col0 < col1 <= cols):
            raise DataError(f"region rows {row0}–{row1}, columns {col0}–{col1} is not in the scan")
        return cube[row0:row1, col0:col1]
    return cube


def summed_spectrum(dataset: Dataset, region: dict | None = None) -> np.ndarray:
    """Counts per channel of the spectra of ``region`` (:func:`region_spectra`), summed in
    float64."""
    cube = region_spectra(dataset, region)
    axes = tuple(range(cube.ndim - 1))
    return np.asarray(cube.sum(axis=axes, dtype=np.float64) if axes else cube, dtype=np.float64)
