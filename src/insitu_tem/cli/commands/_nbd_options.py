"""Calibration and phase options shared by the ``diffraction`` and ``nbd`` commands (not a
command)."""

from __future__ import annotations

import argparse

from insitu_tem.analysis.diffraction.centre import find_centre
from insitu_tem.analysis.diffraction.calibration import (
    scale_from_camera_length,
    scale_from_ring,
    strongest_ring_radius,
)
from insitu_tem.analysis.diffraction.radial import radial_profile
from insitu_tem.core.model import Dataset
from insitu_tem.cli.commands.common import InputError


def add_calibration_arguments(parser: argparse.ArgumentParser) -> None:
    """--camera-length/--pixel-size and --known-ring: calibrations besides the file's and
    --scale."""
    parser.add_argument(
        "--camera-length",
        type=float,
        default=None,
        metavar="MM",
        help="calibrate from the camera length (mm) with --pixel-size and the beam energy",
    )
    parser.add_argument(
        "--pixel-size", type=float, default=None, metavar="UM", help="detector pixel size, µm"
    )
    parser.add_argument(
        "--energy",
        type=float,
        default=None,
        metavar="KV",
        help="beam energy, kV (default: from the file, else 300)",
    )
    parser.add_argument(
        "--known-ring",
        type=float,
        default=None,
        metavar="D_A",
        help="calibrate by putting the strongest ring at this spacing (Å)",
    )


def phase_or_none(args: argparse.Namespace):
    """The library phase named by --phase, or None."""
    if getattr(args, "phase", None) is None:
        return None
    from insitu_tem.analysis.crystal.phases import get_phase

    try:
        return get_phase(args.phase)
    except ValueError as error:
        raise InputError(args.file, str(error)) from None


def check_calibration_options(args: argparse.Namespace) -> None:
    """Refuse non-finite or non-positive calibration options up front."""
    from insitu_tem.cli.commands.common import check_range

    check_range("--camera-length", args.camera_length, low=1e-3, high=1e6, example="80")
    check_range("--pixel-size", args.pixel_size, low=1e-3, high=1e4, example="14")
    check_range("--energy", args.energy, low=1.0, high=3000.0, example="300")
    check_range("--known-ring", args.known_ring, low=0.1, high=100.0, example="2.35")


def energy_kV(dataset: Dataset, args: argparse.Namespace) -> float:
    """Beam energy: --energy, else the file's, else 300 kV."""
    return float(args.energy or dataset.metadata.get("beam_energy_kV") or 300.0)


def calibrated_scale(dataset: Dataset, args: argparse.Namespace, pattern) -> float:
    """Pattern scale in 1/nm per px from --known-ring, --camera-length, the file or --scale."""
    return calibration(dataset, args, pattern)[0]


def calibration(dataset: Dataset, args: argparse.Namespace, pattern) -> tuple[float, str]:
    """Pattern scale in 1/nm per px (as :func:`calibrated_scale`) and where it comes from, in
    words: "--known-ring: the strongest ring (r = 39.1 px) put at 3.28 Å", "--camera-length 80
    mm, --pixel-size 14 µm, 200 kV", "--scale" or "the file"."""
    if args.known_ring is not None:
        profile = radial_profile(pattern, centre_rc=find_centre(pattern).centre_rc)
        radius = strongest_ring_radius(profile.r_px, profile.intensity)
        if radius is None:
            raise InputError(
                args.file,
                "no ring found to calibrate --known-ring on; give --scale VALUE --units 1/nm",
            )
        return (
            scale_from_ring(radius_px=radius, d_A=args.known_ring),
            f"--known-ring: the strongest ring (r = {radius:.2f} px) put at {args.known_ring:g} Å",
        )
    if args.camera_length is not None:
        if args.pixel_size is None:
            raise InputError(
                args.file, "--camera-length needs --pixel-size UM (detector pixel size in µm)"
            )
        energy = energy_kV(dataset, args)
        scale = scale_from_camera_length(
            pixel_size_um=args.pixel_size, camera_length_mm=args.camera_length, energy_kV=energy
        )
        return scale, (
            f"--camera-length {args.camera_length:g} mm, --pixel-size {args.pixel_size:g} µm, "
            f"{energy:g} kV"
        )
    axis = dataset.signal_axes[-1]
    if axis.units != "1/nm":
        raise InputError(
            args.file,
            "the pattern is not calibrated; give --scale VALUE --units 1/nm, "
            "--camera-length MM --pixel-size UM, or --known-ring D_A",
        )
    return float(axis.scale), "--scale" if args.scale is not None else "the file"
