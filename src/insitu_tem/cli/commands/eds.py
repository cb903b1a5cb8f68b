"""``insitu-tem eds FILE``: background-subtracted X-ray line maps and Cliff–Lorimer composition."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from insitu_tem.cli.commands.common import InputError, Progress, add_force_argument
from insitu_tem.io.outputs import output_file

NAME = "eds"
HELP = (
    "EDS spectrum image: line maps with side-window background, Cliff–Lorimer wt % with your "
    "k-factors"
)


def parse_kfactors(text: str | None) -> dict[str, float]:
    """``"Si=1.0,O=1.9"`` -> {"Si": 1.0, "O": 1.9}."""
    if not text:
        return {}
    found = {}
    for item in text.split(","):
        element, _, value = item.partition("=")
        try:
            found[element.strip()] = float(value)
        except ValueError:
            raise InputError(
                None, f"--kfactors {text!r}: give ELEMENT=VALUE pairs, e.g. Si=1.0,O=1.9"
            ) from None
    return found


def parse_elements(text: str | None) -> tuple[str, ...]:
    return tuple(e.strip() for e in text.split(",") if e.strip()) if text else ()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        metavar="FILE",
        help="Bruker .bcf, Velox .emd or HyperSpy .hspy with a spectrum image",
    )
    parser.add_argument(
        "--elements",
        default=None,
        metavar="Si,O,...",
        help="elements to map (default: those named in the file)",
    )
    parser.add_argument(
        "--kfactors",
        default=None,
        metavar="Si=1.0,O=...",
        help="Cliff–Lorimer k-factors (default 1 for every element: relative intensities)",
    )
    parser.add_argument(
        "--kfactor-sigmas",
        default=None,
        metavar="Si=0.05,O=...",
        help="1σ of the k-factors (same units), added to the wt %% uncertainty (default 0)",
    )
    parser.add_argument(
        "--resolution",
        type=float,
        default=130.0,
        metavar="EV",
        help="detector FWHM at Mn Kα, eV (sets the window widths)",
    )
    parser.add_argument(
        "--out", default=None, metavar="DIR", help="also write one float32 TIFF per line map"
    )
    add_force_argument(parser)


def line_names(elements: tuple[str, ...], beam_kv: float | None) -> tuple[str, ...]:
    from insitu_tem.analysis.eds.lines import main_line

    try:
        return tuple(main_line(e, beam_energy_kv=beam_kv or 200.0) for e in elements)
    except ValueError as error:
        raise InputError(None, str(error)) from error


def run(args: argparse.Namespace, progress: Progress) -> dict:
    from insitu_tem.analysis.eds.lines import xray_line
    from insitu_tem.analysis.eds.maps import cliff_lorimer, line_maps
    from insitu_tem.io.kinds import unusable_values
    from insitu_tem.io.readers.spectrum_image import read_spectrum_image

    image = read_spectrum_image(args.file)
    unreadable = unusable_values(image.cube)
    if unreadable:
        raise InputError(
            args.file,
            f"holds {unreadable} NaN or infinite values, which the line maps cannot use; replace "
            "them (e.g. by 0) and export the spectrum image again",
        )
    elements = parse_elements(args.elements) or image.elements
    if not elements:
        raise InputError(args.file, "names no elements; give them with --elements Si,O,...")
    names = line_names(elements, image.beam_energy_kv)
    lines = tuple(xray_line(n, resolution_mn_ka_ev=args.resolution) for n in names)
    progress(0.3, "line maps")
    maps = line_maps(image.cube, image.energies_ev, lines)
    kfactors = parse_kfactors(args.kfactors)
    kfactor_sigmas = parse_kfactors(args.kfactor_sigmas)
    unknown = (set(kfactors) | set(kfactor_sigmas)) - set(elements)
    if unknown:
        raise InputError(
            None,
            f"--kfactors/--kfactor-sigmas name {', '.join(sorted(unknown))}, not among the "
            f"elements {', '.join(elements)}",
        )
    totals = maps.maps.reshape(len(lines), -1).sum(axis=1)
    totals_variance = maps.variance.reshape(len(lines), -1).sum(axis=1)
    composition = cliff_lorimer(
        totals,
        elements,
        [kfactors.get(e, 1.0) for e in elements],
        intensity_variance=totals_variance,
        kfactor_sigmas=[kfactor_sigmas.get(e, 0.0) for e in elements],
    )
    if args.out:
        write_maps(Path(args.out), maps, inputs=(args.file,), force=args.force)
    progress(1.0, "done")
    return {
        "file": Path(args.file).name,
        "elements": list(elements),
        "lines": list(names),
        "line_energies_ev": [line.energy_ev for line in lines],
        "fwhm_ev": [line.fwhm_ev for line in lines],
        "maps": {n: m for n, m in zip(names, maps.maps)},
        "totals": {n: float(t) for n, t in zip(names, totals)},
        "totals_sigma": {n: float(np.sqrt(v)) for n, v in zip(names, totals_variance)},
        "background_totals": {n: float(b.sum()) for n, b in zip(names, maps.background)},
        "quantification": {
            "method": "Cliff-Lorimer, no absorption correction",
            "kfactors": dict(zip(elements, composition.kfactors)),
            "weight_percent": dict(zip(elements, np.asarray(composition.weight_percent, float))),
            "weight_percent_sigma": dict(
                zip(elements, np.asarray(composition.weight_percent_sigma, float))
            ),
            "kfactor_sigmas": {e: kfactor_sigmas.get(e, 0.0) for e in elements},
            "note": ""
            if kfactors
            else "all k-factors 1: relative line intensities, not a composition",
        },
        "pixel_size": image.pixel_size,
        "units": image.units,
        "ok": maps.ok and composition.ok,
        "reason": "; ".join(r for r in (maps.reason, composition.reason) if r),
    }


def write_maps(folder: Path, maps, *, inputs: tuple[str, ...] = (), force: bool = False) -> None:
    import tifffile

    try:
        folder.mkdir(parents=True, exist_ok=True)
        for line, values in zip(maps.lines, maps.maps):
            with output_file(folder / f"{line.name}.tif", inputs=inputs, force=force) as temporary:
                tifffile.imwrite(temporary, values.astype(np.float32))
    except OSError as error:
        raise InputError(
            str(folder), f"cannot write the maps ({error.strerror}); choose another --out"
        ) from error
