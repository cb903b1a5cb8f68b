"""The EELS line-scan analysis: zero-loss peak, and an edge's onset, chemical shift and
window map against the reference probe (result "eels", or "eels.<edge>")."""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.eels.edges_table import find_edge
from insitu_tem.analysis.eels.pipeline import analyse_edge, analyse_low_loss
from insitu_tem.analysis.eels.zlp import fit_zlp
from insitu_tem.core.model import DataError, Dataset
from insitu_tem.core.results import Result
from insitu_tem.core.session import Session
from insitu_tem.workflows.common import probe_positions, require
from insitu_tem.workflows.jobs import Job, Progress, ShouldStop, Steps, options, run_job

NAME = "eels"
DEFAULTS = {
    "edge": None,
    "reference": None,
    "window": None,
    "background": None,
    "model": "power_law",
    "deconvolve": None,
}


def result_name(edge: str | None) -> str:
    """ "eels" for the low loss only, "eels.<edge>" with an edge."""
    return NAME if edge is None else f"{NAME}.{edge}"


def _flat(values) -> list:
    return np.asarray(values, float).reshape(-1).tolist()


def prepare(session: Session, **given) -> Job:
    """The EELS job.

    Parameters
    ----------
    edge : str or None
        Edge name ("W-O23", "Li-K", ...); None: zero-loss peak only.
    reference : int or None
        Spectrum the chemical shift is measured against (None: the session's reference probe).
    window, background : (float, float) or None
        Signal and pre-edge background windows, eV (None: automatic for the edge).
    model : str
        Background model.
    deconvolve : bool or None
        Fourier-log deconvolution before the onset fit (None: automatic).
    """
    dataset = require(session, "eels", ("spectrum", "spectrum_series"))
    parameters = options(session, NAME, DEFAULTS, given)
    energy = dataset.signal_axes[0]
    if energy.units != "eV":
        raise DataError("the EELS data has no energy axis in eV; calibrate it first")
    if parameters["edge"] is not None:
        find_edge(parameters["edge"])
    if parameters["reference"] is None:
        parameters["reference"] = session.reference_probe
    if not -dataset.n_items <= int(parameters["reference"]) < dataset.n_items:
        raise DataError(
            f"reference spectrum {parameters['reference']} is outside the {dataset.n_items} spectra"
        )

    def compute(steps: Steps) -> dict:
        return analyse(dataset, parameters, steps)

    return Job(result_name(parameters["edge"]), parameters, session.fingerprints(["eels"]), compute)


def analyse(dataset: Dataset, parameters: dict, steps: Steps) -> dict:
    """The EELS numbers for ``parameters`` (complete, as :func:`prepare` makes them); any thread.

    Without an edge only the zero-loss peak is fitted; with one, the low loss (alignment,
    thickness) and the edge's onset, chemical shift (1σ with its statistical and systematic
    parts) and window map.
    """
    energy = dataset.signal_axes[0]
    position, units = probe_positions(dataset)
    spectra = np.asarray(dataset.array)
    steps.progress(0.1, "zero-loss peak")
    if parameters["edge"] is None:
        zlp = fit_zlp(spectra, energy)
        return {
            "position": position,
            "units": units,
            "zlp_offset_eV": _flat(zlp.position_eV),
            "fwhm_eV": _flat(zlp.fwhm_eV),
        }
    low_loss = analyse_low_loss(spectra, energy)
    steps.check()
    steps.progress(0.4, f"edge {parameters['edge']}")
    edge = analyse_edge(
        spectra,
        energy,
        parameters["edge"],
        reference=int(parameters["reference"]),
        signal_window=_pair(parameters["window"]),
        background_window=_pair(parameters["background"]),
        background_model=parameters["model"],
        deconvolve=parameters["deconvolve"],
        low_loss=low_loss,
    )
    return {
        "position": position,
        "units": units,
        "zlp_offset_eV": _flat(low_loss.zlp.position_eV),
        "fwhm_eV": _flat(low_loss.zlp.fwhm_eV),
        "edge": edge.edge,
        "edge_onset_eV": _flat(edge.onset.onset_eV),
        "chemical_shift_eV": _flat(edge.shift.shift_eV),
        "chemical_shift_stderr_eV": _flat(edge.shift.stderr_eV),
        "chemical_shift_statistical_eV": _flat(edge.shift.statistical_eV),
        "chemical_shift_systematic_eV": _flat(edge.shift.systematic_eV),
        "edge_ok": bool(edge.onset.ok and edge.shift.ok),
        "edge_reason": "; ".join(r for r in (edge.onset.reason, edge.shift.reason) if r),
        "map_counts": _flat(edge.window.counts),
    }


def _pair(value) -> tuple[float, float] | None:
    return None if value is None else (float(value[0]), float(value[1]))


def run(
    session: Session,
    *,
    should_stop: ShouldStop | None = None,
    progress: Progress | None = None,
    **given,
) -> Result:
    """Analyse the EELS scan and store result "eels" (or "eels.<edge>") in ``session``."""
    return run_job(session, prepare(session, **given), should_stop=should_stop, progress=progress)
