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
    calibration,
    check_calibration_options,
    energy_kV,
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
        help="index the spots and rings against this library phase (e.g. γ-WO3, W, Bi)",
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


def ring_rows(rings, *, phase, energy: float, known_ring: float | None) -> list[dict]:
    """Rings, innermost first: d (Å) with its 1σ, FWHM; ``hkl`` and ``d_reference_A`` of the
    ``phase`` reflection each matches within 2 % (None without a phase or a match);
    ``calibrates`` for the ring that --known-ring placed (its d is given, not measured: its 1σ
    is None)."""
    d = [ring.d_A for ring in rings]
    match = None
    if phase is not None and d:
        from insitu_tem.analysis.crystal.phases import match_spacings

        match = match_spacings(d, phases=[phase], energy_kV=energy).best
    placed = None
    if known_ring is not None and d:
        placed = int(np.argmin([abs(value / known_ring - 1.0) for value in d]))
    rows = []
    for i, ring in enumerate(rings):
        hkl = match.hkl[i] if match is not None else None
        rows.append(
            {
                "d_A": ring.d_A,
                "d_sigma_A": None if i == placed else ring.d_sigma_A,
                "fwhm_per_A": ring.fwhm_per_A,
                "hkl": list(hkl) if hkl is not None else None,
                "d_reference_A": match.d_reference_A[i] if hkl is not None else None,
                "calibrates": i == placed,
            }
        )
    return rows


def run(args: argparse.Namespace, progress: Progress) -> dict:
    check_calibration_options(args)
    loaded = load_input(args)
    dataset = as_patterns(loaded, ("pattern", "pattern_series", "image"), command=NAME)
    if not 0 <= args.index < dataset.n_items:
        raise InputError(args.file, f"--index {args.index} is outside 0 to {dataset.n_items - 1}")
    pattern = dataset.frame(args.index)
    scale, source = calibration(dataset, args, pattern)
    progress(0.2, "analysing")
    phase, energy = phase_or_none(args), energy_kV(dataset, args)
    analysis = analyse_pattern(
        pattern,
        scale_per_nm=scale,
        phase=phase,
        energy_kV=energy,
        centre_rc=parse_centre(args.centre, path=args.file),
    )
    finite = np.isfinite(analysis.profile)
    progress(1.0, "done")
    return {
        "centre_px": list(analysis.centre.centre_rc),
        "centre_sigma_px": analysis.centre.sigma_px,
        "calibration": {"scale_per_nm_per_px": scale, "source": source},
        "spots": spot_rows(analysis, scale),
        "rings": ring_rows(
            analysis.rings.rings, phase=phase, energy=energy, known_ring=args.known_ring
        ),
        "profile": {"q_per_A": analysis.q_per_A[finite], "intensity": analysis.profile[finite]},
        **({} if analysis.centre.ok else {"centre_warning": analysis.centre.reason}),
        **conversion_note(loaded, dataset),
    }
