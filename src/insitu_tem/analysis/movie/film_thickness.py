"""Expansion: a film's thickness (two edges along a line across it) or the distance
between two markers vs time, as strain.

Thickness uses a kymograph drawn across the film: in each frame both edges are
located by an erf-step fit (:func:`~insitu_tem.analysis.movie.front.fit_step`) near
their position in the previous frame, so an edge whose contrast changes sign
(the film darkens as it reacts) is still followed. Strain is
``length / reference - 1`` with the reference the mean of the first
``n_reference`` frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.movie.front import fit_step


@dataclass(frozen=True)
class ExpansionResult:
    """Length and strain per frame.

    Attributes
    ----------
    start_px, end_px : numpy.ndarray
        (n_frames,) positions of the two edges or markers along the line, px
        (NaN where an edge was lost).
    length_px : numpy.ndarray
        (n_frames,) distance between them, px.
    strain : numpy.ndarray
        (n_frames,) fractional change relative to the reference (0.03 = 3 %).
    reference_px : float
        Reference length, px.
    ok : bool
        False when the reference length could not be measured.
    reason : str
        Why ``ok`` is False.
    """

    start_px: np.ndarray
    end_px: np.ndarray
    length_px: np.ndarray
    strain: np.ndarray
    reference_px: float
    ok: bool = True
    reason: str = ""


def strain_from_lengths(start_px, end_px, *, n_reference: int = 3) -> ExpansionResult:
    """Strain from two positions per frame (markers or edges), px along one line.

    Parameters
    ----------
    start_px, end_px : array_like
        (n_frames,) positions, px (or any common unit).
    n_reference : int
        Frames averaged for the reference length (from the first).
    """
    start, end = np.asarray(start_px, dtype=float), np.asarray(end_px, dtype=float)
    if start.shape != end.shape or start.ndim != 1:
        raise ValueError("start_px and end_px must be 1-D arrays of the same length")
    length = np.abs(end - start)
    reference = length[: max(1, int(n_reference))]
    if not np.isfinite(reference).any() or np.nanmean(reference) <= 0:
        return ExpansionResult(
            start,
            end,
            length,
            np.full_like(length, np.nan),
            np.nan,
            False,
            "no reference length in the first frames; check the markers",
        )
    ref = float(np.nanmean(reference))
    return ExpansionResult(start, end, length, length / ref - 1.0, ref)


def strongest_edges(profile, *, separation: int = 10, smooth: float = 1.5) -> tuple[int, int]:
    """The two strongest |gradient| positions of a profile at least ``separation`` samples apart."""
    gradient = np.abs(ndimage.gaussian_filter1d(np.asarray(profile, dtype=float), smooth, order=1))
    first = int(np.argmax(gradient))
    masked = gradient.copy()
    masked[max(0, first - separation) : first + separation + 1] = -np.inf
    second = int(np.argmax(masked))
    return tuple(sorted((first, second)))


def film_thickness(
    image,
    *,
    edges_px: tuple[float, float] | None = None,
    half_window: int = 6,
    n_reference: int = 3,
) -> ExpansionResult:
    """Thickness of a film across a line, per frame.

    Parameters
    ----------
    image : array_like
        (n_frames, n_samples) kymograph along a line crossing the film.
    edges_px : tuple of float, optional
        Rough positions of the two edges along the line in the first frame, px;
        default: the two strongest edges of the first frame.
    half_window : int
        Half-width of each edge's fit window, px.
    n_reference : int
        Frames averaged for the reference thickness.

    Returns
    -------
    ExpansionResult
    """
    data = np.asarray(image, dtype=float)
    if data.ndim != 2 or data.shape[1] < 4 * half_window:
        raise ValueError(
            f"film_thickness needs a (frames, samples) kymograph at least {4 * half_window} long"
        )
    guesses = (
        list(edges_px)
        if edges_px is not None
        else list(strongest_edges(data[0], separation=2 * half_window))
    )
    edges = np.full((data.shape[0], 2), np.nan)
    for t, row in enumerate(data):
        for e in range(2):
            fit = fit_step(row, guesses[e], half_window=half_window)
            if fit.ok and fit.snr > 2.0:
                edges[t, e] = fit.position
                guesses[e] = fit.position
    return strain_from_lengths(edges[:, 0], edges[:, 1], n_reference=n_reference)
