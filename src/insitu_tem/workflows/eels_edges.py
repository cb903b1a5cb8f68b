"""Which tabled EELS edges the session's EELS data shows, without the user naming an element:
every candidate edge in range (:func:`~insitu_tem.analysis.eels.edges_table.candidate_edges`)
whose steepest rise stands above its own noise in the mean of up to
:data:`~insitu_tem.analysis.eels.edge_choice.SAMPLED` spectra — the detection test the default
edge is chosen by (:mod:`insitu_tem.analysis.eels.edge_choice`), kept for every edge, not only
the strongest."""

from __future__ import annotations

import numpy as np

from insitu_tem.core.model import Dataset


def detected_edges(dataset: Dataset) -> tuple[str, ...]:
    """Names of the edges detected in ``dataset`` (``"Ti-L23"``, ``"O-K"``), by energy; none
    without an energy axis in eV.

    Parameters
    ----------
    dataset : Dataset
        EELS spectra (a spectrum, a line scan or a spectrum image), energy loss in eV.

    Returns
    -------
    tuple of str
    """
    from insitu_tem.analysis.eels.edge_choice import sampled_mean
    from insitu_tem.analysis.eels.edges_table import candidate_edges
    from insitu_tem.analysis.eels.onsets import edge_onset

    energy = dataset.signal_axes[0]
    if energy.units != "eV":
        return ()
    spectrum = sampled_mean(dataset)
    found = []
    for name in candidate_edges(energy.coordinates()):
        try:
            rise = float(edge_onset(spectrum, energy, name).rise[()])
        except ValueError:
            continue
        if np.isfinite(rise) and rise > 0:
            found.append(name)
    return tuple(found)
