"""The result of :func:`.shifts.chemical_shift` and the words that say where and why a shift was
not measured: what a chemical-shift measurement reports, apart from how it is fitted."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DETECTION_P = 1e-3
"""Significance of the edge-detection test: an edge is detected where its p-value is below."""


@dataclass(frozen=True)
class ChemicalShift:
    """Shift of one edge in every spectrum against a reference.

    Attributes
    ----------
    edge : str
        Edge name.
    shift_eV : ndarray
        Shift, eV (navigation shape; NaN where not measured).
    stderr_eV : ndarray
        1σ uncertainty of the shift, eV: statistical and systematic in quadrature.
    statistical_eV : ndarray
        Statistical standard error (correlated noise of spectrum and reference), eV.
    systematic_eV : ndarray
        Spread over the background-model and window variants, eV.
    scale : ndarray
        Amplitude ``a`` of the reference in the fit.
    chi2_reduced : ndarray
        Weighted residual variance per channel of the nominal fit.
    fit_window_eV : (float, float)
        Region fitted (pre-edge window start to fit window end), eV.
    background_window_eV : (float, float)
        Pre-edge window, eV.
    found : ndarray of bool
        Where a shift was measured.
    detected : ndarray of bool
        Where the edge was detected (``detection_p`` < :data:`DETECTION_P`).
    detection_p : ndarray
        p-value of the edge against the smooth background alone over the shift search
        (:func:`.edge_detection.detection_p`; with ``plasmon_tail`` the larger of that and the
        plasmon model's; the reference index's against its neighbour under the nominal model,
        NaN for a lone spectrum).
    ok : bool
        True when measured everywhere.
    reason : str
        Why some were not measured ("" when ok).
    """

    edge: str
    shift_eV: np.ndarray
    stderr_eV: np.ndarray
    statistical_eV: np.ndarray
    systematic_eV: np.ndarray
    scale: np.ndarray
    chi2_reduced: np.ndarray
    fit_window_eV: tuple[float, float]
    background_window_eV: tuple[float, float]
    found: np.ndarray
    detected: np.ndarray
    detection_p: np.ndarray
    ok: bool
    reason: str


def not_measured_reason(
    name: str, found: np.ndarray, detected: np.ndarray, max_shift_eV: float
) -> str:
    """Why the shift of edge ``name`` was not measured in some spectra ("" when measured in all):
    the spectra where it is not ``detected``, and those ``found`` false though detected (best
    shift on the ±``max_shift_eV`` search limit, no edge of the reference's shape, or a 1σ above
    a third of the search range)."""
    parts = []
    if (~detected).any():
        parts.append(
            f"edge {name} not detected in {_spectra(int((~detected).sum()))} (test of the edge "
            f"against the smooth background alone over the shift search, p ≥ {DETECTION_P:g})"
        )
    unmeasured = int((~found & detected).sum())
    if unmeasured:
        parts.append(
            f"no measurable shift of {name} in {_spectra(unmeasured)}: best shift at the "
            f"±{max_shift_eV:g} eV search limit, no edge of the reference's shape, or an error "
            "above a third of the search range"
        )
    return "; ".join(parts)


def lone_reason(name: str) -> str:
    """Why a lone spectrum, its own reference, has no shift of edge ``name`` and no detection
    test (against itself its shift is 0 and its noise fits exactly, by construction)."""
    return (
        f"a lone spectrum: no chemical shift of {name} (no other spectrum to shift against); "
        "detection not tested (the test takes the edge's shape from another spectrum)"
    )


def _spectra(count: int) -> str:
    return f"{count} spectrum" if count == 1 else f"{count} spectra"
