"""Where an edge the onset search missed actually rises: a hint that the energy axis is off.

The onset search (:mod:`.onsets`) looks ±``SEARCH_EV`` about the tabled onset. When it finds no
edge in some spectra, the identical search (same criteria, automatic pre-edge window) is run on
their mean as if the tabled onset were ``OFFSETS_EV`` away — the energy axis moved by each
offset in turn. If a single steepest rise is found there, the reason names its energy ± 1σ and
its distance from the tabled onset: an edge that is present but displaced by more than the
chemical shifts the search allows points to the energy calibration (the spectrum's offset or
dispersion), not to the absence of the element. The edge is still not measured: nothing is
corrected. Nor is a window map whose automatic windows, placed from the tabled onset, span the
rise: in those spectra the background fit or the integral takes part of it, so the map is
withheld there (:meth:`DisplacedRise.spoils`, :meth:`DisplacedRise.windows_reason`). A rise
outside the windows' span leaves the map a measured count in windows clear of it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from insitu_tem.core.model import Axis
from insitu_tem.analysis.eels._common import as_spectra
from insitu_tem.analysis.eels.edges_table import find_edge
from insitu_tem.analysis.eels.onsets import SEARCH_EV, EdgeOnset, edge_onset

OFFSETS_EV = (-2 * SEARCH_EV, 2 * SEARCH_EV, -4 * SEARCH_EV, 4 * SEARCH_EV)
"""Displacements of the tabled onset tried, nearest first (eV); the searches tile ±18 eV."""


@dataclass(frozen=True)
class DisplacedRise:
    """Where an edge the onset search missed rises, found by the displaced searches.

    Attributes
    ----------
    edge : str
        Edge name.
    tabled_eV : float
        The table's onset, eV.
    energy_eV, sigma_eV : float
        The single steepest rise in the mean of the missed spectra and its 1σ, eV (the onset's
        definition, :mod:`.onsets`).
    missed : ndarray of bool
        The spectra the narrow search missed, whose mean was searched (navigation order, flat).
    """

    edge: str
    tabled_eV: float
    energy_eV: float
    sigma_eV: float
    missed: np.ndarray

    @property
    def sentence(self) -> str:
        """Where the rise lies and its distance from the tabled onset."""
        side = "below" if self.energy_eV < self.tabled_eV else "above"
        return (
            f"a single steepest rise lies at {self.energy_eV:.2f} ± {self.sigma_eV:.2f} eV (mean "
            f"of those spectra), {abs(self.energy_eV - self.tabled_eV):.1f} eV {side} the tabled "
            f"onset of {self.edge} ({self.tabled_eV:g} eV): if that is the edge, check the "
            "energy calibration"
        )

    def spoils(self, signal_eV, background_eV) -> bool:
        """Whether the rise lies within the span of the windows ``background_eV`` to
        ``signal_eV`` (eV): in the background fit, between the windows or in the signal."""
        low, high = min(background_eV[0], signal_eV[0]), max(background_eV[1], signal_eV[1])
        return low <= self.energy_eV <= high

    def windows_reason(self, signal_eV, background_eV) -> str:
        """Why a window map with the automatic windows ``signal_eV`` and ``background_eV`` (eV),
        placed from the tabled onset, is not measured in the missed spectra."""
        return (
            f"window map not measured in {int(self.missed.sum())} spectra: the edge rises at "
            f"{self.energy_eV:.2f} eV, within its windows (background {background_eV[0]:.1f}–"
            f"{background_eV[1]:.1f} eV, signal {signal_eV[0]:.1f}–{signal_eV[1]:.1f} eV) placed "
            f"from the tabled onset of {self.edge} ({self.tabled_eV:g} eV), so the background fit "
            "or the integral takes part of the rise; give both windows about the rise (--window, "
            "--background) or correct the energy calibration"
        )


def displaced_rise(
    spectra, energy: Axis, onset: EdgeOnset, *, background_model: str = "power_law"
) -> DisplacedRise | None:
    """The rise of the edge of ``onset`` in the spectra where it was not found, when it rises
    outside the ±:data:`.onsets.SEARCH_EV` search (None otherwise).

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
    DisplacedRise or None
    """
    missed = ~np.ravel(onset.found)
    if not missed.any():
        return None
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
            return DisplacedRise(info.name, info.onset_eV, at, sigma, missed)
    return None
