"""Virtual detector images of a scan of diffraction patterns (4D-STEM): at every probe the counts
inside a disk (bright field, BF) or an annulus (annular dark field, ADF) about the direct beam.

A pixel belongs to the detector when its centre lies at a distance r from the detector's centre
with ``inner_px <= r < outer_px`` (a BF detector has ``inner_px = 0``). The centre may be one
point for the whole scan (a physical detector) or one per probe: the fitted direct-beam centres
of the scan (:class:`~insitu_tem.analysis.diffraction.descan.DescanFit`), so that a descanned
beam stays inside the BF disk. Probes whose centres agree to :data:`CENTRE_STEP_PX` share one
mask. The default detector (:func:`default_detector`) follows the common practice of 4D-STEM
tools (py4DSTEM's virtual BF about the probe with its radius grown by a few pixels, and an ADF
from there outwards): BF out to :data:`MARGIN_PX` beyond the direct beam's edge, ADF from there
to the largest circle inside the pattern.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from insitu_tem.analysis.diffraction.centre import find_centre

CENTRE_STEP_PX = 0.25
"""Per-probe centres are rounded to this step (px) to share masks."""
MARGIN_PX = 2.0
"""The default BF detector reaches this far (px) beyond the direct beam's edge."""
DETECTORS = ("BF", "ADF")


@dataclass(frozen=True)
class Detector:
    """A virtual detector's default geometry on a scan's patterns.

    Attributes
    ----------
    centre_rc : tuple of float
        (row, col) of the direct beam on the scan's mean pattern, px.
    beam_radius_px : float
        Radius of the direct beam, px (NaN when no beam was found: ``reason``).
    bf_outer_px : float
        Outer radius of the BF disk, px.
    adf_inner_px, adf_outer_px : float
        Radii of the ADF annulus, px.
    reason : str
        Why the beam was not found ("" when found); the radii are then a fraction of the pattern.
    """

    centre_rc: tuple[float, float]
    beam_radius_px: float
    bf_outer_px: float
    adf_inner_px: float
    adf_outer_px: float
    reason: str = ""

    def radii(self, kind: str) -> tuple[float, float]:
        """(inner, outer) radii, px, of the ``"BF"`` or ``"ADF"`` detector."""
        if kind not in DETECTORS:
            raise ValueError(f"detector must be one of {DETECTORS}, got {kind!r}")
        return (0.0, self.bf_outer_px) if kind == "BF" else (self.adf_inner_px, self.adf_outer_px)


def inscribed_radius(shape: tuple[int, int], centre_rc) -> float:
    """Radius (px) of the largest circle about ``centre_rc`` inside a pattern of ``shape``."""
    row, col = (float(v) for v in centre_rc)
    return float(max(min(row + 0.5, col + 0.5, shape[0] - 0.5 - row, shape[1] - 0.5 - col), 1.0))


def default_detector(patterns) -> Detector:
    """BF and ADF detectors about the direct beam of the mean of ``patterns`` (module docstring).

    Parameters
    ----------
    patterns : array_like
        (n, rows, cols) patterns, counts.
    """
    data = np.asarray(patterns)
    mean = data.reshape((-1,) + data.shape[-2:]).mean(axis=0, dtype=np.float64)
    found = find_centre(mean)
    centre = tuple(float(v) for v in found.centre_rc)
    edge = inscribed_radius(mean.shape, centre)
    radius = float(found.radius_px)
    if not (found.ok and np.isfinite(radius) and radius + MARGIN_PX < edge):
        reason = found.reason or "no direct beam found on the mean pattern"
        guess = edge / 8.0
        return Detector(centre, float("nan"), guess, guess, edge, reason)
    bf = radius + MARGIN_PX
    return Detector(centre, radius, bf, bf, edge)


def detector_mask(shape: tuple[int, int], centre_rc, inner_px: float, outer_px: float):
    """(rows, cols) bool: pixels whose centre lies at ``inner_px <= r < outer_px`` from
    ``centre_rc`` (row, col px)."""
    rows, cols = np.indices(shape, dtype=np.float64)
    r = np.hypot(rows - float(centre_rc[0]), cols - float(centre_rc[1]))
    return (r >= inner_px) & (r < outer_px)


def virtual_image(patterns, *, centre_rc, inner_px: float, outer_px: float) -> np.ndarray:
    """Counts inside the detector at every probe.

    Parameters
    ----------
    patterns : array_like
        (n, rows, cols) patterns, counts.
    centre_rc : array_like
        The detector's centre (row, col), px: one (2,) for every probe, or (n, 2), one per probe
        (NaN rows: the mean of the finite ones).
    inner_px, outer_px : float
        Detector radii, px (``0 <= inner_px < outer_px``; BF: ``inner_px = 0``).

    Returns
    -------
    numpy.ndarray
        (n,) counts per probe (the sum over the detector's pixels).
    """
    if not 0.0 <= inner_px < outer_px:
        raise ValueError(
            f"detector radii must satisfy 0 <= inner < outer, got {inner_px}, {outer_px}"
        )
    data = np.asarray(patterns)
    n, shape = data.shape[0], data.shape[-2:]
    flat = data.reshape(n, -1)
    centres = np.broadcast_to(np.asarray(centre_rc, dtype=np.float64), (n, 2)).copy()
    bad = ~np.isfinite(centres).all(axis=1)
    if bad.all():
        raise ValueError("no finite detector centre")
    centres[bad] = centres[~bad].mean(axis=0)
    keys = np.round(centres / CENTRE_STEP_PX).astype(np.int64)
    unique, groups = np.unique(keys, axis=0, return_inverse=True)
    out = np.empty(n, dtype=np.float64)
    for k, key in enumerate(unique):
        members = np.flatnonzero(groups.ravel() == k)
        mask = detector_mask(shape, key * CENTRE_STEP_PX, inner_px, outer_px).ravel()
        rows = flat if len(unique) == 1 else flat[members]  # no copy of a whole scan
        out[members] = rows[:, mask].sum(axis=1, dtype=np.float64)
    return out
