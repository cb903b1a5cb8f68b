"""The result of a tilt-series alignment (:func:`.alignment.align_tilt_series`) and its use on
the series' other channels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from insitu_tem.analysis.tomo.geometry import to_axis_frame


@dataclass(frozen=True)
class Alignment:
    """Alignment of a tilt series.

    Attributes
    ----------
    tilts_deg : ndarray
        Tilt angles, degrees.
    shifts_px : ndarray
        (n, 2) content displacement (dy, dx) of each raw projection, px.
    axis_angle_deg, axis_angle_sigma_deg : float
        Tilt-axis direction from the image rows towards the columns, degrees, and its 1σ (0 when
        given).
    axis_offset_px, axis_offset_sigma_px : float
        Tilt-axis column minus the centre column in the axis frame, px, and its 1σ (0 when given).
    residual_px : float
        RMS change of the shifts in the last refinement step, px (a lower bound of their error).
    peaks : ndarray
        Normalised correlation of each projection with its reference (1 for the reference).
    method : str
    ok : bool
    reason : str
    axis_method : str
        How the direction was found: ``"given"``, ``"motion"`` or ``"offset slope"``
        (:mod:`.axis_direction`), or ``""`` when it was not found (0° used, ``reason`` says why).
    shifts_sigma_px : ndarray or None
        (n, 2) 1σ of each shift (dy, dx), px, from projection matching (``"auto"``): the
        registration's shot-noise σ (Gauss–Newton curvature of its cost times the weighted
        residual variance), scaled by √3 for the error the re-projection shares with the
        neighbouring tilts; NaN when not estimated (``"xcorr"``, ``"com"``, ``"none"``, or
        cancelled), None in results stored before it existed.
    unlike_projections : tuple of int
        0-based indices of the projections that share no more structure with their neighbours
        than noise would: when too few others do (the series has nothing to align on, ``ok``
        False, ``reason`` names them), or, in a series that shares structure, those unlike both
        their neighbouring tilts (:func:`.odd_projections.odd_projections`; ``ok`` unchanged,
        also in ``left_out_projections``); empty otherwise and in results stored before it
        existed.
    left_out_projections : tuple of int
        Those single odd projections (:func:`.odd_projections.left_out_reason` says why), which
        the reconstruction leaves out (a blank frame would pull the volume towards zero along
        its rays); they keep their shifts.
    stopped_projections : tuple of int
        The projections a projection-matching step would have moved by more than half the image
        (``reason`` says the matching stopped).
    unconstrained_projections : tuple of int
        The projections whose projection-matching cost is flat or has a second minimum along the
        tilt axis (``reason`` says their shifts may be pixels off).
    unshifted_projections : tuple of int
        The projections whose shifts reached beyond half the image and were set to 0.
    axis_reason : str
        Why the tilt-axis direction was not found (``axis_method`` ``""``), the part of
        ``reason`` that concerns it; ``""`` otherwise.
    """

    tilts_deg: np.ndarray
    shifts_px: np.ndarray
    axis_angle_deg: float
    axis_angle_sigma_deg: float
    axis_offset_px: float
    axis_offset_sigma_px: float
    residual_px: float
    peaks: np.ndarray
    method: str
    ok: bool = True
    reason: str = ""
    axis_method: str = "given"
    shifts_sigma_px: np.ndarray | None = None
    unlike_projections: tuple[int, ...] = ()
    left_out_projections: tuple[int, ...] = ()
    stopped_projections: tuple[int, ...] = ()
    unconstrained_projections: tuple[int, ...] = ()
    unshifted_projections: tuple[int, ...] = ()
    axis_reason: str = ""


def apply_alignment(
    stack: np.ndarray, alignment: Alignment, *, reference_shape: tuple[int, int] | None = None
) -> np.ndarray:
    """Resample another channel of the same series (e.g. an EDS map series) into the aligned frame.

    Parameters
    ----------
    stack : ndarray
        (n_tilts, rows, cols) raw images of the same tilts, same field of view.
    alignment : Alignment
        From :func:`.alignment.align_tilt_series` on the reference channel.
    reference_shape : (int, int), optional
        Image shape of the reference channel when it differs (shifts are scaled).

    Returns
    -------
    ndarray
        (n_tilts, rows, cols) float32 in the axis frame.
    """
    stack = np.asarray(stack, dtype=np.float32)
    if stack.shape[0] != alignment.tilts_deg.size:
        raise ValueError(
            f"{stack.shape[0]} images for {alignment.tilts_deg.size} aligned tilts; use the same "
            "tilts"
        )
    scale = (
        np.ones(2)
        if reference_shape is None
        else np.array(stack.shape[1:]) / np.array(reference_shape)
    )
    return to_axis_frame(
        stack, axis_angle_deg=alignment.axis_angle_deg, shifts_px=alignment.shifts_px * scale
    )
