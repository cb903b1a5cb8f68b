"""The NBD line-scan analysis: centres, lattice strain, crystallinity, phase fractions (result
"nbd").

The result holds everything the NBD panel and its export show: the fitted direct-beam centres,
the tracked spots with their shift from the reference, the profile-vs-position map with the
ring peaks, the strain and the decomposition (fractions and PCA explained variance)."""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.diffraction.disks import Spots
from insitu_tem.analysis.diffraction.nbd_scan import analyse_scan, crystalline_flags, sharp_rings
from insitu_tem.analysis.diffraction.strain import SpotTracks, follow_spots
from insitu_tem.core.model import DataError, Dataset
from insitu_tem.core.project import load_session
from insitu_tem.core.results import Result, plain
from insitu_tem.core.session import Session
from insitu_tem.workflows.child import ChildProcess, Keeper
from insitu_tem.workflows.common import (
    file_name,
    probe_positions,
    require,
    usable_patterns,
)
from insitu_tem.workflows.jobs import Job, Progress, ShouldStop, Steps, options, run_job
from insitu_tem.workflows.project import find_source, load_role

NAME = "nbd"
DEFAULTS = {"reference": None, "components": 3, "scale_per_nm": None, "correction": None}


def fraction_names(k: int) -> list[str]:
    """NMF component names: the fixed end members, then the free ones."""
    return ["first pattern", "last pattern"] + [f"free {i}" for i in range(1, k - 1)]


def prepare(session: Session, *, child: ChildProcess | None = None, **given) -> Job:
    """The NBD scan job.

    Parameters
    ----------
    child : ChildProcess, optional
        Run the scan analysis (:func:`~insitu_tem.analysis.diffraction.nbd_scan.analyse_scan`)
        in this worker process instead of the job's thread; the numbers are the same.
    reference : int or None
        Strain reference pattern (None: the first with a spot lattice).
    components : int
        NMF components including the first and last patterns as fixed end members (>= 2).
    scale_per_nm : float or None
        Detector calibration, 1/nm per px (None: the file's, when in 1/nm).
    correction : (2, 2) nested list or None
        Detector ellipse correction of the radial profiles (see
        :func:`insitu_tem.analysis.diffraction.ellipse.ellipse_on_strongest_ring`).
    """
    dataset = require(session, "nbd", ("pattern_series",))
    parameters = options(session, NAME, DEFAULTS, given)
    if dataset.n_items < 3:
        raise DataError(
            f"{file_name(dataset, NAME)}: holds {dataset.n_items} patterns; the NBD analysis "
            "needs at least 3 — open the whole scan"
        )
    if int(parameters["components"]) < 2:
        raise DataError(
            f"{parameters['components']} components: at least 2 (the two end members) are needed"
        )
    usable_patterns(dataset)
    reference = parameters["reference"]
    if reference is not None and not 0 <= int(reference) < dataset.n_items:
        raise DataError(f"reference pattern {reference} is outside 0 to {dataset.n_items - 1}")

    held = _held_elsewhere(session, parameters)

    def compute(steps: Steps) -> dict:
        if held is not None:
            return rereferenced(held, reference, patterns=scan_patterns(dataset))
        return analyse(dataset, parameters, steps, child=child)

    return Job(NAME, parameters, session.fingerprints(["nbd"]), compute)


def _held_elsewhere(session: Session, parameters: dict) -> dict | None:
    """The current "nbd" value when it differs from ``parameters`` only in the reference and
    keeps the spots to refer them again (else None)."""
    result = session.result(NAME)
    if result is None or session.result_status(NAME) != "current":
        return None
    others = {k: v for k, v in plain(parameters).items() if k != "reference"}
    same = all(result.parameters.get(k) == v for k, v in others.items())
    return result.value if same and can_rereference(result.value) else None


def scan_patterns(dataset: Dataset) -> np.ndarray:
    """The patterns of a scan as one stack (n, rows, cols), scan order."""
    return np.asarray(dataset.array).reshape((-1,) + dataset.shape[-2:])


def scan_call(dataset: Dataset, parameters: dict) -> tuple[np.ndarray, dict]:
    """The patterns (n, rows, cols) and the options :func:`analyse` hands to
    :func:`~insitu_tem.analysis.diffraction.nbd_scan.analyse_scan` for ``parameters``."""
    axis = dataset.signal_axes[-1]
    scale = float(axis.scale) if axis.units == "1/nm" else None
    if parameters.get("scale_per_nm"):
        scale = float(parameters["scale_per_nm"])
    correction = parameters.get("correction")
    position, _ = probe_positions(dataset)
    fit_axis = (
        np.asarray(position, float)
        if len(dataset.navigation_axes) == 1
        else np.arange(len(position), dtype=float)
    )
    reference = parameters["reference"]
    return scan_patterns(dataset), {
        "position": fit_axis,
        "scale_per_nm": scale,
        "reference_index": None if reference is None else int(reference),
        "n_components": int(parameters["components"]),
        "correction": None if correction is None else np.asarray(correction, float),
    }


def scan_ahead(worker: Keeper, project_path: str) -> None:
    """Run the scan analysis the "nbd" job of the project at ``project_path`` will ask its
    worker for, with ``worker`` as that worker (for :meth:`ChildProcess.ahead
    <insitu_tem.workflows.child.ChildProcess.ahead>`: the worker reads the scan and analyses it
    while the project opens); nothing when the project holds no scan or a result for it."""
    session = load_session(project_path)
    found = find_source(session, NAME, project_path)
    if found is None or session.result(NAME) is not None:
        return
    load_role(session, NAME, found)
    dataset = session.dataset(NAME)
    if dataset.kind != "pattern_series" or dataset.n_items < 3:
        return
    patterns, scan_options = scan_call(dataset, options(session, NAME, DEFAULTS, {}))
    worker.run(analyse_scan, Steps(None, None), patterns, **scan_options)


def analyse(
    dataset: Dataset, parameters: dict, steps: Steps, *, child: ChildProcess | None = None
) -> dict:
    """The NBD numbers for ``parameters`` (as :func:`prepare` checks them); any thread, the scan
    analysis in ``child`` when given."""
    position, units = probe_positions(dataset)
    patterns, scan_options = scan_call(dataset, parameters)
    scale = scan_options["scale_per_nm"]
    steps.check()
    if child is None:
        result = analyse_scan(
            patterns, progress=steps.progress, should_stop=steps.should_stop, **scan_options
        )
    else:
        result = child.run(analyse_scan, steps, patterns, **scan_options)
    fractions, names = result.nmf.fractions, fraction_names(result.nmf.fractions.shape[1])
    sharp = sharp_rings(result.rings, len(patterns))
    return {
        "position": position,
        "units": units,
        "scale_per_nm": scale,
        "centre_px": result.descan.fitted_rc,
        "centre_sigma_px": centre_sigma(result.descan),
        "centre_ok": result.descan.ok,
        "centre_reason": result.descan.reason,
        "phase_fractions": {name: fractions[:, i] for i, name in enumerate(names)},
        "phase_fractions_sigma": {
            name: sigma for name, sigma in zip(names, end_members_unmeasured(result.fraction_sigma))
        },
        "phase_fractions_sigma_reason": END_MEMBERS_FIXED,
        "explained_variance": result.pca.explained_variance_ratio,
        "sharp_ring": sharp,
        "disk_radius_px": result.tracks.disk_radius_px,
        "spot_sets": [
            {"position_rc": s.position_rc, "intensity": s.intensity, "sigma_px": s.sigma_px}
            for s in result.tracks.spot_sets
        ],
        **tracked_values(result.tracks, result.descan.fitted_rc, sharp),
        **profile_values(result),
    }


END_MEMBERS_FIXED = (
    "fixed: the first and last patterns are the end members, their fractions 1 and 0 by "
    "construction; their 1σ is not measured (null)"
)


def end_members_unmeasured(sigma) -> list[np.ndarray]:
    """Each component's fraction 1σ per pattern, NaN at the first and last patterns: they are the
    fixed end members, fitted exactly by construction (a 1σ of ~1e-12 there measures nothing)."""
    total = np.array(sigma.total, float)
    total[[0, -1]] = np.nan
    return list(total.T)


def centre_sigma(descan) -> np.ndarray | None:
    """The fitted centres' 1σ (n, 2) px, NaN when the descan fit is flagged (``ok`` False:
    the centres it was fitted to cannot be trusted, so they are not measured)."""
    sigma = descan.sigma_rc
    if sigma is None or descan.ok:
        return sigma
    return np.full(np.shape(sigma), np.nan)


def tracked_values(tracks: SpotTracks, centres, sharp_ring) -> dict:
    """What depends on the strain reference: the strain per pattern, the crystalline flags, the
    tracked spots (row, col) px, where each arrow starts and its shift, px."""
    starts = [
        (fit.translation_px if fit.ok else centres[i]) + tracks.reference.g_px
        for i, fit in enumerate(tracks.fits)
    ]
    return {
        "reference_index": tracks.reference_index,
        "lattice_strain": tracks.lattice_strain,
        "lattice_strain_sigma": tracks.lattice_strain_sigma,
        "lattice_strain_reason": [fit.reason for fit in tracks.fits],
        "crystalline": crystalline_flags(tracks, sharp_ring),
        "spots_rc": tracks.positions_rc,
        "spot_start_rc": np.asarray(starts, float),
        "spot_shift_px": np.asarray([tracks.shifts_px(i) for i in range(len(starts))], float),
    }


def can_rereference(value: dict) -> bool:
    """Whether an "nbd" result's value keeps the spots of every pattern and their disk radius
    (results from before they were kept do not)."""
    return all(key in value for key in ("spot_sets", "sharp_ring", "disk_radius_px"))


def rereferenced(value: dict, reference: int | None, *, patterns) -> dict:
    """An "nbd" result's ``value`` with the strain against pattern ``reference``: the spots every
    pattern kept are followed again from the new reference and located against its disks in
    ``patterns`` (the scan's, :func:`scan_patterns`; no detection, no profiles), which
    gives the numbers a new analysis with that reference gives.

    Parameters
    ----------
    value : dict
        The value of an "nbd" result (plain or as :func:`analyse` returns it), with the spots of
        every pattern (:func:`can_rereference`).
    reference : int or None
        The new strain reference pattern (None: the first with a spot lattice, as
        :func:`analyse`).
    patterns : array_like
        (n, rows, cols) the scan's patterns, counts.
    """
    if reference is not None and int(value["reference_index"]) == int(reference):
        return value
    centres = np.asarray(value["centre_px"], float).reshape(-1, 2)
    spot_sets = [
        Spots(
            np.asarray(kept["position_rc"], float).reshape(-1, 2),
            np.asarray(kept["intensity"], float),
            (float(centre[0]), float(centre[1])),
            np.asarray(kept["sigma_px"], float),
        )
        for kept, centre in zip(value["spot_sets"], centres)
    ]
    tracks = follow_spots(
        spot_sets,
        patterns=patterns,
        centres_rc=centres,
        disk_radius_px=float(value["disk_radius_px"]),
        reference_index=None if reference is None else int(reference),
    )
    return {**value, **tracked_values(tracks, centres, value["sharp_ring"])}


def profile_values(result) -> dict:
    """Radial profiles per pattern (the map), their radii and q, and the ring peaks per pattern."""
    return {
        "r_px": result.r_px,
        "q_per_A": result.q_per_A,
        "profiles": result.profiles,
        "ring_q_per_A": [[ring.q_per_A for ring in peaks.rings] for peaks in result.rings]
        if result.rings
        else None,
        "ring_q_sigma_per_A": [
            [ring.q_sigma_per_A for ring in peaks.rings] for peaks in result.rings
        ]
        if result.rings
        else None,
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
