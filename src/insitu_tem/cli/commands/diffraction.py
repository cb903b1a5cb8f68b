"""``insitu-tem diffraction PATTERN``: centre, spots (d, g, angle, hkl), rings and the radial
profile."""

from __future__ import annotations

import argparse

import numpy as np

from insitu_tem.analysis.diffraction.nbd_scan import analyse_pattern
from insitu_tem.analysis.diffraction.disks import friedel_partners
from insitu_tem.cli.commands.common import (
    InputError,
    Progress,
    add_input_arguments,
    as_patterns,
    conversion_note,
    load_input,
)
from insitu_tem.cli.commands._nbd_options import (
    add_calibration_arguments,
    calibrated_scale,
    check_calibration_options,
    phase_or_none,
)
from insitu_tem.cli.commands.radial import parse_centre

NAME = "diffraction"
HELP = "analyse one diffraction pattern: centre, spots (d, g, angle, hkl), rings and radial profile"
MAX_SPOTS = 30


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_input_arguments(parser, name="PATTERN")
    parser.add_argument(
        "--index",
        type=int,
        default=0,
        metavar="N",
        help="pattern number in a series (default 0, row-major over the scan)",
    )
    parser.add_argument(
        "--centre", metavar="ROW,COL", default=None, help="pattern centre in px (default: found)"
    )
    parser.add_argument(
        "--phase",
        default=None,
        metavar="NAME",
        help="index the spots against this library phase (e.g. γ-WO3, W, Li2O)",
    )
    add_calibration_arguments(parser)


def spot_rows(analysis, scale_per_nm: float) -> list[dict]:
    """Spots strongest first, at most 30, each Friedel pair once (the mate at angle < 180°).

    ``sigma_d_A`` is the 1σ of d from the spot and centre positions, calibration excluded.
    """
    spots = analysis.spots
    g = spots.g_px
    mates = friedel_partners(g)
    angles = np.degrees(np.arctan2(g[:, 0], g[:, 1])) % 360.0
    hkl = (
        analysis.indexing.hkl
        if analysis.indexing is not None and analysis.indexing.ok
        else (None,) * len(spots)
    )
    rows, seen = [], set()
    for i in range(len(spots)):
        if i in seen:
            continue
        keep = i if mates[i] < 0 or angles[i] < 180.0 else int(mates[i])
        seen.update({i, int(mates[i])})
        g_per_A = float(np.hypot(*g[keep]) * scale_per_nm / 10.0)
        relative = float(spots.sigma_px[keep] / np.hypot(*g[keep]))
        rows.append(
            {
                "d_A": 1.0 / g_per_A,
                "sigma_d_A": relative / g_per_A,
                "g_per_A": g_per_A,
                "angle_deg": float(angles[keep]),
                "intensity": float(spots.intensity[keep]),
                "hkl": list(hkl[keep]) if hkl[keep] else None,
            }
        )
    rows.sort(key=lambda row: row["intensity"], reverse=True)
    return rows[:MAX_SPOTS]


def run(args: argparse.Namespace, progress: Progress) -> dict:
    check_calibration_options(args)
    loaded = load_input(args)
    dataset = as_patterns(loaded, ("pattern", "pattern_series", "image"), command=NAME)
    if not 0 <= args.index < dataset.n_items:
        raise InputError(args.file, f"--index {args.index} is outside 0 to {dataset.n_items - 1}")
    pattern = dataset.frame(args.index)
    scale = calibrated_scale(dataset, args, pattern)
    progress(0.2, "analysing")
    analysis = analyse_pattern(
        pattern,
        scale_per_nm=scale,
        phase=phase_or_none(args),
        energy_kV=dataset.metadata.get("beam_energy_kV", 300.0),
        centre_rc=parse_centre(args.centre, path=args.file),
    )
    finite = np.isfinite(analysis.profile)
    progress(1.0, "done")
    return {
        "centre_px": list(analysis.centre.centre_rc),
        "centre_sigma_px": analysis.centre.sigma_px,
        "spots": spot_rows(analysis, scale),
        "rings": [
            {"d_A": r.d_A, "d_sigma_A": r.d_sigma_A, "fwhm_per_A": r.fwhm_per_A}
            for r in analysis.rings.rings
        ],
        "profile": {"q_per_A": analysis.q_per_A[finite], "intensity": analysis.profile[finite]},
        **({} if analysis.centre.ok else {"centre_warning": analysis.centre.reason}),
        **conversion_note(loaded, dataset),
    }
