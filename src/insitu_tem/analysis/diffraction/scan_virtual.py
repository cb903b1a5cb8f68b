"""The virtual bright-field (BF) and annular dark-field (ADF) images of a 2-D NBD scan as the NBD
panel's map draws them, without Qt (the ``nbd`` command's JSON, the ``nbd-map`` export view).

The detector is :func:`~insitu_tem.analysis.diffraction.virtual_detector.default_detector` of
the scan's patterns unless radii are given; it is centred on each probe's fitted beam centre
(the scan result's ``centre_px``) when the descan fit is trusted (``centre_ok``), else on the
beam of the scan's mean pattern, as in the panel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from insitu_tem.analysis.diffraction.virtual_detector import (
    DETECTORS,
    Detector,
    default_detector,
    virtual_image,
)

NAMES = {"BF": "Virtual bright field", "ADF": "Virtual annular dark field"}
"""Detector → the name the NBD panel's map gives its image."""


@dataclass(frozen=True)
class ScanVirtualImages:
    """Virtual detector images of a scan.

    Attributes
    ----------
    detector : Detector
        The default detector on the scan's mean pattern (centre and beam radius, px).
    radii_px : dict
        Detector ("BF", "ADF") → (inner, outer) radii used, px.
    counts : dict
        Detector → (n,) counts inside the detector at every probe, in scan order.
    per_probe : bool
        True: each probe's detector is centred on its fitted beam centre; False: every probe's
        on ``detector.centre_rc``.
    """

    detector: Detector
    radii_px: dict
    counts: dict
    per_probe: bool

    @property
    def centred_on(self) -> str:
        """Where the detector is centred, in words."""
        if self.per_probe:
            return "the fitted beam centre of each probe"
        row, col = self.detector.centre_rc
        return f"the beam of the mean pattern, ({row:.1f}, {col:.1f}) px"


def trusted_centres(value: dict | None) -> np.ndarray | None:
    """(n, 2) fitted beam centres (row, col) px of an "nbd" scan result ``value``; None when
    there is none, the descan fit is flagged (``centre_ok`` false) or no centre is finite."""
    if value is None or not value.get("centre_ok", True) or value.get("centre_px") is None:
        return None
    centres = np.asarray(value["centre_px"], float).reshape(-1, 2)
    return centres if np.isfinite(centres).all(axis=1).any() else None


def scan_virtual_images(
    patterns,
    *,
    value: dict | None = None,
    radii_px: dict | None = None,
    kinds: tuple[str, ...] = DETECTORS,
) -> ScanVirtualImages:
    """The ``kinds`` virtual images of ``patterns`` (module docstring).

    Parameters
    ----------
    patterns : array_like
        (n, rows, cols) patterns in scan order, counts.
    value : dict, optional
        The "nbd" scan result's value (its ``centre_px``, ``centre_ok``); None: the detector
        stays on the mean pattern's beam.
    radii_px : dict, optional
        Detector → (inner, outer) px, e.g. the radii kept in a project; the default detector's
        for a detector not in it.
    kinds : tuple of str
        Detectors to compute ("BF", "ADF").
    """
    detector = default_detector(patterns)
    centres = trusted_centres(value)
    if centres is not None and len(centres) != np.shape(patterns)[0]:
        raise ValueError(
            f"the scan result has {len(centres)} centres for {np.shape(patterns)[0]} patterns"
        )
    given = radii_px or {}
    radii = {
        k: tuple(float(r) for r in given[k]) if k in given else detector.radii(k) for k in kinds
    }
    counts = {
        k: virtual_image(
            patterns,
            centre_rc=detector.centre_rc if centres is None else centres,
            inner_px=radii[k][0],
            outer_px=radii[k][1],
        )
        for k in kinds
    }
    return ScanVirtualImages(detector, radii, counts, centres is not None)
