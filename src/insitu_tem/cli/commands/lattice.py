"""``insitu-tem lattice IMAGE``: FFT spots, refined reciprocal lattice, phase matches.

Spots are sorted by SNR (at most 30), each Friedel pair once, ``g_per_A = 1/d_A``; ``sigma_d_A``
is each spot's 1σ including the spots' scatter about the refined lattice
(:func:`insitu_tem.analysis.hrtem.lattice_fit.with_spot_sigmas`), calibration excluded.

With ``--kv`` and ``--cs`` (each else from the file's metadata) the broad ring is measured through
the Thon rings: the defocus is fitted to them (``lattice.ring.defocus_nm`` ± ``sigma_defocus_nm``,
positive underfocus) and the transfer divided out (:mod:`insitu_tem.analysis.hrtem.thon_fit`).
"""

from __future__ import annotations

import argparse
import math

import numpy as np

from insitu_tem.analysis.hrtem.lattice_reference import (
    ReferenceSpacing,
    parse_hkl,
    reference_spacing,
)
from insitu_tem.analysis.hrtem.lattice_report import LatticeMeasurement, measure_lattice
from insitu_tem.core.model import Dataset
from insitu_tem.cli.commands._optics import add_optics_arguments, optics_from
from insitu_tem.cli.commands._roi import add_roi_argument, parse_roi
from insitu_tem.cli.commands.common import (
    InputError,
    Progress,
    add_input_arguments,
    check_range,
    load_input,
    require_kind,
)

NAME = "lattice"
HELP = "lattice spacings from the FFT of an HRTEM image: spots, refined lattice, phase matches"


def add_frame_arguments(parser: argparse.ArgumentParser) -> None:
    """--frame and --roi, shared with `crystallinity`."""
    add_input_arguments(parser, name="IMAGE")
    parser.add_argument(
        "--frame", type=int, default=0, metavar="N", help="frame of a movie (default 0)"
    )
    add_roi_argument(parser, purpose="measure this region only")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_frame_arguments(parser)
    parser.add_argument("--snr", type=float, default=15.0, help="spot SNR threshold (default 15)")
    parser.add_argument(
        "--max-spots",
        type=int,
        default=None,
        help="report at most this many spots, strongest first (default: every spot found)",
    )
    parser.add_argument(
        "--tolerance",
        type=float,
        default=0.02,
        help="relative d tolerance of the phase match (default 0.02)",
    )
    parser.add_argument(
        "--reference",
        default=None,
        metavar="PHASE:HKL",
        help="known reflection in the region for a calibration check, e.g. SrTiO3:100",
    )
    parser.add_argument(
        "--reference-d",
        type=float,
        default=None,
        metavar="D_A",
        help="known spacing in Å for a calibration check, e.g. 3.905",
    )
    add_optics_arguments(parser)


def load_region(
    args: argparse.Namespace, *, command: str
) -> tuple[Dataset, np.ndarray, float, list[str]]:
    """Load the file, pick the frame and ROI; return dataset, region, pixel size (nm), warnings."""
    dataset = load_input(args)
    require_kind(dataset, ("image", "movie"), command=command)
    row, col = dataset.signal_axes
    if row.units != "nm" or col.units != "nm":
        raise InputError(
            args.file,
            f"has no length calibration (units {col.units!r}); "
            "give one with --scale VALUE --units nm",
        )
    warnings = [
        w
        for w in dataset.warnings
        if not (args.scale is not None and w.startswith("no calibration"))
    ]
    if abs(row.scale / col.scale - 1) > 1e-3:
        warnings.append(
            f"pixels are not square ({row.scale:g} × {col.scale:g} nm); using the column size"
        )
    n_frames = dataset.n_items
    if not 0 <= args.frame < n_frames:
        raise InputError(
            args.file, f"--frame {args.frame} does not exist; the file has {n_frames} frame(s)"
        )
    frame = dataset.frame(args.frame)
    region = parse_roi(
        args.roi,
        shape=frame.shape,
        minimum_px=16,
        path=args.file,
        old_order="first-then-end-corner",
    )
    r0, r1, c0, c1 = (0, frame.shape[0], 0, frame.shape[1]) if region is None else region
    return dataset, frame[r0:r1, c0:c1], float(col.scale), warnings


def _reference(args: argparse.Namespace) -> ReferenceSpacing | None:
    if args.reference is not None and args.reference_d is not None:
        raise InputError(args.file, "give either --reference or --reference-d, not both")
    if args.reference_d is not None:
        if not (math.isfinite(args.reference_d) and args.reference_d > 0):
            raise InputError(
                args.file, f"--reference-d {args.reference_d} must be a positive spacing in Å"
            )
        return ReferenceSpacing(args.reference_d / 10.0, f"{args.reference_d:g} Å")
    if args.reference is None:
        return None
    name, _, hkl_text = args.reference.partition(":")
    try:
        return reference_spacing(name, parse_hkl(hkl_text))
    except ValueError as error:
        raise InputError(
            args.file, f"--reference {args.reference!r} (PHASE:HKL, e.g. SrTiO3:100): {error}"
        ) from None


def to_document(measurement: LatticeMeasurement, warnings: list[str]) -> dict:
    """The JSON document of `insitu-tem lattice` (and of the FFT panel's export)."""
    spots = []
    for spot, (phase, hkl) in zip(measurement.spots, measurement.assignments):
        spots.append(
            {
                "d_A": spot.d_A,
                "sigma_d_A": 10 * spot.sigma_d_nm,
                "g_per_A": spot.g_per_A,
                "angle_deg": spot.angle_deg,
                "intensity": spot.intensity,
                "snr": spot.snr,
                "hkl": list(hkl) if hkl else None,
                "phase": phase,
            }
        )
    lattice = measurement.fit.as_dict()
    lattice["indices"] = [list(hk) for hk in measurement.fit.indices]
    ring = measurement.ring
    lattice["ring"] = {
        "d_A": 10 * ring.d_nm if ring.ok else None,
        "sigma_d_A": 10 * ring.sigma_d_nm if ring.ok else None,
        "fwhm_per_A": ring.fwhm_per_nm / 10 if ring.ok else None,
        "ok": ring.ok,
        "reason": ring.reason,
        "defocus_nm": None if math.isnan(ring.defocus_nm) else ring.defocus_nm,
        "sigma_defocus_nm": None if math.isnan(ring.sigma_defocus_nm) else ring.sigma_defocus_nm,
    }
    lattice["calibration"] = measurement.calibration
    matches = []
    if measurement.matches is not None and measurement.matches.ok:
        for c in measurement.matches.candidates:
            matches.append(
                {
                    "phase": c.phase,
                    "hkl": [list(h) if h else None for h in c.hkl],
                    "zone_axis": list(c.zone_axis) if c.zone_axis else None,
                    "score": c.score,
                    "n_matched": c.n_matched,
                    "d_error": list(c.d_error),
                    "ambiguous": measurement.matches.ambiguous,
                }
            )
    return {
        "spots": spots,
        "lattice": lattice,
        "matches": matches,
        "warnings": warnings + list(measurement.warnings),
    }


def run(args: argparse.Namespace, progress: Progress) -> dict:
    if args.max_spots is not None:
        check_range("--max-spots", args.max_spots, low=1, high=10000, example="30")
    check_range("--snr", args.snr, low=0.1, high=1e6, example="15")
    check_range("--tolerance", args.tolerance, low=1e-4, high=0.5, example="0.02")
    reference = _reference(args)
    progress(0.1, "loading")
    dataset, region, pixel_nm, warnings = load_region(args, command=NAME)
    optics = optics_from(args, dataset.metadata, warnings)
    progress(0.4, "FFT")
    measurement = measure_lattice(
        region,
        pixel_nm=pixel_nm,
        snr_threshold=args.snr,
        max_spots=args.max_spots,
        reference=reference,
        tolerance=args.tolerance,
        energy_kV=optics.kv if optics else float(dataset.metadata.get("beam_energy_kV") or 300.0),
        optics=optics,
    )
    progress(1.0, "done")
    return to_document(measurement, warnings)
