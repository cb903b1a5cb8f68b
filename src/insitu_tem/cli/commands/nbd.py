"""``insitu-tem nbd SERIES``: centres, lattice strain, crystallinity and phase fractions along a scan."""

from __future__ import annotations

import argparse

import numpy as np

from insitu_tem.analysis.diffraction.nbd_scan import analyse_scan
from insitu_tem.cli.commands.common import (
    InputError, Progress, add_input_arguments, as_patterns, check_range, conversion_note, load_input,
    require_memory,
)
from insitu_tem.cli.commands._nbd_options import add_calibration_arguments, calibrated_scale, check_calibration_options

NAME = "nbd"
HELP = "analyse an NBD scan: direct-beam centres, lattice strain, crystalline flags, NMF phase fractions"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_input_arguments(parser, name="SERIES")
    parser.add_argument("--reference", type=int, default=None, metavar="N",
                        help="strain reference pattern (default: the first with a spot lattice)")
    parser.add_argument("--components", type=int, default=3, metavar="K",
                        help="NMF components including the first and last patterns as end members (default 3)")
    add_calibration_arguments(parser)


def positions(dataset) -> tuple[list, str, np.ndarray]:
    """Scan coordinates per pattern (a number, or [y, x] for 2-D scans), their units and a 1-D fit axis."""
    nav = dataset.navigation_axes
    if len(nav) == 1:
        coords = nav[0].coordinates()
        return coords.tolist(), nav[0].units, coords
    grids = np.meshgrid(nav[0].coordinates(), nav[1].coordinates(), indexing="ij")
    pairs = np.stack([g.ravel() for g in grids], axis=1)
    return pairs.tolist(), nav[0].units, np.arange(len(pairs), dtype=float)


def fraction_names(k: int) -> list[str]:
    """NMF component names: the fixed end members, then the free ones."""
    return ["first pattern", "last pattern"] + [f"free {i}" for i in range(1, k - 1)]


def run(args: argparse.Namespace, progress: Progress) -> dict:
    check_range("--components", args.components, low=2, high=20, example="3")
    check_calibration_options(args)
    loaded = load_input(args)
    dataset = as_patterns(loaded, ("pattern_series",), command=NAME)
    if dataset.n_items < 3:
        raise InputError(args.file, f"holds {dataset.n_items} patterns; the scan analysis needs at least 3")
    check_range("--components", args.components, low=2, high=min(20, dataset.n_items), example="3")
    require_memory(dataset, NAME)
    patterns = np.asarray(dataset.array).reshape((-1,) + dataset.shape[-2:])
    scale = calibrated_scale(dataset, args, patterns[0]) if dataset.signal_axes[-1].units == "1/nm" or (
        args.known_ring or args.camera_length) else None
    if args.reference is not None and not 0 <= args.reference < len(patterns):
        raise InputError(args.file, f"--reference {args.reference} is outside 0 to {len(patterns) - 1}")
    position, units, fit_axis = positions(dataset)
    result = analyse_scan(patterns, position=fit_axis, scale_per_nm=scale, reference_index=args.reference,
                          n_components=args.components, progress=progress)
    fractions = result.nmf.fractions
    return {
        "position": position,
        "units": units,
        "centre_px": result.descan.fitted_rc,
        "reference_index": result.tracks.reference_index,
        "lattice_strain": result.tracks.lattice_strain,
        "crystalline": result.crystalline,
        "phase_fractions": {name: fractions[:, i] for i, name in enumerate(fraction_names(fractions.shape[1]))},
        **conversion_note(loaded, dataset),
    }
