"""The EELS line-scan analysis: zero-loss peak, alignment, thickness, and an edge's onset,
chemical shift and window map against the reference probe (result "eels", or "eels.<edge>").

Sign convention: the chemical shift is measured against the **pristine side**. The default
reference is the last probe, the pristine end of a scan recorded from the reacted into the
pristine film (the sample's direction; the across-the-front view refers to the probe farthest
ahead of the tracked front, the same end), so a reduced, lithiated probe reads a negative shift.
The result holds everything the EELS panel and its export show: per-probe ZLP offsets (the
aligned display is each spectrum moved by its offset), background fits, profiles and fractions.
"""

from __future__ import annotations

import numpy as np

from typing import TYPE_CHECKING

from insitu_tem.analysis.eels.edges_table import find_edge
from insitu_tem.analysis.eels.zlp import ZlpFit, fit_zlp
from insitu_tem.core.model import DataError, Dataset
from insitu_tem.core.results import Result
from insitu_tem.core.session import Session
from insitu_tem.workflows.child import ChildProcess, fits_a_worker
from insitu_tem.workflows.common import probe_positions, require
from insitu_tem.workflows.eels_checks import deconvolvable, naming, not_eds
from insitu_tem.workflows.eels_values import edge_values, flat, map_values
from insitu_tem.workflows.jobs import Job, Progress, ShouldStop, Steps, options, run_job

if TYPE_CHECKING:
    from insitu_tem.analysis.eels.pipeline import LowLoss

NAME = "eels"
DEFAULTS = {
    "edge": None,
    "reference": None,
    "window": None,
    "background": None,
    "model": "power_law",
    "deconvolve": None,
    "reference_file": None,
}


def result_name(edge: str | None) -> str:
    """ "eels" for the low loss only, "eels.<edge>" with an edge."""
    return NAME if edge is None else f"{NAME}.{edge}"


def prepare(session: Session, *, child: ChildProcess | None = None, **given) -> Job:
    """The EELS job.

    Parameters
    ----------
    child : ChildProcess, optional
        Compute the numbers in this worker process instead of the job's thread when the spectra
        are in memory (a numpy array) and three copies of them fit the memory budget
        (:func:`~insitu_tem.io.readers.memory.memory_budget`). The numbers are the same.
    edge : str or None
        Edge name ("W-O23", "Li-K", ...); None: zero-loss peak only.
    reference : int or None
        Spectrum the chemical shift is measured against, flattened index (negative counts from
        the end; None: the last, the pristine end; see the module docstring).
    window, background : (float, float) or None
        Signal and pre-edge background windows, eV (None: automatic for the edge).
    model : str
        Background model.
    deconvolve : bool or None
        Fourier-log deconvolution before the onset fit (None: automatic).
    reference_file : str or None
        A file holding one reference spectrum with the data's channels, used instead of
        ``reference``.
    """
    dataset = not_eds(require(session, "eels", ("spectrum", "spectrum_series")))
    parameters = options(session, NAME, DEFAULTS, given)
    energy = dataset.signal_axes[0]
    if energy.units != "eV":
        raise DataError("the EELS data has no energy axis in eV; calibrate it first")
    if parameters["edge"] is not None:
        find_edge(parameters["edge"])
    parameters["reference"] = default_reference(dataset, parameters["reference"])

    def compute(steps: Steps) -> dict:
        return analyse(dataset, parameters, steps, child=child)

    return Job(result_name(parameters["edge"]), parameters, session.fingerprints(["eels"]), compute)


def default_reference(dataset: Dataset, reference: int | None) -> int:
    """The reference probe as a flattened index in [0, n): None is the last probe (pristine end)."""
    n = dataset.n_items
    index = n - 1 if reference is None else int(reference)
    if not -n <= index < n:
        raise DataError(f"reference spectrum {index} is outside the {n} spectra")
    return index % n


def zlp_values(zlp: ZlpFit) -> dict:
    """Per-probe ZLP offset (the aligned display moves each spectrum by it) and FWHM with their
    1σ, eV."""
    return {
        "zlp_offset_eV": flat(np.where(zlp.found, zlp.position_eV, np.nan)),
        "zlp_offset_sigma_eV": flat(zlp.position_sigma_eV),
        "fwhm_eV": flat(zlp.fwhm_eV),
        "fwhm_sigma_eV": flat(zlp.fwhm_sigma_eV),
        "zlp_found": np.asarray(zlp.found, bool).reshape(-1).tolist(),
        "zlp_ok": bool(zlp.ok),
        "zlp_reason": zlp.reason,
    }


def zero_loss(dataset: Dataset) -> dict:
    """Probe positions, every probe's ZLP offset and FWHM and the plasmon energy ± 1σ measured
    from it (no alignment or thickness: what ``insitu-tem eels`` without an edge reports)."""
    from insitu_tem.analysis.eels.plasmon_energy import low_loss_plasmon

    position, units = probe_positions(dataset)
    energy, spectra = dataset.signal_axes[0], np.asarray(dataset.array)
    zlp = fit_zlp(spectra, energy)
    plasmon, reason = low_loss_plasmon(spectra, energy, zlp)
    return {
        "position": position,
        "units": units,
        **zlp_values(zlp),
        **plasmon_values(plasmon, reason),
    }


def low_loss_values(low_loss: LowLoss) -> dict:
    """Per-probe ZLP offset, FWHM (:func:`zlp_values`), t/λ ± 1σ (with ``t_over_lambda_ok``
    and ``t_over_lambda_reason``: false with why when a spectrum has no ZLP) and plasmon energy
    ± 1σ (:func:`plasmon_values`)."""
    thickness = low_loss.thickness
    return {
        **zlp_values(low_loss.zlp),
        "aligned": low_loss.aligned is not None,
        "t_over_lambda": None
        if low_loss.thickness is None
        else flat(low_loss.thickness.t_over_lambda),
        "t_over_lambda_sigma": None
        if low_loss.thickness is None
        else flat(low_loss.thickness.t_over_lambda_sigma),
        "t_over_lambda_ok": thickness is not None and bool(thickness.ok),
        "t_over_lambda_reason": low_loss.zlp.reason if thickness is None else thickness.reason,
        **plasmon_values(low_loss.plasmon, low_loss.plasmon_reason),
    }


def plasmon_values(plasmon, reason: str = "") -> dict:
    """Per-probe plasmon energy ± 1σ (a :class:`~insitu_tem.analysis.eels.plasmon_energy.
    PlasmonEnergy`: the loss of the low-loss maximum from the ZLP's centre), eV, with
    ``plasmon_energy_ok`` and ``plasmon_energy_reason`` (false with why where a probe has none,
    ``reason`` when there is no result); ``plasmon_eV`` is the same energy under its earlier
    name."""
    if plasmon is None:
        return {
            "plasmon_eV": None,
            "plasmon_energy_eV": None,
            "plasmon_energy_sigma_eV": None,
            "plasmon_energy_ok": False,
            "plasmon_energy_reason": reason,
        }
    return {
        "plasmon_eV": flat(plasmon.energy_eV),
        "plasmon_energy_eV": flat(plasmon.energy_eV),
        "plasmon_energy_sigma_eV": flat(plasmon.sigma_eV),
        "plasmon_energy_ok": bool(plasmon.ok),
        "plasmon_energy_reason": plasmon.reason,
    }


def _reference(parameters: dict, energy_size: int):
    path = parameters.get("reference_file")
    if not path:
        return int(parameters["reference"])
    from insitu_tem.io.load import load

    spectrum = load(path)
    if spectrum.kind != "spectrum" or spectrum.shape[-1] != energy_size:
        raise DataError(f"{path}: the reference must be one spectrum of {energy_size} channels")
    return np.asarray(spectrum.array, float)


def session_default_edge(session: Session) -> str | None:
    """The edge the session's EELS data opens on
    (:func:`~insitu_tem.analysis.eels.edge_choice.dataset_default_edge`), found once per data and
    calibration and kept in the session's parameters ``DEFAULT_EDGE`` with the data's
    fingerprint (not an unsaved change): the panel, the views and the exports ask on every
    redraw, and a saved project reopens on the edge the user saw (a default kept before today's
    rule, possibly the first candidate standing in for none detected, is found again). A frozen
    snapshot (an export's) is not changed. None without EELS data or an energy axis in eV."""
    from insitu_tem.analysis.eels.edge_choice import (
        DEFAULT_EDGE,
        DEFAULT_EDGE_RULE,
        kept_default_edge,
    )

    dataset = session.dataset("eels")
    if dataset is None:
        return None
    data, kept = session.fingerprint("eels"), session.parameters(DEFAULT_EDGE)
    edge = kept_default_edge(dataset, kept=kept, data=data)
    record = {"data": data, "edge": edge, "rule": DEFAULT_EDGE_RULE}
    if kept != record:
        try:
            session.set_parameters(DEFAULT_EDGE, record, dirty=False)
        except RuntimeError:  # a snapshot (Session.snapshot) cannot be changed: not kept
            pass
    return edge


def session_parameters(session: Session) -> dict:
    """The parameters in effect for ``session``: the defaults, the EELS data's default edge
    (:func:`session_default_edge`), then the session's (what the user chose)."""
    chosen = session.parameters(NAME)
    parameters = {**DEFAULTS, **chosen}
    if "edge" not in chosen and session.dataset("eels") is not None:
        parameters["edge"] = session_default_edge(session)
    return parameters


def _probes(dataset: Dataset) -> dict:
    position, units = probe_positions(dataset)
    nav_shape = [axis.size for axis in dataset.navigation_axes]
    return {"position": position, "units": units, "nav_shape": nav_shape}


def analyse(
    dataset: Dataset, parameters: dict, steps: Steps, *, child: ChildProcess | None = None
) -> dict:
    """The EELS numbers for ``parameters`` (complete, as :func:`prepare` makes them): the
    probes' positions and :func:`spectra_numbers`; any thread, the numbers in ``child`` when
    given and the spectra fit a worker (:func:`_numbers`)."""
    with naming(dataset):
        return {**_probes(dataset), **_numbers(spectra_numbers, dataset, parameters, steps, child)}


def _numbers(
    fn, dataset: Dataset, parameters: dict, steps: Steps, child: ChildProcess | None
) -> dict:
    """``fn(spectra, energy, parameters)`` in ``child`` when given and the spectra are in
    memory and three copies of them fit the memory budget (:func:`~insitu_tem.workflows.child.
    fits_a_worker`), else in this thread: the numbers are the same."""
    if child is not None and fits_a_worker(dataset.array):
        return child.run(fn, steps, dataset.array, dataset.signal_axes[0], parameters)
    return fn(
        np.asarray(dataset.array),
        dataset.signal_axes[0],
        parameters,
        progress=steps.progress,
        should_stop=steps.should_stop,
    )


def spectra_numbers(
    spectra: np.ndarray,
    energy,
    parameters: dict,
    *,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
) -> dict:
    """The per-probe numbers of :func:`analyse` for ``spectra`` (probes, channels) on the axis
    ``energy``.

    Without an edge only the low loss (zero-loss peak, alignment, thickness, plasmon); with one,
    also the edge's onset, chemical shift (1σ with its statistical and systematic parts) and
    window map.
    """
    from insitu_tem.analysis.eels.pipeline import analyse_edge, analyse_low_loss

    steps = Steps(should_stop, progress)
    steps.progress(0.1, "zero-loss peak")
    low_loss = analyse_low_loss(spectra, energy)
    value = low_loss_values(low_loss)
    if parameters["edge"] is None:
        return value
    steps.check()
    steps.progress(0.4, f"edge {parameters['edge']}")
    deconvolvable(low_loss, energy, parameters["deconvolve"], parameters["edge"])
    edge = analyse_edge(
        spectra,
        energy,
        parameters["edge"],
        reference=_reference(parameters, energy.size),
        signal_window=_pair(parameters["window"]),
        background_window=_pair(parameters["background"]),
        background_model=parameters["model"],
        deconvolve=parameters["deconvolve"],
        low_loss=low_loss,
    )
    reference = None if parameters.get("reference_file") else int(parameters["reference"])
    return {**value, **edge_values(edge), "reference_index": reference}


def window_map(
    dataset: Dataset, parameters: dict, steps: Steps, *, child: ChildProcess | None = None
) -> dict:
    """Only the edge's window map of :func:`analyse` (:func:`window_numbers`), for a view that
    shows the map alone; any thread, in ``child`` as :func:`analyse`."""
    return _numbers(window_numbers, dataset, parameters, steps, child)


def window_numbers(
    spectra: np.ndarray,
    energy,
    parameters: dict,
    *,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
) -> dict:
    """The edge's window map of :func:`spectra_numbers` for ``spectra`` (probes, channels) on
    the axis ``energy``, with the same windows, background model and withheld-map rule
    (:func:`~insitu_tem.analysis.eels.pipeline.edge_window`): the map keys of
    :func:`~insitu_tem.workflows.eels_values.edge_values` ("map_counts", background-subtracted
    counts per probe in the signal window after the zero-loss alignment, null where withheld;
    "map_counts_sigma", its 1σ; "map_ok", "map_reason", "signal_window_eV")."""
    from insitu_tem.analysis.eels.pipeline import analyse_low_loss, edge_window

    steps = Steps(should_stop, progress)
    spectra = np.asarray(spectra)
    steps.progress(0.1, "zero-loss peak")
    low_loss = analyse_low_loss(spectra, energy)
    deconvolvable(low_loss, energy, parameters["deconvolve"], parameters["edge"])
    steps.check()
    steps.progress(0.4, f"edge {parameters['edge']} window map")
    window = edge_window(
        spectra,
        energy,
        parameters["edge"],
        signal_window=_pair(parameters["window"]),
        background_window=_pair(parameters["background"]),
        background_model=parameters["model"],
        deconvolve=parameters["deconvolve"],
        low_loss=low_loss,
    )
    return map_values(window)


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
