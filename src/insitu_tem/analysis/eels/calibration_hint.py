"""Where an edge the onset search missed actually rises: a hint that the energy axis is off.

The onset search (:mod:`.onsets`) looks ±``SEARCH_EV`` about the tabled onset. When it finds no
edge in some spectra, the identical search (same criteria, automatic pre-edge window) is run on
their mean as if the tabled onset were ``OFFSETS_EV`` away — the energy axis moved by each
offset in turn. If a single steepest rise is found there, the reason names its energy ± 1σ and
its distance from the tabled onset: an edge that is present but displaced by more than the
chemical shifts the search allows points to the energy calibration (the spectrum's offset or
dispersion), not to the absence of the element. The edge is still not measured: nothing is
corrected.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from insitu_tem.core.model import Axis
from insitu_tem.analysis.eels._common import as_spectra
from insitu_tem.analysis.eels.edges_table import find_edge
from insitu_tem.analysis.eels.onsets import SEARCH_EV, EdgeOnset, edge_onset

OFFSETS_EV = (-2 * SEARCH_EV, 2 * SEARCH_EV, -4 * SEARCH_EV, 4 * SEARCH_EV)
"""Displacements of the tabled onset tried, nearest first (eV); the searches tile ±18 eV."""


def calibration_hint(
    spectra, energy: Axis, onset: EdgeOnset, *, background_model: str = "power_law"
) -> str:
    """A sentence on where the edge of ``onset`` rises in the spectra where it was not found,
    when it rises outside the ±:data:`.onsets.SEARCH_EV` search ("" otherwise).

    Parameters
    ----------
    spectra : array_like, shape (..., n_channels)
        The counts the onset was searched on, energy last.
    energy : Axis
        Energy-loss axis, eV.
    onset : EdgeOnset
        The narrow search's result.
    background_model : str, keyword-only
        Pre-edge background model.

    Returns
    -------
    str
    """
    missed = ~np.ravel(onset.found)
    if not missed.any():
        return ""
    info = find_edge(onset.edge)
    y, _ = as_spectra(spectra, energy)
    mean = y[missed].mean(axis=0)
    for offset in OFFSETS_EV:
        moved = dataclasses.replace(energy, offset=energy.offset - offset)
        try:
            found = edge_onset(mean, moved, info.name, background_model=background_model)
        except ValueError:
            continue
        if bool(np.ravel(found.found)[0]):
            at = float(np.ravel(found.onset_eV)[0]) + offset
            sigma = float(np.ravel(found.stderr_eV)[0])
            break
    else:
        return ""
    side = "below" if at < info.onset_eV else "above"
    return (
        f"a single steepest rise lies at {at:.2f} ± {sigma:.2f} eV (mean of those spectra), "
        f"{abs(at - info.onset_eV):.1f} eV {side} the tabled onset of {info.name} "
        f"({info.onset_eV:g} eV): if that is the edge, check the energy calibration"
    )
