"""The across-the-front view: every line-scan result against distance from the reaction front.

Runs the same commands as the CLI (``front`` on the movie along the registered scan
line, ``eels`` with the W O2,3 and Li K edges, ``nbd``) and places their per-probe
results on one axis: signed distance from the front at the time the scan was
recorded (nm; negative = behind the front, the lithiated side). Chemical shift and
lattice strain are referred to the probe farthest ahead of the front (pristine WO3).
"""

from __future__ import annotations

import argparse
import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from insitu_tem.core.coordinates import ScanRegistration, front_at_time
from insitu_tem.core.model import DataError
from insitu_tem.core.project import Project, locate

Progress = Callable[[float, str], None]


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
    """

    distance_nm: np.ndarray
    front_along_nm: float
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)

    def write_csv(self, path: str | Path) -> Path:
        """One row per probe: distance then every column, with units in the header."""
        path = Path(path)
        names = list(self.columns)
        with open(path, "w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream)
            writer.writerow(["distance_from_front_nm"] + [f"{n} ({self.units.get(n, '')})" for n in names])
            for i, distance in enumerate(self.distance_nm):
                writer.writerow([f"{distance:.6g}"] + [f"{self.columns[n][i]:.6g}" for n in names])
        return path


def _run(command: str, argv: list[str]) -> dict:
    from insitu_tem.cli.main import build_command_parser, command_modules

    modules = command_modules()
    args = build_command_parser(modules).parse_args([command, *argv, "--quiet"])
    return modules[command].run(args, lambda *_: None)


def _path(project: Project, project_path: Path, role: str) -> Path:
    reference = next((r for r in project.files if r.role == role), None)
    found = None if reference is None else locate(reference, project_path)
    if found is None:
        raise DataError(f"the project has no readable {role} file")
    return found


def _line_argument(scan: ScanRegistration) -> str:
    (r0, c0), (r1, c1) = scan.start_rc, scan.end_rc
    return f"{c0},{r0},{c1},{r1}"


def front_distance_nm(project: Project, project_path: Path, scan: ScanRegistration) -> tuple[np.ndarray, float, float]:
    """Probe distances from the tracked front at scan time (nm), the front along the line (nm), px size (nm).

    The front is tracked on drift-corrected frames, i.e. in the coordinates of the
    first frame, where scan lines are registered.
    """
    movie = _path(project, project_path, "movie")
    track = _run("front", [str(movie), "--line", _line_argument(scan), "--drift-correct"])
    front_px = front_at_time(track["time_s"], track["position_px"], scan.time_s)
    pixel_nm = _movie_pixel_nm(movie)
    return scan.distance_from_front_px(front_px) * pixel_nm, front_px * pixel_nm, pixel_nm


def _movie_pixel_nm(movie: Path) -> float:
    from insitu_tem.io.load import load

    axis = load(movie, lazy=True).axes[-1]
    if axis.units != "nm":
        raise DataError(f"{movie.name} has no spatial calibration; calibrate the movie first")
    return axis.scale


def _per_probe(values: Any, n: int) -> np.ndarray:
    array = np.asarray(values if values is not None else [np.nan] * n, dtype=float).ravel()
    return array if array.size == n else np.full(n, np.nan)


def across_front(project: Project, project_path: str | Path, *, progress: Progress | None = None) -> AcrossFront:
    """Compute the across-the-front table for a project with a movie, scan lines and line scans."""
    project_path = Path(project_path)
    scan_doc = project.scan_lines.get("eels") or project.scan_lines.get("nbd")
    if not scan_doc:
        raise DataError("the project has no scan line registered on the movie; draw the scan line first")
    scan = ScanRegistration.from_dict(scan_doc)
    report = progress or (lambda *_: None)
    distance, front_nm, _ = front_distance_nm(project, project_path, scan)
    report(0.3, "front")
    n = scan.n_positions
    pristine = str(int(np.argmax(distance)))
    columns: dict[str, np.ndarray] = {}
    units: dict[str, str] = {}
    if any(r.role == "eels" for r in project.files):
        eels = _run("eels", [str(_path(project, project_path, "eels")), "--edge", "W-O23", "--reference", pristine])
        columns["W_O23_shift"] = _per_probe(eels.get("chemical_shift_eV"), n)
        columns["W_O23_shift_stderr"] = _per_probe(eels.get("chemical_shift_stderr_eV"), n)
        lithium = _run("eels", [str(_path(project, project_path, "eels")), "--edge", "Li-K"])
        columns["Li_K_intensity"] = _per_probe((lithium.get("maps") or {}).get("Li-K"), n)
        units.update(W_O23_shift="eV", W_O23_shift_stderr="eV", Li_K_intensity="counts")
    report(0.6, "eels")
    if any(r.role == "nbd" for r in project.files):
        nbd = _run("nbd", [str(_path(project, project_path, "nbd")), "--reference", pristine])
        columns["lattice_strain"] = _per_probe(nbd.get("lattice_strain"), n)
        columns["crystalline"] = _per_probe(nbd.get("crystalline"), n)
        units.update(lattice_strain="", crystalline="0/1")
        for name, weights in (nbd.get("phase_fractions") or {}).items():
            if isinstance(weights, list) and len(weights) == n:
                columns[f"fraction_{name}"] = _per_probe(weights, n)
                units[f"fraction_{name}"] = ""
    report(1.0, "nbd")
    return AcrossFront(distance, front_nm, columns, units)


def across_front_figure(result: AcrossFront, *, dpi: int = 300):
    """One figure: every column against distance from the front, stacked, front at 0."""
    from insitu_tem.figures.compose import ProfileView, compose

    panels = []
    shift = result.columns.get("W_O23_shift")
    if shift is not None:
        panels.append(ProfileView(result.distance_nm, [("W O2,3", shift, result.columns.get("W_O23_shift_stderr"))],
                                  "Distance from front (nm)", "Chemical shift (eV)", [0.0]))
    for name in ("Li_K_intensity", "lattice_strain", "crystalline"):
        if name in result.columns:
            panels.append(ProfileView(result.distance_nm, [(name, result.columns[name], None)],
                                      "Distance from front (nm)", name.replace("_", " "), [0.0]))
    fractions = [(n.removeprefix("fraction_"), v, None) for n, v in result.columns.items() if n.startswith("fraction_")]
    if fractions:
        panels.append(ProfileView(result.distance_nm, fractions, "Distance from front (nm)", "Phase fraction", [0.0]))
    if not panels:
        raise DataError("no line-scan result to plot; the project needs EELS or NBD data")
    return compose(panels, columns=1, dpi=dpi, width_mm=120)[0]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="PROJECT")
    parser.add_argument("--csv", metavar="PATH", help="write the table as CSV")
    parser.add_argument("--figure", metavar="PATH", help="write the stacked profiles (.png/.svg/.pdf)")
