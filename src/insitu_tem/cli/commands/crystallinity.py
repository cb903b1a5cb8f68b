"""``insitu-tem crystallinity IMAGE``: sliding-window FFT map of crystalline vs amorphous areas
(``domain_size_ok`` false with ``domain_size_reason``, the size and its 1σ null, when there is no
domain or no boundary; ``sigma_crystalline_fraction`` null with its reason when the redrawn
windows never move the fraction).
With ``--defocus`` and ``--cs`` (each else from the file's metadata: Cs from DigitalMicrograph,
the defocus from Velox EMD or TIA) the lattice fringes' delocalisation across the crystal's edge
is taken into the map and its 1σ (``delocalisation_nm``; null and a warning without them)."""

from __future__ import annotations

import argparse

import numpy as np

from insitu_tem.analysis.hrtem.crystallinity import (
    DEFAULT_SNR,
    DEFAULT_WINDOW_NM,
    crystallinity_map,
    domain_size_status,
    fraction_sigma_status,
)
from insitu_tem.analysis.hrtem.crystallinity_delocalisation import Imaging
from insitu_tem.cli.commands.common import InputError, Progress, check_range
from insitu_tem.cli.commands.lattice import add_frame_arguments, load_region

NAME = "crystallinity"
HELP = (
    "crystalline area fraction, domain size and a crystalline/amorphous map from a sliding-window "
    "FFT"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_frame_arguments(parser)
    parser.add_argument(
        "--window",
        type=float,
        default=DEFAULT_WINDOW_NM,
        metavar="NM",
        help=f"window side in nm (default {DEFAULT_WINDOW_NM})",
    )
    parser.add_argument(
        "--snr",
        type=float,
        default=DEFAULT_SNR,
        help=f"spot SNR above which a window is crystalline (default {DEFAULT_SNR:g})",
    )
    parser.add_argument(
        "--defocus",
        type=float,
        metavar="NM",
        help="defocus of the image in nm, positive underfocus (default: the file's; with --cs: "
        "delocalisation)",
    )
    parser.add_argument(
        "--cs",
        type=float,
        metavar="MM",
        help="spherical aberration Cs of the image in mm (default: the file's)",
    )


def run(args: argparse.Namespace, progress: Progress) -> dict:
    if not args.window > 0:
        raise InputError(args.file, f"--window {args.window} must be a positive size in nm, e.g. 3")
    progress(0.1, "loading")
    check_range("--window", args.window, low=1e-6, high=1e6, example="3")
    check_range("--snr", args.snr, low=0.1, high=1e6, example="5")
    dataset, region, pixel_nm, warnings = load_region(args, command=NAME)
    unreadable = int(np.size(region) - np.count_nonzero(np.isfinite(region)))
    if unreadable:
        raise InputError(
            args.file,
            f"the region holds {unreadable} NaN or infinite pixels, which a window's FFT cannot "
            "take; choose an --roi inside the valid data, or replace them (e.g. in Fiji)",
        )
    if args.window / pixel_nm < 8:
        raise InputError(
            args.file,
            f"--window {args.window:g} nm is {args.window / pixel_nm:.3g} px; give a window "
            f"of at least {8 * pixel_nm:.3g} nm (8 px)",
        )
    imaging = _imaging(args, dataset.metadata, warnings)
    progress(0.3, "sliding-window FFT")
    result = crystallinity_map(
        region, pixel_nm=pixel_nm, window_nm=args.window, snr_threshold=args.snr, imaging=imaging
    )
    progress(1.0, "done")
    domain_ok, domain_reason = domain_size_status(result)
    if domain_ok or not np.asarray(result.pixel_map, bool).all():
        field = ""
    else:
        field = f" than the field's equivalent-circle diameter, {result.domain_size_nm:.3g} nm"
    sigma_ok, sigma_reason = fraction_sigma_status(result)
    return {
        "crystalline_fraction": result.crystalline_fraction,
        "sigma_crystalline_fraction": result.sigma_crystalline_fraction if sigma_ok else None,
        "sigma_crystalline_fraction_reason": sigma_reason,
        "domain_size_nm": result.domain_size_nm if domain_ok else None,
        "domain_size_sigma_nm": result.sigma_domain_size_nm if domain_ok else None,
        "domain_size_ok": domain_ok,
        "domain_size_reason": domain_reason + field,
        "delocalisation_nm": None if imaging is None else result.delocalisation_nm,
        "map": result.crystalline.astype(int).tolist(),
        "window_nm": result.window_px * pixel_nm,
        "step_nm": result.step_px * pixel_nm,
        "warnings": warnings,
    }


def _imaging(args: argparse.Namespace, metadata: dict, warnings: list[str]) -> Imaging | None:
    """The image's aberrations from --defocus and --cs, each else from the file's metadata (beam
    energy from the file, else 300 kV with a warning); None, with a warning, without both."""
    given = {"defocus": args.defocus, "cs": args.cs}
    read = {"defocus": metadata.get("defocus_nm"), "cs": metadata.get("cs_mm")}
    value = {name: read[name] if given[name] is None else given[name] for name in given}
    missing = [name for name in value if value[name] is None]
    if missing and len(missing) < 2 and any(v is not None for v in given.values()):
        raise InputError(
            args.file,
            f"give both --defocus NM and --cs MM, e.g. --defocus 60 --cs 1.2 (the file gives no "
            f"{missing[0]})",
        )
    if missing:
        warnings.append(
            "lattice delocalisation not included in the fraction or its 1σ (give --defocus and "
            "--cs): at Cs 1.2 mm the crystal can read 0.5-3 nm larger or smaller per edge"
        )
        return None
    warnings.extend(
        f"--{name} {read[name]:g} taken from the file's metadata"
        for name in value
        if given[name] is None
    )
    check_range("--cs", value["cs"], low=-10.0, high=10.0, example="1.2")
    check_range("--defocus", value["defocus"], low=-5000.0, high=5000.0, example="60")
    energy = metadata.get("beam_energy_kV")
    if not energy:
        warnings.append("the file gives no beam energy: 300 kV taken for the delocalisation")
    return Imaging(
        defocus_nm=float(value["defocus"]),
        cs_mm=float(value["cs"]),
        energy_kev=float(energy or 300.0),
    )
