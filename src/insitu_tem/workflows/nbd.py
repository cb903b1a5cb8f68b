"""The NBD line-scan analysis: centres, lattice strain, crystallinity, phase fractions (result "nbd")."""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.diffraction.nbd_scan import analyse_scan
from insitu_tem.core.model import DataError, Dataset
from insitu_tem.core.results import Result
from insitu_tem.core.session import Session
from insitu_tem.workflows.common import probe_positions, require
from insitu_tem.workflows.jobs import Job, Progress, ShouldStop, Steps, options, run_job

NAME = "nbd"
DEFAULTS = {"reference": None, "components": 3}


def fraction_names(k: int) -> list[str]:
    """NMF component names: the fixed end members, then the free ones."""
    return ["first pattern", "last pattern"] + [f"free {i}" for i in range(1, k - 1)]


def prepare(session: Session, **given) -> Job:
    """The NBD scan job.

    Parameters
    ----------
    reference : int or None
        Strain reference pattern (None: the first with a spot lattice).
    components : int
        NMF components including the first and last patterns as fixed end members (>= 2).
    """
    dataset = require(session, "nbd", ("pattern_series",))
    parameters = options(session, NAME, DEFAULTS, given)
    if dataset.n_items < 3:
        raise DataError(
            f"the NBD scan holds {dataset.n_items} patterns; the analysis needs at least 3"
        )
    if int(parameters["components"]) < 2:
        raise DataError(
            f"{parameters['components']} components: at least 2 (the two end members) are needed"
        )
    reference = parameters["reference"]
    if reference is not None and not 0 <= int(reference) < dataset.n_items:
        raise DataError(f"reference pattern {reference} is outside 0 to {dataset.n_items - 1}")

    def compute(steps: Steps) -> dict:
        return analyse(dataset, parameters, steps)

    return Job(NAME, parameters, session.fingerprints(["nbd"]), compute)


def analyse(dataset: Dataset, parameters: dict, steps: Steps) -> dict:
    """The NBD numbers for ``parameters`` (as :func:`prepare` checks them); any thread."""
    axis = dataset.signal_axes[-1]
    scale = float(axis.scale) if axis.units == "1/nm" else None
    position, units = probe_positions(dataset)
    fit_axis = (
        np.asarray(position, float)
        if len(dataset.navigation_axes) == 1
        else np.arange(len(position), dtype=float)
    )
    patterns = np.asarray(dataset.array).reshape((-1,) + dataset.shape[-2:])
    steps.check()
    reference = parameters["reference"]
    result = analyse_scan(
        patterns,
        position=fit_axis,
        scale_per_nm=scale,
        reference_index=None if reference is None else int(reference),
        n_components=int(parameters["components"]),
        progress=steps.progress,
        should_stop=steps.should_stop,
    )
    fractions = result.nmf.fractions
    return {
        "position": position,
        "units": units,
        "centre_px": result.descan.fitted_rc,
        "reference_index": result.tracks.reference_index,
        "lattice_strain": result.tracks.lattice_strain,
        "crystalline": result.crystalline,
        "phase_fractions": {
            name: fractions[:, i] for i, name in enumerate(fraction_names(fractions.shape[1]))
        },
    }


def run(
    session: Session,
    *,
    should_stop: ShouldStop | None = None,
    progress: Progress | None = None,
    **given,
) -> Result:
    """Analyse the NBD scan and store result "nbd" in ``session``."""
    return run_job(session, prepare(session, **given), should_stop=should_stop, progress=progress)
