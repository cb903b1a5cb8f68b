"""What one FFT measurement is asked for (:class:`Region`: the ROI crop of one frame and its
calibration) and why a region cannot be measured, said so that the user can find it: the file,
and for a movie the frame."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from insitu_tem.analysis.hrtem.thon_fit import Optics

from insitu_tem.core.model import Dataset
from insitu_tem.gui.frame_numbers import frame_number
from insitu_tem.workflows.common import file_name

MIN_FFT_PX = 16
"""Smallest ROI side, and so image side, the FFT and the crystallinity map take, px."""

SMALLEST_DEFAULT_ROI_PX = 128
"""Smallest side of the ROI a newly shown image gets, px (the whole image when it is smaller):
the spots of a period of p px lie side / p FFT px from the centre, and the spot finder sees them
only clear of the zero-frequency lobe, about 8 FFT px out; a 128-px window puts a 16-px period
(a grating imaged at low magnification) there, where half of a 128-px image put it at 4 px."""

LARGEST_FRINGE_NM = 2.0
"""Largest lattice-fringe spacing the FFT panel looks for, nm: battery electrodes' widest planes
(graphite (002) 0.335 nm, layered oxides' (003) 0.47 nm, hydrated or intercalated layers up to
~1.4 nm) with room to spare."""


def too_small(dataset: Dataset) -> str:
    """Why the frames of ``dataset`` are too small to measure, naming its file ("" when they are
    not)."""
    rows, cols = dataset.shape[-2:]
    if min(rows, cols) >= MIN_FFT_PX:
        return ""
    return (
        f"{file_name(dataset, 'hrtem')}: the image is {rows} × {cols} px; the FFT needs at least "
        f"{MIN_FFT_PX} × {MIN_FFT_PX} px — open a larger image"
    )


def default_roi(rows: int, cols: int) -> tuple[int, int, int]:
    """The ROI a newly shown ``rows`` × ``cols`` image gets, (row0, col0, side) px: a centred
    square of half the smaller side, which leaves room to move it, but not under
    :data:`SMALLEST_DEFAULT_ROI_PX`."""
    side = min(max(min(rows, cols) // 2, SMALLEST_DEFAULT_ROI_PX), rows, cols)
    return (rows - side) // 2, (cols - side) // 2, side


def fringes_unresolved(dataset: Dataset) -> str:
    """Why the sampling of ``dataset`` cannot resolve lattice fringes, with its numbers ("" when
    it can, or when it is not calibrated in nm): a pixel coarser than half of
    :data:`LARGEST_FRINGE_NM` puts the smallest resolvable spacing, two pixels (Nyquist), above
    every lattice spacing, as in a STEM survey (HAADF) at nm sampling. Its power spectrum can
    still hold the spots of a larger period (a calibration grating), but none is no sign of
    amorphous material."""
    col = dataset.signal_axes[1]
    if col.units != "nm" or 2 * col.scale <= LARGEST_FRINGE_NM:
        return ""
    return (
        f"{file_name(dataset, 'hrtem')}: {col.scale:.3g} nm/px resolves spacings ≥ "
        f"{2 * col.scale:.3g} nm (2 px, Nyquist), not lattice fringes (d ≤ {LARGEST_FRINGE_NM:g} "
        "nm): an FFT without spots here says nothing about crystallinity."
    )


def lattice_text(summary: str, *, found: bool, unresolved: str) -> str:
    """The lattice line of the panel: ``summary`` (what the FFT found, or why nothing), with
    ``unresolved`` (:func:`fringes_unresolved`) in its place when nothing was ``found`` and
    after it otherwise."""
    if not unresolved:
        return summary
    return f"{summary}\n{unresolved}" if found else unresolved


def frame_name(dataset: Dataset, frame: int) -> str:
    """``"frame 18 (t = 2.55 s)"``: index ``frame`` of a movie (0-based, as in the d(t) CSV) by
    the number the GUI shows (from 1, :mod:`insitu_tem.gui.frame_numbers`), with its time when
    the movie has one."""
    axis = dataset.axes[0]
    if axis.units == "s":
        return f"frame {frame_number(frame)} (t = {axis.to_value(frame):.4g} s)"
    return f"frame {frame_number(frame)}"


def region_problem(dataset: Dataset, crop: np.ndarray, *, frame: int) -> str:
    """Why the ROI ``crop`` of frame ``frame`` of ``dataset`` cannot be measured ("" when it
    can); NaN or infinite pixels in a movie's region name the frame."""
    if min(crop.shape) < MIN_FFT_PX:
        return too_small(dataset) or (
            f"The FFT needs a region of at least {MIN_FFT_PX} × {MIN_FFT_PX} px; move the ROI."
        )
    if np.isfinite(crop).all():
        return ""
    where = frame_name(dataset, frame) if dataset.kind == "movie" else "the image"
    return (
        f"{file_name(dataset, 'hrtem')}: {where} has NaN or infinite pixels in the FFT region; "
        "move the ROI inside the valid data"
        + (" or go to another frame" if dataset.kind == "movie" else "")
    )


@dataclass(frozen=True)
class Region:
    """What one measurement was asked for: the ROI crop and its calibration."""

    crop: np.ndarray
    roi_px: tuple[int, int, int]
    frame: int
    pixel_nm: float
    calibrated: bool
    energy_kV: float
    snr: float
    role: str | None
    optics: Optics | None = None

    def same_as(self, other: Region | None) -> bool:
        """Whether ``other`` asks for this very measurement (every field and crop pixel equal)."""
        return (
            other is not None
            and (self.roi_px, self.frame, self.pixel_nm, self.calibrated)
            == (other.roi_px, other.frame, other.pixel_nm, other.calibrated)
            and (self.energy_kV, self.snr, self.role, self.optics)
            == (other.energy_kV, other.snr, other.role, other.optics)
            and np.array_equal(self.crop, other.crop)
        )
