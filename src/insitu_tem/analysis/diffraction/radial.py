"""Azimuthal averages I(r) through one sparse matrix per detector geometry.

A :class:`RadialIntegrator` is built once for a detector shape, a centre, an
optional distortion correction and mask, and a set of radius bins: it holds
a sparse matrix (bins × pixels) whose rows average the pixels that fall in each
bin. Every pattern is then integrated by one sparse product. The matrix is
stored column by column (CSC), so a product walks the pattern's pixels in memory
order and adds into a profile that stays in cache; a series is read pattern by
pattern (from memory, a memory map or a lazy stack, in blocks), so memory stays
bounded whatever its length, and sums run in float64. With pixel splitting ("bbox", as
in pyFAI) each pixel's intensity is shared among the bins its radial extent
overlaps, in proportion to the overlap, which smooths profiles at small radii.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from insitu_tem.core.blocks import iter_blocks

SPLIT_MODES = ("none", "bbox")
BLOCK_BYTES = 64 * 2**20


@dataclass(frozen=True, eq=False)
class RadialIntegrator:
    """Pre-computed azimuthal integration for one geometry.

    Attributes
    ----------
    matrix : scipy.sparse.csc_matrix
        (n_bins, rows * cols) row-normalised weights: profile = matrix @ pattern.ravel().
    shape : tuple of int
        Detector (rows, cols), px.
    centre_rc : tuple of float
        Centre (row, col), px.
    r_edges_px : numpy.ndarray
        (n_bins + 1,) bin edges, px (distortion-corrected radius).
    pixels_per_bin : numpy.ndarray
        (n_bins,) total pixel weight in each bin (0: empty bin, profile NaN).
    split : str
        "none" or "bbox".
    """

    matrix: sparse.csc_matrix
    shape: tuple[int, int]
    centre_rc: tuple[float, float]
    r_edges_px: np.ndarray
    pixels_per_bin: np.ndarray
    split: str

    @property
    def r_px(self) -> np.ndarray:
        """Bin centres, px."""
        return 0.5 * (self.r_edges_px[1:] + self.r_edges_px[:-1])

    def profile(self, pattern) -> np.ndarray:
        """Mean intensity per radius bin of one pattern (NaN in empty bins)."""
        return self.profiles(np.asarray(pattern)[None])[0]

    def profiles(self, patterns) -> np.ndarray:
        """(n, n_bins) profiles of (n, rows, cols) patterns (numpy, memory-mapped or dask), block
        by block."""
        patterns = patterns if hasattr(patterns, "dtype") else np.asarray(patterns)
        if tuple(patterns.shape[1:]) != self.shape:
            raise ValueError(
                f"patterns of shape {tuple(patterns.shape[1:])} differ from the integrator's "
                f"{self.shape}"
            )
        frame_bytes = self.shape[0] * self.shape[1] * np.dtype(patterns.dtype).itemsize
        out = np.empty((len(patterns), self.matrix.shape[0]))
        for start, block in iter_blocks(patterns, chunk=max(1, BLOCK_BYTES // frame_bytes)):
            for i, pattern in enumerate(block, start):
                out[i] = self.matrix @ pattern.ravel()
        out[:, self.pixels_per_bin == 0] = np.nan
        return out


def _radii(shape, centre_rc, correction, d_row: float = 0.0, d_col: float = 0.0) -> np.ndarray:
    rows = np.arange(shape[0], dtype=float)[:, None] + d_row - centre_rc[0]
    cols = np.arange(shape[1], dtype=float)[None, :] + d_col - centre_rc[1]
    if correction is None:
        return np.hypot(rows, cols).ravel()
    m = np.asarray(correction, dtype=float)
    return np.hypot(m[0, 0] * rows + m[0, 1] * cols, m[1, 0] * rows + m[1, 1] * cols).ravel()


def _entries_plain(radius, edges, valid):
    bins = np.searchsorted(edges, radius, side="right") - 1
    keep = valid & (bins >= 0) & (bins < len(edges) - 1)
    pixels = np.flatnonzero(keep)
    return bins[keep], pixels, np.ones(pixels.size)


def _entries_bbox(shape, centre_rc, correction, edges, valid):
    corners = np.stack(
        [_radii(shape, centre_rc, correction, dr, dc) for dr in (-0.5, 0.5) for dc in (-0.5, 0.5)]
    )
    r_lo, r_hi = corners.min(axis=0), corners.max(axis=0)
    r_lo[_radii(shape, centre_rc, correction) < 0.75] = 0.0
    width = np.maximum(r_hi - r_lo, 1e-12)
    step = edges[1] - edges[0]
    first = np.floor((r_lo - edges[0]) / step).astype(int)
    span = int(np.ceil(width.max() / step)) + 1
    rows, cols, vals = [], [], []
    pixel_index = np.arange(r_lo.size)
    for k in range(span + 1):
        b = first + k
        overlap = np.minimum(r_hi, edges[0] + (b + 1) * step) - np.maximum(
            r_lo, edges[0] + b * step
        )
        keep = valid & (b >= 0) & (b < len(edges) - 1) & (overlap > 0)
        rows.append(b[keep])
        cols.append(pixel_index[keep])
        vals.append(overlap[keep] / width[keep])
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)


def radial_integrator(
    shape: tuple[int, int],
    *,
    centre_rc: tuple[float, float],
    n_bins: int | None = None,
    r_max_px: float | None = None,
    split: str = "none",
    mask=None,
    correction=None,
) -> RadialIntegrator:
    """Build the CSR matrix of an azimuthal average.

    Parameters
    ----------
    shape : tuple of int
        Detector (rows, cols), px.
    centre_rc : tuple of float
        Centre (row, col), px.
    n_bins : int, optional
        Number of radius bins from 0 to ``r_max_px``; default one per px.
    r_max_px : float, optional
        Outer radius, px; default the distance to the farthest corner.
    split : {"none", "bbox"}
        Pixel splitting: none (each pixel in the bin of its centre) or
        bounding-box splitting over the bins its radial extent overlaps.
    mask : array_like of bool, optional
        True for pixels to leave out (beam stop, dead pixels).
    correction : (2, 2) array_like, optional
        Matrix applied to (row, col) offsets before taking the radius, e.g.
        :meth:`EllipseFit.correction` to undo elliptical distortion.
    """
    if split not in SPLIT_MODES:
        raise ValueError(f"unknown split {split!r}; use one of {SPLIT_MODES}")
    shape = (int(shape[0]), int(shape[1]))
    centre_rc = (float(centre_rc[0]), float(centre_rc[1]))
    if not all(np.isfinite(centre_rc)):
        raise ValueError(f"centre {centre_rc} is not finite; find the centre first (find_centre)")
    radius = _radii(shape, centre_rc, correction)
    r_max = float(radius.max() + 0.5) if r_max_px is None else float(r_max_px)
    n_bins = int(np.ceil(r_max)) if n_bins is None else int(n_bins)
    if n_bins < 1 or not r_max > 0:
        raise ValueError(f"need n_bins >= 1 and r_max_px > 0, got {n_bins} and {r_max}")
    edges = np.linspace(0.0, r_max, n_bins + 1)
    valid = np.ones(radius.size, bool) if mask is None else ~np.asarray(mask, dtype=bool).ravel()
    if split == "bbox":
        bins, pixels, weights = _entries_bbox(shape, centre_rc, correction, edges, valid)
    else:
        bins, pixels, weights = _entries_plain(radius, edges, valid)
    matrix = sparse.csr_matrix((weights, (bins, pixels)), shape=(n_bins, radius.size))
    per_bin = np.asarray(matrix.sum(axis=1)).ravel()
    matrix = (
        sparse.diags(np.where(per_bin > 0, 1.0 / np.where(per_bin > 0, per_bin, 1.0), 0.0)) @ matrix
    )
    return RadialIntegrator(matrix.tocsc(), shape, centre_rc, edges, per_bin, split)


@dataclass(frozen=True)
class RadialProfile:
    """One azimuthal average.

    Attributes
    ----------
    r_px : numpy.ndarray
        Bin centres, px.
    intensity : numpy.ndarray
        Mean intensity per bin (counts per px; NaN where empty).
    q_per_A : numpy.ndarray or None
        1/d of each bin, 1/Å, when the pattern is calibrated.
    """

    r_px: np.ndarray
    intensity: np.ndarray
    q_per_A: np.ndarray | None


def q_per_A_from_px(r_px, *, scale_per_nm: float) -> np.ndarray:
    """Convert radii in px to q = 1/d in 1/Å, given the pattern scale in 1/nm per px."""
    return np.asarray(r_px, dtype=float) * float(scale_per_nm) / 10.0


def radial_profile(
    pattern, *, centre_rc, scale_per_nm: float | None = None, **options
) -> RadialProfile:
    """Azimuthal average of one pattern (builds a one-off :class:`RadialIntegrator`).

    Parameters
    ----------
    pattern : array_like
        2-D pattern.
    centre_rc : tuple of float
        Centre (row, col), px.
    scale_per_nm : float, optional
        Calibration, 1/nm per px; gives ``q_per_A``.
    **options
        ``n_bins``, ``r_max_px``, ``split``, ``mask``, ``correction`` of
        :func:`radial_integrator`.
    """
    data = np.asarray(pattern)
    integrator = radial_integrator(data.shape, centre_rc=centre_rc, **options)
    q = (
        None
        if scale_per_nm is None
        else q_per_A_from_px(integrator.r_px, scale_per_nm=scale_per_nm)
    )
    return RadialProfile(integrator.r_px, integrator.profile(data), q)


def radial_median(pattern, *, centre_rc, whole_counts: bool = False, mask=None) -> RadialProfile:
    """Median of every 1 px annulus about ``centre_rc`` (row, col px) of one 2-D pattern, robust
    to spots: it follows rings and background only. ``r_px`` of the :class:`RadialProfile` is at
    the annulus centres (k + 0.5), only for annuli holding pixels; its ``q_per_A`` is None.

    The pixels are sorted by value, then by annulus with a stable sort of 16-bit annulus numbers
    (a radix sort: a quarter of the time of sorting both keys together).

    With ``whole_counts`` (a pattern of whole electron counts) each count stands for the unit
    interval about it and the median is interpolated within the median's count (the median of
    grouped data, m − ½ + (n/2 − n_below)/n_equal): where a few counts fall per pixel the plain
    median jumps by whole counts from annulus to annulus, a radial pattern the disks of a faint
    background inherit.

    ``mask`` (True: left out) takes pixels out of their annuli, e.g. the disks of a spot
    pattern, which raise the median of an annulus they cover a share of; an annulus with no
    pixel left has no median."""
    data = np.asarray(pattern, dtype=np.float64)
    if data.ndim != 2:
        raise ValueError(f"expected one 2-D pattern, got shape {data.shape}")
    rows, cols = np.indices(data.shape)
    bins = np.hypot(rows - centre_rc[0], cols - centre_rc[1]).astype(int).ravel()
    pixels = data.ravel()
    if mask is not None:
        kept = ~np.asarray(mask, bool).ravel()
        bins, pixels = bins[kept], pixels[kept]
    order = np.argsort(pixels)
    annulus = bins[order]
    small = annulus.astype(np.uint16) if annulus.max() < 2**16 else annulus
    values = pixels[order][np.argsort(small, kind="stable")]
    counts = np.bincount(bins)
    filled = np.flatnonzero(counts)
    starts = np.cumsum(counts) - counts
    median = values[starts[filled] + counts[filled] // 2]
    if whole_counts:
        level = np.zeros(len(counts))
        level[filled] = median
        below = np.bincount(bins, pixels < level[bins], minlength=len(counts))[filled]
        equal = np.bincount(bins, pixels == level[bins], minlength=len(counts))[filled]
        median = median - 0.5 + (counts[filled] / 2 - below) / np.maximum(equal, 1)
    return RadialProfile(filled + 0.5, median, None)
