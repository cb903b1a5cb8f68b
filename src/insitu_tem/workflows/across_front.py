"""The across-the-front view: every line-scan result against distance from the reaction front
(result "across").

The front is the session's own track (result "front", along the user's analysis
line, with the session's calibration): its position at the time the scan was
recorded is mapped onto the scan line, and each probe gets a signed distance
from it (nm; negative = behind the front, the lithiated side). The EELS chemical
shift and the NBD lattice strain are referred to the probe farthest ahead of the
front (pristine WO3).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from insitu_tem.analysis.eels.edges_table import find_edge
from insitu_tem.core.coordinates import ScanRegistration, front_along_line, front_at_time
from insitu_tem.core.model import DataError
from insitu_tem.core.results import Result, plain
from insitu_tem.core.session import Session
from insitu_tem.workflows import drift, eels, front, nbd
from insitu_tem.workflows.child import ChildProcess
from insitu_tem.workflows.common import (
    file_name,
    probe_count,
    require,
    usable_patterns,
    usable_spectra,
)
from insitu_tem.workflows.jobs import Job, Progress, ShouldStop, Steps, run_job

NAME = "across"


@dataclass(frozen=True)
class AcrossFront:
    """Per-probe results on the shared distance axis.

    Attributes
    ----------
    distance_nm : numpy.ndarray
        Signed distance of each probe from the front, nm.
    front_along_nm : float
        Front position along the scan line at scan time, nm from the first probe.
    columns : dict of str to numpy.ndarray
        Result name -> values per probe (NaN where a result is missing).
    units : dict of str to str
        Result name -> unit.
    front_along_sigma_nm : float
        1σ of ``front_along_nm`` (:func:`front_on_scan_sigma_px`), nm; NaN when the track has
        none. Every distance shares it.
    reasons : dict of str to str
        Column name -> why it is NaN (not measured) at some probes: the W O2,3 edge's reason,
        the Li K window map's (withheld where the edge rises further off, within its windows).
    """

    distance_nm: np.ndarray
    front_along_nm: float
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    front_along_sigma_nm: float = np.nan
    reasons: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_result(cls, result: Result) -> "AcrossFront":
        value = result.value
        return cls(
            np.asarray(value["distance_nm"], float),
            float(value["front_along_nm"]),
            {k: np.asarray(v, float) for k, v in value["columns"].items()},
            dict(value["units"]),
            float(value.get("front_along_sigma_nm", np.nan)),
            dict(value.get("reasons", {})),
        )

    def write_csv(self, path: str | Path) -> Path:
        """One row per probe: distance then every column, with units in the header."""
        path = Path(path)
        names = list(self.columns)
        with open(path, "w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream)
            writer.writerow(
                ["distance_from_front_nm"] + [f"{n} ({self.units.get(n, '')})" for n in names]
            )
            for i, distance in enumerate(self.distance_nm):
                writer.writerow([f"{distance:.6g}"] + [f"{self.columns[n][i]:.6g}" for n in names])
        return path


def point_at_arc(line_rc, arc_px: float) -> np.ndarray:
    """The (row, col) point ``arc_px`` along a polyline from its first vertex (clamped to its
    ends)."""
    points = np.asarray(line_rc, dtype=float).reshape(-1, 2)
    arc = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(points, axis=0).T))])
    return np.array([np.interp(arc_px, arc, points[:, k]) for k in (0, 1)])


def front_on_scan_px(track: dict, line_rc, scan: ScanRegistration) -> float:
    """Where the tracked front crosses the scan line at scan time, px from the first probe;
    DataError when the track found the front in no frame."""
    found = np.isfinite(np.asarray(track["position_along_px"], float))
    if not (found & np.isfinite(np.asarray(track["times"], float))).any():
        raise DataError(
            "the front was found in no frame of the movie; mark it with the movie's Mark front tool"
        )
    along = front_at_time(track["times"], track["position_along_px"], scan.time_s)
    return front_along_line(scan, tuple(point_at_arc(line_rc, along)))


def front_on_scan_sigma_px(track: dict, line_rc, scan: ScanRegistration) -> float:
    """1σ of :func:`front_on_scan_px`, px: the track's position 1σ interpolated to the scan time
    like the position (frames without a front skipped), carried along the tracking line and
    projected on the scan line (the larger of the two sides where the line ends); NaN when the
    track states none."""
    along = np.asarray(track["position_along_px"], dtype=float)
    sigma = track.get("position_px_sigma")
    sigma = np.full(along.shape, np.nan) if sigma is None else np.asarray(sigma, dtype=float)
    usable = np.isfinite(along) & np.isfinite(sigma)
    if not usable.any():
        return np.nan
    at = front_at_time(track["times"], np.where(usable, along, np.nan), scan.time_s)
    spread = front_at_time(track["times"], np.where(usable, sigma, np.nan), scan.time_s)
    centre = front_along_line(scan, tuple(point_at_arc(line_rc, at)))
    return max(
        abs(front_along_line(scan, tuple(point_at_arc(line_rc, at + side))) - centre)
        for side in (-spread, spread)
    )


def _per_probe(values, n: int) -> np.ndarray:
    array = np.asarray(values if values is not None else [np.nan] * n, dtype=float).ravel()
    return array if array.size == n else np.full(n, np.nan)


def prepare(session: Session, *, child: ChildProcess | None = None) -> Job:
    """The across-the-front job: needs the movie (calibrated in nm), a scan line, the front
    result and the EELS and/or NBD scans. The EELS and NBD results the panels already hold are
    reused when they are current and were made with the parameters this view needs (the
    reference at the pristine probe); only what is missing or stale is computed, the EELS
    numbers in the worker process ``child`` when given (:func:`insitu_tem.workflows.eels.
    analyse`; the numbers are the same)."""
    movie = require(session, "movie", ("movie",))
    role = next((r for r in ("eels", "nbd") if session.scan_line(r)), None)
    if role is None:
        raise DataError("place the EELS or NBD scan line on the movie first")
    track = session.result("front")
    if track is None:
        raise DataError("track the front first (the across-the-front view uses the front track)")
    pixel = movie.signal_axes[-1]
    if pixel.units != "nm":
        raise DataError("the movie has no pixel size in nm; calibrate the movie first")
    scan = ScanRegistration.from_dict(session.scan_line(role))
    spectra = session.dataset("eels") if session.source("eels") else None
    patterns = session.dataset("nbd") if session.source("nbd") else None
    if spectra is None and patterns is None:
        raise DataError("open the EELS or NBD line scan first")
    if spectra is not None:
        _holds_edges(usable_spectra(probe_count(spectra, scan.n_positions, role)))
    if patterns is not None:
        usable_patterns(probe_count(patterns, scan.n_positions, role))
    inputs = ["movie", f"scan_line.{role}", "result.front"] + [
        r for r in ("eels", "nbd") if session.source(r)
    ]
    line_rc, pixel_nm = track.parameters["line_rc"], float(pixel.scale)
    front_px = front_on_scan_px(dict(track.value), line_rc, scan)
    front_sigma_px = front_on_scan_sigma_px(dict(track.value), line_rc, scan)
    distance = scan.distance_from_front_px(front_px) * pixel_nm
    pristine = int(np.argmax(distance))
    parts = _parts(session, spectra, patterns, pristine)
    worker = {} if child is None else {"child": child}

    def compute(steps: Steps) -> dict:
        columns, units, reasons = _line_scan_columns(parts, scan.n_positions, steps, worker)
        return {
            "distance_nm": distance,
            "front_along_nm": front_px * pixel_nm,
            "front_along_sigma_nm": front_sigma_px * pixel_nm,
            "reference_index": pristine,
            "scan_role": role,
            "columns": columns,
            "units": units,
            "reasons": reasons,
            "reused": sorted(name for name, part in parts.items() if part[2] is not None),
        }

    return Job(NAME, {"scan_role": role, "line_rc": line_rc}, session.fingerprints(inputs), compute)


def _holds_edges(spectra) -> None:
    """DataError naming the file when its spectra miss an edge this view measures."""
    energy = spectra.signal_axes[0].coordinates()
    for edge in (find_edge(name) for name in ("W-O23", "Li-K")):
        if not energy[0] < edge.onset_eV < energy[-1]:
            raise DataError(
                f"{file_name(spectra, 'eels')}: its spectra span {energy[0]:.4g} to "
                f"{energy[-1]:.4g} eV, without the {edge.name} edge ({edge.onset_eV:g} eV) this "
                "view measures — open the line scan's low-loss spectra"
            )


def _parts(session: Session, spectra, patterns, pristine: int) -> dict:
    """``{result name: (dataset, parameters, reused value or None)}`` of the line-scan results
    the view needs: the W O2,3 shift against the pristine probe, the Li K map (any reference) and
    the NBD scan with the user's NBD settings and the strain against the pristine probe (a scan
    the NBD panel holds against another reference is referred to it again, without detection)."""
    parts = {}
    if spectra is not None:
        for edge, reference, free in (("W-O23", pristine, ()), ("Li-K", 0, ("reference",))):
            chosen = session.parameters(eels.NAME)
            own = chosen if chosen.get("edge") == edge else {}
            wanted = {**eels.DEFAULTS, **own, "edge": edge, "reference": reference}
            wanted["reference_file"] = None
            name = eels.result_name(edge)
            parts[name] = (spectra, wanted, _reusable(session, name, wanted, free))
    if patterns is not None:
        wanted = {**nbd.DEFAULTS, **session.parameters(nbd.NAME), "reference": pristine}
        value = _reusable(session, nbd.NAME, wanted, ("reference",))
        same_reference = value is not None and value.get("reference_index") == pristine
        usable = value is not None and (same_reference or nbd.can_rereference(value))
        parts[nbd.NAME] = (patterns, wanted, value if usable else None)
    return parts


def _reusable(session: Session, name: str, wanted: dict, free: tuple) -> dict | None:
    """Result ``name``'s value when it is current and made with ``wanted`` (keys in ``free`` may
    differ), else None."""
    result = session.result(name)
    if result is None or session.result_status(name) != "current":
        return None
    expected = plain(wanted)
    same = all(result.parameters.get(k) == v for k, v in expected.items() if k not in free)
    return result.value if same else None


def _computed(part, analyse, steps: Steps, **worker) -> dict:
    dataset, parameters, reused = part
    if reused is not None:
        return reused
    value = analyse(dataset, parameters, steps, **worker)
    steps.check()
    return value


def _line_scan_columns(parts: dict, n: int, steps: Steps, worker: dict) -> tuple[dict, dict, dict]:
    """The columns per probe, their units and, for an EELS column not measured at some probes
    (NaN), why (the W O2,3 edge's reason, the Li K window map's)."""
    columns: dict[str, np.ndarray] = {}
    units: dict[str, str] = {}
    reasons: dict[str, str] = {}
    if "eels.W-O23" in parts:
        shift = _computed(parts["eels.W-O23"], eels.analyse, steps, **worker)
        columns["W_O23_shift"] = _per_probe(shift.get("chemical_shift_eV"), n)
        columns["W_O23_shift_stderr"] = _per_probe(shift.get("chemical_shift_stderr_eV"), n)
        lithium = _computed(parts["eels.Li-K"], eels.window_map, steps, **worker)
        columns["Li_K_intensity"] = _per_probe(lithium.get("map_counts"), n)
        columns["Li_K_intensity_stderr"] = _per_probe(lithium.get("map_counts_sigma"), n)
        units.update(W_O23_shift="eV", W_O23_shift_stderr="eV", Li_K_intensity="counts")
        units.update(Li_K_intensity_stderr="counts")
        for name, reason in (
            ("W_O23_shift", shift.get("edge_reason")),
            ("Li_K_intensity", lithium.get("map_reason")),
        ):
            if reason and np.isnan(columns[name]).any():
                reasons[name] = reason
    if nbd.NAME in parts:
        scan = _computed(parts[nbd.NAME], nbd.analyse, steps)
        patterns = nbd.scan_patterns(parts[nbd.NAME][0])
        scan = nbd.rereferenced(scan, parts[nbd.NAME][1]["reference"], patterns=patterns)
        columns["lattice_strain"] = _per_probe(scan.get("lattice_strain"), n)
        columns["lattice_strain_stderr"] = _per_probe(scan.get("lattice_strain_sigma"), n)
        columns["crystalline"] = _per_probe(scan.get("crystalline"), n)
        units.update(lattice_strain="", lattice_strain_stderr="", crystalline="0/1")
        sigmas = scan.get("phase_fractions_sigma") or {}
        for name, weights in scan["phase_fractions"].items():
            if len(weights) == n:
                columns[f"fraction_{name}"] = _per_probe(weights, n)
                columns[f"fraction_{name}_stderr"] = _per_probe(sigmas.get(name), n)
                units.update({f"fraction_{name}": "", f"fraction_{name}_stderr": ""})
    return columns, units, reasons


def run(
    session: Session, *, should_stop: ShouldStop | None = None, progress: Progress | None = None
) -> Result:
    """Store result "across" in ``session``; without a front track, first measure the drift
    (when the session has none) and track the front along the analysis line (else the scan line)."""
    report = progress or (lambda fraction, message: None)
    if session.result("front") is None:
        if session.result("drift") is None:
            drift.run(session, should_stop=should_stop, progress=lambda f, m: report(0.2 * f, m))
        front.run(session, should_stop=should_stop, progress=lambda f, m: report(0.2 + 0.2 * f, m))
    return run_job(
        session,
        prepare(session),
        should_stop=should_stop,
        progress=lambda f, m: report(0.4 + 0.6 * f, m),
    )
