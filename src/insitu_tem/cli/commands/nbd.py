"""``insitu-tem nbd SERIES``: centres, lattice strain, crystallinity and phase fractions along a
scan."""

from __future__ import annotations

import argparse

import numpy as np

from insitu_tem.cli.commands.common import (
    InputError,
    Progress,
    add_input_arguments,
    as_patterns,
    check_range,
    conversion_note,
    load_input,
    require_memory,
)
from insitu_tem.cli.commands._nbd_options import (
    add_calibration_arguments,
    calibrated_scale,
    check_calibration_options,
)

NAME = "nbd"
HELP = (
    "analyse an NBD scan: direct-beam centres, lattice strain, crystalline flags, NMF phase "
    "fractions"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_input_arguments(parser, name="SERIES")
    parser.add_argument(
        "--reference",
        type=int,
        default=None,
        metavar="N",
        help="strain reference pattern (default: the first with a spot lattice)",
    )
    parser.add_argument(
        "--components",
        type=int,
        default=3,
        metavar="K",
        help="NMF components including the first and last patterns as end members (default 3)",
    )
    add_calibration_arguments(parser)


def run(args: argparse.Namespace, progress: Progress) -> dict:
    from insitu_tem.core.session import Session
    from insitu_tem.workflows import nbd

    check_range("--components", args.components, low=2, high=20, example="3")
    check_calibration_options(args)
    loaded = load_input(args)
    dataset = as_patterns(loaded, ("pattern_series",), command=NAME)
    if dataset.n_items < 3:
        raise InputError(
            args.file, f"holds {dataset.n_items} patterns; the scan analysis needs at least 3"
        )
    check_range("--components", args.components, low=2, high=min(20, dataset.n_items), example="3")
    require_memory(dataset, NAME)
    if args.reference is not None and not 0 <= args.reference < dataset.n_items:
        raise InputError(
            args.file, f"--reference {args.reference} is outside 0 to {dataset.n_items - 1}"
        )
    session = Session(checksums=False)
    session.set_dataset("nbd", dataset)
    if dataset.signal_axes[-1].units == "1/nm" or args.known_ring or args.camera_length:
        first = np.asarray(dataset.array).reshape((-1,) + dataset.shape[-2:])[0]
        session.set_calibration("nbd", scale=calibrated_scale(dataset, args, first), units="1/nm")
    value = nbd.run(
        session, reference=args.reference, components=args.components, progress=progress
    ).value
    keys = (
        "position",
        "units",
        "centre_px",
        "centre_sigma_px",
        "centre_ok",
        "centre_reason",
        "reference_index",
        "lattice_strain",
        "lattice_strain_sigma",
        "lattice_strain_reason",
        "crystalline",
        "phase_fractions",
        "phase_fractions_sigma",
        "phase_fractions_sigma_reason",
    )
    document = {key: value[key] for key in keys}
    if len(dataset.navigation_axes) == 2:
        document["virtual_images"] = virtual_images_document(dataset, value)
    return {**document, **conversion_note(loaded, dataset)}


def virtual_images_document(dataset, value: dict) -> dict:
    """The virtual BF and ADF images of a 2-D scan (the NBD panel's default detector about each
    probe's fitted beam centre): radii in px (and 1/nm when calibrated), counts per probe in
    scan order, the scan's (rows, cols) shape and position axes."""
    from insitu_tem.analysis.diffraction.scan_virtual import scan_virtual_images

    patterns = np.asarray(dataset.array).reshape((-1,) + dataset.shape[-2:])
    images = scan_virtual_images(patterns, value=value)
    detector = images.detector
    axis = dataset.signal_axes[-1]
    scale = value.get("scale_per_nm") or (float(axis.scale) if axis.units == "1/nm" else None)
    rows, cols = dataset.navigation_axes
    document = {
        "shape": [rows.size, cols.size],
        "scan_step": [rows.scale, cols.scale],
        "scan_units": rows.units,
        "centred_on": "probe" if images.per_probe else "mean pattern",
        "mean_pattern_centre_px": list(detector.centre_rc),
        "beam_radius_px": detector.beam_radius_px,
        "detector_reason": detector.reason,
    }
    for kind, (inner, outer) in images.radii_px.items():
        document[kind] = {
            "inner_px": inner,
            "outer_px": outer,
            **(
                {}
                if scale is None
                else {"inner_per_nm": inner * scale, "outer_per_nm": outer * scale}
            ),
            "counts": images.counts[kind],
        }
    return document
