"""Expansion: a film's thickness (two edges along a line across it) or the distance
between two markers vs time, as strain.

Thickness uses a kymograph drawn across the film: in each frame both edges are
located by an erf-step fit (:func:`~insitu_tem.analysis.movie.film_edges.fit_edge`) near
their position in the previous frame, so an edge whose contrast changes sign
(the film darkens as it reacts) is still followed. Strain is
``length / reference - 1`` with the reference the mean of the first
``n_reference`` frames.

Each edge's 1σ is the larger of its fit's covariance scaled by the residuals and a sandwich
covariance with the autocovariance of the kymograph where it has no edge (a specimen texture,
pooled over the frames; :mod:`~insitu_tem.analysis.movie.film_edges`); the two edges' errors
are independent, so the length's variance is their sum. A drift error moves both edges of a
frame alike and cancels in the length. The strain's 1σ propagates the frame's length error and
the reference's (the mean of the reference frames' errors, common to every frame; for a
reference frame its own share of that mean is counted once).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.movie.film_edges import (
    background_autocovariance,
    fit_edge,
    sandwich_sigma,
    texture_length,
)

MIN_Z = 3.0


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
    start_sigma_px, end_sigma_px, length_sigma_px : numpy.ndarray or None
        (n_frames,) 1σ of the positions and of the length, px (None when the positions were
        given without one).
    strain_sigma : numpy.ndarray or None
        (n_frames,) 1σ of ``strain``, the reference's error included.
    reference_sigma_px : float
        1σ of the reference length (the mean of its frames), px; NaN without position 1σ.
    n_reference : int
        Frames averaged for the reference length (from the first).
    length_covariance_px2 : numpy.ndarray or None
        (n_frames, n_frames) covariance of the lengths' errors, px² (NaN rows where lost).
    """

    start_px: np.ndarray
    end_px: np.ndarray
    length_px: np.ndarray
    strain: np.ndarray
    reference_px: float
    ok: bool = True
    reason: str = ""
    start_sigma_px: np.ndarray | None = None
    end_sigma_px: np.ndarray | None = None
    length_sigma_px: np.ndarray | None = None
    strain_sigma: np.ndarray | None = None
    reference_sigma_px: float = np.nan
    n_reference: int = 3
    length_covariance_px2: np.ndarray | None = None

    def mean_strain_sigma(self, frames) -> float:
        """1σ of the mean strain over ``frames`` (indices; those with a finite strain count),
        the shared reference error and each frame's own error combined; NaN without 1σ."""
        if self.strain_sigma is None:
            return np.nan
        index = np.asarray(frames, dtype=int)
        index = index[np.isfinite(self.strain[index])]
        if not index.size:
            return np.nan
        weights = np.zeros(self.strain.size)
        weights[index] = 1.0 / index.size
        return float(np.sqrt(_strain_variance(self, weights)))


def _reference_weights(length: np.ndarray, n_reference: int) -> np.ndarray:
    weights = np.zeros(length.size)
    used = np.flatnonzero(np.isfinite(length[: max(1, int(n_reference))]))
    weights[used] = 1.0 / used.size
    return weights


def _strain_variance(result: ExpansionResult, weights: np.ndarray) -> float:
    """Variance of Σ_t weights_t · strain_t: strain_t = L_t / R - 1 with R = Σ w_j L_j, so its
    error is (e_t - (L_t / R) ē) / R for length errors e of the result's covariance (ē their
    reference mean)."""
    length = result.length_px
    reference = _reference_weights(length, result.n_reference)
    ratio = np.nansum(weights * length) / result.reference_px
    coefficient = (weights - ratio * reference) / result.reference_px
    covariance = np.nan_to_num(result.length_covariance_px2)
    return float(coefficient @ covariance @ coefficient)


def strain_from_lengths(
    start_px,
    end_px,
    *,
    n_reference: int = 3,
    start_sigma_px=None,
    end_sigma_px=None,
    length_covariance_px2=None,
) -> ExpansionResult:
    """Strain from two positions per frame (markers or edges), px along one line.

    Parameters
    ----------
    start_px, end_px : array_like
        (n_frames,) positions, px (or any common unit).
    n_reference : int
        Frames averaged for the reference length (from the first).
    start_sigma_px, end_sigma_px : array_like, optional
        (n_frames,) 1σ of the positions; without them the strain has no 1σ.
    length_covariance_px2 : array_like, optional
        (n_frames, n_frames) covariance of the lengths' errors; default: the positions' errors
        independent from frame to frame and between the two.
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
    result = ExpansionResult(start, end, length, length / ref - 1.0, ref, n_reference=n_reference)
    if start_sigma_px is None or end_sigma_px is None:
        return result
    start_sigma = np.asarray(start_sigma_px, dtype=float)
    end_sigma = np.asarray(end_sigma_px, dtype=float)
    result = replace(
        result,
        start_sigma_px=start_sigma,
        end_sigma_px=end_sigma,
        length_sigma_px=np.hypot(start_sigma, end_sigma),
        length_covariance_px2=(
            np.diag(start_sigma**2 + end_sigma**2)
            if length_covariance_px2 is None
            else np.asarray(length_covariance_px2, dtype=float)
        ),
    )
    strain_sigma = np.full(length.size, np.nan)
    for t in np.flatnonzero(np.isfinite(length)):
        strain_sigma[t] = np.sqrt(_strain_variance(result, np.eye(1, length.size, t)[0]))
    weights = _reference_weights(length, n_reference)
    covariance = np.nan_to_num(result.length_covariance_px2)
    reference_sigma = np.sqrt(weights @ covariance @ weights)
    return replace(result, strain_sigma=strain_sigma, reference_sigma_px=float(reference_sigma))


def length_covariance(edges_px, sigmas_px, *, scale: float) -> np.ndarray:
    """Covariance of the lengths' errors between frames: a part independent from frame to frame,
    its size read from the lengths' own scatter (second differences, robust; a smooth expansion
    barely enters them), and the rest frozen (a static texture), correlated between two frames
    as exp(-d² / 2 ``scale``²) with d the farther an edge moved between them.

    Parameters
    ----------
    edges_px, sigmas_px : numpy.ndarray
        (n_frames, 2) edge positions and their 1σ, px (NaN where lost).
    scale : float
        How far an edge moves before its frozen error is new, px.
    """
    length = np.abs(edges_px[:, 1] - edges_px[:, 0])
    sigma = np.hypot(sigmas_px[:, 0], sigmas_px[:, 1])
    second = np.diff(length[np.isfinite(length)], 2)
    typical = np.nanmedian(sigma) if np.isfinite(sigma).any() else np.nan
    scatter = 1.4826 * np.median(np.abs(second)) / np.sqrt(6.0) if second.size >= 3 else typical
    independent = min(1.0, scatter / typical) ** 2 if typical > 0 else 1.0
    step = np.abs(edges_px[:, None, :] - edges_px[None, :, :])
    moved = np.fmax(step[..., 0], step[..., 1])
    correlation = np.exp(-0.5 * (moved / scale) ** 2)
    np.fill_diagonal(correlation, 1.0)
    covariance = np.outer(sigma, sigma) * ((1 - independent) * correlation)
    return covariance + np.diag(independent * sigma**2)


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
    fits = np.full((data.shape[0], 2), None, dtype=object)
    for t, row in enumerate(data):
        for e in range(2):
            fit = fit_edge(row, guesses[e], half_window=half_window)
            if fit.ok and fit.snr > 2.0 and abs(fit.amplitude) > MIN_Z * fit.amplitude_sigma:
                fits[t, e] = fit
                guesses[e] = fit.position
    edges = np.array([[np.nan if f is None else f.position for f in row] for row in fits])
    gamma = background_autocovariance(data, edges, half_window=half_window)
    sigmas = np.array(
        [
            [
                np.nan if f is None else np.fmax(f.position_sigma, sandwich_sigma(f, gamma))
                for f in row
            ]
            for row in fits
        ]
    )
    covariance = length_covariance(edges, sigmas, scale=texture_length(gamma))
    return strain_from_lengths(
        edges[:, 0],
        edges[:, 1],
        n_reference=n_reference,
        start_sigma_px=sigmas[:, 0],
        end_sigma_px=sigmas[:, 1],
        length_covariance_px2=covariance,
    )
