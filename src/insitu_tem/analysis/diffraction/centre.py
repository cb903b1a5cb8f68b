"""Direct-beam centre of a diffraction pattern.

The centre of a pattern is found in two steps: a coarse centre of inversion
symmetry (the peak of the cross-correlation of the pattern with itself turned
by 180°, which works for spots, rings and patterns with a beam stop), then a
sub-pixel refinement on the direct beam, either a thresholded centre of mass or
a correlation with a disk template. The descan of the direct beam along a line
scan is in :mod:`insitu_tem.analysis.diffraction.descan`. Detector distortion (an
ellipse fitted on a ring) is in :mod:`insitu_tem.analysis.diffraction.ellipse`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.diffraction.fft_convolve import fft_convolve
from insitu_tem.analysis.diffraction.friedel import (
    MIN_PAIRED,
    MIN_PAIRED_FRACTION,
    friedel_vote,
)

CENTRE_METHODS = ("com", "template")
EDGE_PX = 2.0
"""Least distance (px) of a symmetry centre from the pattern's edge: nearer, the pattern and its
copy turned about it overlap on fewer than 5 rows or columns, too few to compare."""


@dataclass(frozen=True)
class BeamCentre:
    """Centre of one pattern.

    Attributes
    ----------
    ok : bool
        False when no direct beam was found (``reason`` says why).
    centre_rc : tuple of float
        (row, col) in px; the coarse symmetry centre when ``ok`` is False.
    radius_px : float
        Radius of the direct-beam disk, px (NaN when unknown).
    method : str
        ``"symmetry"``, ``"com"``, ``"template"``, ``"edge"`` (circle fitted to the disk edge) or
        ``"friedel"`` (with ``ok`` False: the spots' Friedel pairs centre elsewhere).
    reason : str
        Why the refinement failed ("" when ok).
    sigma_px : float
        1σ of each centre coordinate, px (NaN when not estimated).
    """

    ok: bool
    centre_rc: tuple[float, float]
    radius_px: float
    method: str
    reason: str = ""
    sigma_px: float = float("nan")


def as_pattern(pattern) -> np.ndarray:
    """One 2-D pattern as float64 (the modulus of complex values); ValueError for anything
    else."""
    data = np.asarray(pattern)
    if data.ndim != 2:
        raise ValueError(
            f"expected one 2-D pattern, got an array of shape {data.shape}; pass dataset.frame(i)"
        )
    return (np.abs(data) if np.iscomplexobj(data) else data).astype(np.float64)


def parabolic_offset(minus: float, centre: float, plus: float) -> float:
    """Sub-sample offset (−0.5 to 0.5) of the vertex of a parabola through three samples."""
    denominator = minus - 2.0 * centre + plus
    return (
        0.0 if denominator == 0 else float(np.clip(0.5 * (minus - plus) / denominator, -0.5, 0.5))
    )


def _subpixel_peak(surface: np.ndarray) -> tuple[float, float]:
    r, c = np.unravel_index(int(np.argmax(surface)), surface.shape)
    r = int(np.clip(r, 1, surface.shape[0] - 2))
    c = int(np.clip(c, 1, surface.shape[1] - 2))
    dr = parabolic_offset(surface[r - 1, c], surface[r, c], surface[r + 1, c])
    dc = parabolic_offset(surface[r, c - 1], surface[r, c], surface[r, c + 1])
    return r + dr, c + dc


def symmetry_centre(pattern, *, mask=None) -> BeamCentre:
    """Coarse centre of inversion symmetry (±0.5 px) of a pattern.

    Parameters
    ----------
    pattern : array_like
        2-D pattern (any real dtype; complex: its modulus).
    mask : array_like of bool, optional
        True for pixels to ignore (beam stop, dead pixels).

    Returns
    -------
    BeamCentre
        ``ok`` False when the centre lies less than :data:`EDGE_PX` from the edge (a half FFT,
        or a pattern cut through its centre).
    """
    data = as_pattern(pattern)
    data = data - np.median(data)
    if mask is not None:
        data[np.asarray(mask, dtype=bool)] = 0.0
    peak = _subpixel_peak(fft_convolve(data, data, mode="full"))
    centre = (peak[0] / 2.0, peak[1] / 2.0)
    if not all(EDGE_PX <= v <= n - 1.0 - EDGE_PX for v, n in zip(centre, data.shape)):
        at = ", ".join(f"{v:.1f}" for v in centre)
        return BeamCentre(
            False,
            centre,
            float("nan"),
            "symmetry",
            f"no centre inside the pattern: its symmetry centre ({at}) lies on the edge (a half "
            "FFT or a cut pattern?); give the centre",
        )
    return BeamCentre(True, centre, float("nan"), "symmetry")


def search_origin(shape, guess_rc, *, search_px: int) -> tuple[int, int]:
    """(row, col) px of the first pixel of the square :func:`direct_beam_centre` searches about
    ``guess_rc``: the beam it finds depends on the guess only through this origin."""
    half = int(search_px)
    r0 = int(np.clip(round(guess_rc[0]) - half, 0, shape[0] - 1))
    c0 = int(np.clip(round(guess_rc[1]) - half, 0, shape[1] - 1))
    return r0, c0


def _window(data: np.ndarray, centre_rc, half: int) -> tuple[np.ndarray, int, int]:
    r0, c0 = search_origin(data.shape, centre_rc, search_px=half)
    return data[r0 : r0 + 2 * half + 1, c0 : c0 + 2 * half + 1], r0, c0


def _disk_template(radius: float, half: int) -> np.ndarray:
    rows, cols = np.indices((2 * half + 1, 2 * half + 1)) - half
    return np.clip(radius + 0.5 - np.hypot(rows, cols), 0.0, 1.0)


def _not_a_beam(data: np.ndarray, top: float, background: float, border: np.ndarray) -> str:
    if top <= 2.0 * max(background, 1e-12) and top - background <= 10.0 * (np.std(border) + 1e-12):
        return "no direct beam brighter than its surroundings"
    if top < 0.3 * float(ndimage.uniform_filter(data, 3).max()):
        return "no direct beam: the brightest features lie elsewhere"
    return ""


def direct_beam_centre(
    pattern,
    *,
    guess_rc=None,
    method: str = "com",
    threshold: float = 0.5,
    search_px: int = 12,
    mask=None,
) -> BeamCentre:
    """Sub-pixel centre of the direct-beam disk.

    Parameters
    ----------
    pattern : array_like
        2-D pattern.
    guess_rc : tuple of float, optional
        Start (row, col) in px; default the symmetry centre.
    method : {"com", "template"}
        Thresholded centre of mass, or correlation with a disk template of the
        measured radius refined by a parabola.
    threshold : float
        Fraction (0-1) between background and peak above which pixels count.
    search_px : int
        Half-size of the square searched around the guess, px.
    mask : array_like of bool, optional
        True for pixels to ignore (beam stop); a beam touching them is not found.
    """
    if method not in CENTRE_METHODS:
        raise ValueError(f"unknown centring method {method!r}; use one of {CENTRE_METHODS}")
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must lie between 0 and 1, got {threshold}")
    data = as_pattern(pattern)
    guess = symmetry_centre(data).centre_rc if guess_rc is None else tuple(guess_rc)
    window, r0, c0 = _window(data, guess, int(search_px))
    hidden = (
        np.zeros(window.shape, bool)
        if mask is None
        else _window(np.asarray(mask, bool), guess, int(search_px))[0]
    )
    smooth = np.where(hidden, -np.inf, ndimage.uniform_filter(window, 3))
    peak_rc = np.unravel_index(int(np.argmax(smooth)), smooth.shape)
    edge = np.zeros(window.shape, bool)
    edge[[0, -1], :] = edge[:, [0, -1]] = True
    border = window[edge & ~hidden] if (edge & ~hidden).any() else window[edge]
    background, top = float(np.median(border)), float(smooth[peak_rc])
    problem = _not_a_beam(data, top, background, border)
    if problem:
        return BeamCentre(False, guess, float("nan"), method, problem)
    level = background + threshold * (top - background)
    labels, _ = ndimage.label(window > level)
    blob = labels == labels[peak_rc]
    if (ndimage.binary_dilation(blob, iterations=2) & hidden).any():
        return BeamCentre(
            False, guess, float("nan"), method, "the direct beam is behind the mask (beam stop)"
        )
    if blob[0].any() or blob[-1].any() or blob[:, 0].any() or blob[:, -1].any():
        return BeamCentre(
            False,
            guess,
            float("nan"),
            method,
            "direct beam larger than the search window; raise search_px",
        )
    radius = float(np.sqrt(blob.sum() / np.pi))
    if method == "com":
        weights = np.where(
            ndimage.binary_dilation(blob, iterations=2), np.clip(window - level, 0, None), 0.0
        )
        rc = ndimage.center_of_mass(weights)
    else:
        half = int(np.ceil(radius)) + 2
        corr = fft_convolve(
            window - background, _disk_template(radius, half)[::-1, ::-1], mode="same"
        )
        rc = _subpixel_peak(corr)
    return BeamCentre(True, (float(rc[0] + r0), float(rc[1] + c0)), radius, method)


def find_centre(pattern, *, method: str = "com", mask=None, search_px: int = 12) -> BeamCentre:
    """Centre of a pattern: the direct beam when visible, else the symmetry centre.

    When no direct beam is found near the symmetry centre, the beam is searched again near the
    symmetry centre of log(1 + counts), where the positions of the disks, not the few brightest
    of a thick, slightly tilted crystal, decide it. Without a mask the beam found is then checked
    against the spot about which most spots have their Friedel mate
    (:func:`insitu_tem.analysis.diffraction.friedel.friedel_vote`): when that vote is conclusive
    and names another centre the result has ``ok`` False ("ambiguous centre").

    Parameters
    ----------
    pattern : array_like
        2-D pattern.
    method : {"com", "template"}
        Refinement on the direct beam (see :func:`direct_beam_centre`).
    mask : array_like of bool, optional
        True for pixels to ignore (beam stop, dead pixels).
    search_px : int
        Half-size of the direct-beam search window, px; doubled (up to a quarter of the
        pattern) while the beam is larger than the window.

    Returns
    -------
    BeamCentre
        ``method == "symmetry"`` (±0.1 px on clean rings) when the direct beam
        is blocked, or when with a ``mask`` the beam found lies more than its radius (at least
        2 px) from the symmetry centre; refine it with
        :func:`insitu_tem.analysis.diffraction.ellipse.fit_ring_ellipse`;
        ``ok`` False with the reason when the centre is ambiguous.
    """
    data = as_pattern(pattern)
    coarse = symmetry_centre(data, mask=mask)
    beam = _grown_search(data, coarse.centre_rc, method=method, mask=mask, search_px=search_px)
    if not beam.ok:
        compressed = symmetry_centre(np.log1p(data - data.min()), mask=mask)
        beam = _grown_search(
            data, compressed.centre_rc, method=method, mask=mask, search_px=search_px
        )
    found = beam if beam.ok else coarse
    if mask is not None:
        return _beside_the_mask(found, coarse)
    return _checked_by_friedel_pairs(data, found)


def _beside_the_mask(found: BeamCentre, coarse: BeamCentre) -> BeamCentre:
    """``found``, or the symmetry centre ``coarse`` when the beam found lies more than its radius
    (at least 2 px) from it: a direct beam seen past a mask is the pattern's centre of inversion
    symmetry, and a bright patch of a textured ring beside a beam stop is not (on the validation
    corpus such patches were taken 13–17 px from centres the symmetry had within 0.4 px)."""
    if found.method == "symmetry":
        return found
    apart = float(np.hypot(*np.subtract(found.centre_rc, coarse.centre_rc)))
    return coarse if apart > max(2.0, found.radius_px) else found


def _checked_by_friedel_pairs(data: np.ndarray, found: BeamCentre) -> BeamCentre:
    """``found``, or ok False when the spots' Friedel pairs single out another centre.

    A bright diffracted disk of a thick crystal can pass for the direct beam, and a tilt moves
    the spots' own centre of symmetry towards the Laue circle's centre: on the abTEM validation
    corpus each of the two is wrong where the other is right, so a disagreement is reported as
    an ambiguous centre rather than resolved.
    """
    radius = _radius_guess(data, found)
    vote = friedel_vote(data, radius_px=radius)
    if vote.n_paired < max(MIN_PAIRED, MIN_PAIRED_FRACTION * vote.n_spots):
        return found
    near = max(2.0, radius)
    if any(
        np.hypot(*np.subtract(found.centre_rc, c)) <= near for c in (vote.centre_rc, *vote.tied_rc)
    ):
        return found
    at = ", ".join(f"{v:.1f}" for v in vote.centre_rc)
    return replace(
        found,
        ok=False,
        method="friedel",
        reason=f"ambiguous centre: the brightest beam is not the centre ({at}) of the spots' "
        "Friedel pairs (bright diffracted disk or tilted crystal); give the centre",
    )


def _radius_guess(data: np.ndarray, found: BeamCentre) -> float:
    """The beam's radius, else that of the brightest disk, else 1 px."""
    if np.isfinite(found.radius_px):
        return float(found.radius_px)
    brightest = np.unravel_index(int(np.argmax(ndimage.uniform_filter(data, 3))), data.shape)
    disk = direct_beam_centre(data, guess_rc=brightest, search_px=24)
    return float(disk.radius_px) if disk.ok else 1.0


def _grown_search(data: np.ndarray, guess_rc, *, method: str, mask, search_px: int) -> BeamCentre:
    limit = min(data.shape) // 4
    while True:
        beam = direct_beam_centre(
            data, guess_rc=guess_rc, method=method, search_px=search_px, mask=mask
        )
        if beam.ok or "larger than the search window" not in beam.reason or 2 * search_px > limit:
            return beam
        search_px *= 2
