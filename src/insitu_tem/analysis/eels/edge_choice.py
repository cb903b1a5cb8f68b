"""Which edge a spectrum opens on: the edge of the table with the strongest rise above the noise.

Every major edge at least 5 eV inside the range (:func:`.edges_table.candidate_edges`) is
tested with the onset search of :func:`.onsets.edge_onset` on the spectrum (the mean of up to
:data:`SAMPLED` spectra of a scan). Of those whose steepest rise stands above its own
noise (``rise``: above :func:`.onsets.detection_threshold` σ_D) the edge chosen is the one with
the steepest rise (counts per channel per eV), the most prominent: on the sample line scan
W O2,3 on the plasmon tail rather than the weaker Li K further out. The onset need not be
placeable: Ti L3's crystal-field split rises twice, too alike to order, yet the edge is there.
Without any detected edge there is none: a low-loss spectrum (SrTiO3's, to 267 eV) opened on the
first candidate, W O2,3, read as tungsten found; the user picks an edge by hand. A session keeps the
answer for its EELS data (:func:`insitu_tem.workflows.eels.session_default_edge`), so it is found
once per data, with the rule it was found by (:data:`DEFAULT_EDGE_RULE`): a record kept before
this rule (a project saved then) may hold the first candidate standing in for none detected, an
edge the user never chose, and is found again.
"""

from __future__ import annotations

import numpy as np

from insitu_tem.core.model import Axis, Dataset
from insitu_tem.analysis.eels.edges_table import candidate_edges
from insitu_tem.analysis.eels.onsets import edge_onset

SAMPLED = 64
"""Spectra of a scan averaged into the one tested (evenly spaced from the first to the last)."""


def detected_rises(spectrum, energy: Axis) -> dict[str, float]:
    """The candidate edges whose steepest rise stands above its noise in ``spectrum`` (counts
    on ``energy``, eV), by energy: edge name → the rise (counts per channel per eV)."""
    rises = {}
    for name in candidate_edges(energy.coordinates()):
        try:
            rise = float(edge_onset(spectrum, energy, name).rise[()])
        except ValueError:
            continue
        if np.isfinite(rise) and rise > 0:
            rises[name] = rise
    return rises


def strongest_edge(spectrum, energy: Axis) -> str | None:
    """The candidate edge with the strongest detected rise in ``spectrum`` (counts on
    ``energy``, eV); None when none is detected."""
    rises = detected_rises(spectrum, energy)
    return max(rises, key=rises.get) if rises else None


def sampled_mean(dataset: Dataset) -> np.ndarray:
    """Mean of up to :data:`SAMPLED` evenly spaced spectra of ``dataset``."""
    count = dataset.n_items
    indices = np.unique(np.linspace(0, count - 1, min(count, SAMPLED)).round().astype(int))
    return np.mean([np.asarray(dataset.frame(int(i)), float) for i in indices], axis=0)


DEFAULT_EDGE = "eels.default_edge"
"""Name of the session parameters that keep the EELS data's default edge with its fingerprint."""

DEFAULT_EDGE_RULE = 2
"""The rule a kept default edge was found by: 2, the strongest detected edge or none. Records
without it were kept when the first candidate stood in for none detected."""


def dataset_default_edge(dataset: Dataset) -> str | None:
    """:func:`strongest_edge` of the dataset's :func:`sampled_mean`; None when its axis is not
    in eV."""
    energy = dataset.signal_axes[0]
    if energy.units != "eV":
        return None
    return strongest_edge(sampled_mean(dataset), energy)


def detected_edges(dataset: Dataset) -> tuple[str, ...]:
    """Names of the edges detected in ``dataset``'s :func:`sampled_mean` (``"Ti-L23"``,
    ``"O-K"``), by energy — the test the default edge is chosen by, kept for every edge, not
    only the strongest; none without an energy axis in eV."""
    energy = dataset.signal_axes[0]
    if energy.units != "eV":
        return ()
    return tuple(detected_rises(sampled_mean(dataset), energy))


def kept_default_edge(dataset: Dataset, *, kept: dict, data: str) -> str | None:
    """The default edge of ``dataset``: the one ``kept`` records (``{"data": fingerprint,
    "edge": edge, "rule": DEFAULT_EDGE_RULE}``, what a session keeps under :data:`DEFAULT_EDGE`)
    when it was found for the same data and calibration ``data`` by today's rule, else
    :func:`dataset_default_edge`."""
    if kept.get("data") == data and kept.get("rule") == DEFAULT_EDGE_RULE and "edge" in kept:
        return kept["edge"]
    return dataset_default_edge(dataset)
