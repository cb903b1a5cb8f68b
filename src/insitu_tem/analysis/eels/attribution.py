"""Whether a step found near an edge's threshold can be attributed to that edge.

An onset search finds the steepest rise within ``search_eV`` of the tabulated threshold,
whatever element causes it. When the table holds an edge of another element whose
threshold lies in that range (Cu M2,3 at 74.0 eV and W O1 at 75.6 eV), a step there is
attributable to the requested edge only where the other element is absent. Its presence is
decided on independent evidence: the element's other edges in the spectrum, outside the
range, tested with the same onset rule (:func:`.edge_onset`: a rise above about five times
its noise, :func:`.onsets.detection_threshold`). Where that evidence is found the onset and
the shift are withdrawn with the reason, rather than reported as a confident number for the
wrong element.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from insitu_tem.core.model import Axis
from insitu_tem.analysis.eels.edges_table import EDGES, Edge, find_edge
from insitu_tem.analysis.eels.onsets import SEARCH_EV, EdgeOnset, edge_onset
from insitu_tem.analysis.eels.shifts import ChemicalShift


def overlapping_edges(edge: str, search_eV: float) -> list[Edge]:
    """Edges of other elements with a threshold within ``search_eV`` of ``edge``'s, eV."""
    info = find_edge(edge)
    return [
        other
        for other in EDGES.values()
        if other.element != info.element and abs(other.onset_eV - info.onset_eV) <= search_eV
    ]


def _evidence(spectra, energy: Axis, element: str, ambiguous: set[str], model: str) -> np.ndarray:
    """Where another edge of ``element`` (not among ``ambiguous``) is found, per spectrum."""
    present = np.zeros(np.asarray(spectra).shape[:-1], bool)
    for other in EDGES.values():
        if other.element != element or other.name in ambiguous:
            continue
        try:
            present |= edge_onset(spectra, energy, other.name, background_model=model).found
        except ValueError:
            continue
    return present


def unattributable(
    spectra,
    energy: Axis,
    edge: str,
    *,
    search_eV: float = SEARCH_EV,
    background_model: str = "power_law",
) -> tuple[np.ndarray, str]:
    """Spectra in which a step near ``edge`` may belong to another element, and why.

    Parameters
    ----------
    spectra : array_like, shape (..., n_channels)
        Counts (or single scattering), energy last.
    energy : Axis
        Energy-loss axis, eV.
    edge : str
        Edge name from the table.
    search_eV : float, keyword-only
        Half-width of the onset search range, eV.
    background_model : str, keyword-only
        Background model of the evidence edges' onset test.

    Returns
    -------
    mask : ndarray of bool
        Navigation shape; True where another element's edge overlaps and that element is present.
    reason : str
        "" when no spectrum is masked.
    """
    mask = np.zeros(np.asarray(spectra).shape[:-1], bool)
    blamed = []
    overlaps = overlapping_edges(edge, search_eV)
    names = {o.name for o in overlaps}
    for other in overlaps:
        present = _evidence(spectra, energy, other.element, names, background_model)
        if present.any():
            mask |= present
            blamed.append(f"{other.name} ({other.onset_eV:g} eV)")
    if not mask.any():
        return mask, ""
    name = find_edge(edge).name
    return mask, (
        f"cannot tell {name} from {', '.join(blamed)} within ±{search_eV:g} eV: that element's "
        f"other edges are present in {int(mask.sum())} spectra"
    )


def withdraw(
    onset: EdgeOnset, shift: ChemicalShift, mask: np.ndarray, reason: str
) -> tuple[EdgeOnset, ChemicalShift]:
    """``onset`` and ``shift`` with the spectra in ``mask`` not found, for ``reason``."""
    if not mask.any():
        return onset, shift
    nan = {
        k: np.where(mask, np.nan, getattr(shift, k))
        for k in ("shift_eV", "stderr_eV", "statistical_eV", "systematic_eV")
    }
    return (
        dataclasses.replace(
            onset,
            onset_eV=np.where(mask, np.nan, onset.onset_eV),
            slope=np.where(mask, np.nan, onset.slope),
            found=onset.found & ~mask,
            ok=False,
            reason="; ".join(r for r in (onset.reason, reason) if r),
        ),
        dataclasses.replace(
            shift,
            **nan,
            found=shift.found & ~mask,
            ok=False,
            reason="; ".join(r for r in (shift.reason, reason) if r),
        ),
    )
