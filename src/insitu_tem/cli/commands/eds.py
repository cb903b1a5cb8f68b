"""``insitu-tem eds FILE``: which X-ray lines an EDS spectrum holds; background-subtracted line
maps and Cliff–Lorimer composition of a spectrum image."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from insitu_tem.cli.commands.common import (
    InputError,
    OptionError,
    Progress,
    add_force_argument,
    check_range,
)
from insitu_tem.io.outputs import output_file

NAME = "eds"
HELP = (
    "EDS: which X-ray lines a spectrum (or a spectrum image's sum) holds; line maps and "
    "Cliff–Lorimer wt %"
)


def parse_kfactors(text: str | None, *, option: str = "--kfactors") -> dict[str, float]:
    """``"Si=1.0,O=1.9"`` -> {"Si": 1.0, "O": 1.9}: k-factors (> 0), or their 1σ (≥ 0) for
    ``option`` ``"--kfactor-sigmas"``
    (:func:`~insitu_tem.workflows.eds_quantify.parse_kfactors`).

    Raises
    ------
    OptionError
        The parser's sentence after the option's name (exit 2).
    """
    from insitu_tem.workflows.eds_quantify import parse_kfactors as parse

    try:
        return parse(text, sigmas=option == "--kfactor-sigmas")
    except ValueError as error:
        raise OptionError(None, f"{option} {error}") from None


def _kfactors(args) -> tuple[dict[str, float], dict[str, float]]:
    """The k-factors of ``--kfactors`` and their 1σ of ``--kfactor-sigmas``, by element."""
    return parse_kfactors(args.kfactors), parse_kfactors(
        args.kfactor_sigmas, option="--kfactor-sigmas"
    )


def parse_elements(text: str | None) -> tuple[str, ...]:
    return tuple(e.strip() for e in text.split(",") if e.strip()) if text else ()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        metavar="FILE",
        help="Bruker .bcf, Velox .emd or HyperSpy .hspy with a spectrum image, or a lone EDS "
        "spectrum (.msa, .emd, .hspy)",
    )
    parser.add_argument(
        "--signal",
        type=int,
        default=None,
        metavar="N",
        help="the EDS spectrum image among the file's signals, numbered as `insitu-tem info` "
        "lists them (default: the first)",
    )
    parser.add_argument(
        "--elements",
        default=None,
        metavar="Si,O,...",
        help="elements to map (default: those named in the file; when it names none, the "
        "elements found by --identify)",
    )
    parser.add_argument(
        "--identify",
        action="store_true",
        help="also say which elements' lines the summed spectrum holds (present / ambiguous / "
        "not detected, net counts ± 1σ, overlaps named); always done for a lone spectrum and "
        "for a spectrum image whose elements neither --elements nor the file name",
    )
    parser.add_argument(
        "--false-alarm",
        type=float,
        default=0.01,
        metavar="P",
        help="expected false identifications per spectrum that --identify allows (default 0.01)",
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
        default=None,
        metavar="EV",
        help="detector FWHM at Mn Kα, eV (sets the window widths and the line profiles; "
        "default: measured on the spectrum's strong K lines when lines are identified, else 130)",
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
    from insitu_tem.analysis.eds.lines import DEFAULT_RESOLUTION_MN_KA_EV
    from insitu_tem.core.model import DataError
    from insitu_tem.io.readers.spectrum_image import read_spectrum_image

    check_range("--signal", args.signal, low=0)
    if not 0 < args.false_alarm < 1:
        raise InputError(None, f"--false-alarm {args.false_alarm:g}: give a value in (0, 1)")
    check_range("--resolution", args.resolution, low=1.0, high=1000.0, example="130")
    kfactors = _kfactors(args)
    if args.out is not None:
        from insitu_tem.io.outputs import check_output_folder

        check_output_folder(args.out)
    try:
        image = read_spectrum_image(args.file, signal=args.signal)
    except DataError as error:
        lone = _lone_spectrum(args.file)
        if lone is None:
            raise error from None
        progress(0.2, "identifying lines")
        counts, energies, beam = lone
        given = parse_elements(args.elements)
        found = identify(counts, energies, beam, args, given, "the lone spectrum")
        progress(1.0, "done")
        return {"file": Path(args.file).name, **found}
    given = parse_elements(args.elements) or image.elements
    found = {}
    if args.identify or not given:
        progress(0.1, "identifying lines of the summed spectrum")
        summed = image.cube.sum(axis=(0, 1), dtype=np.float64)
        what = f"the sum of {image.cube.shape[0] * image.cube.shape[1]} spectra"
        found = identify(summed, image.energies_ev, image.beam_energy_kv, args, given, what)
        given = given or tuple(found["identified"]["present"])
    if not given:
        return {"file": Path(args.file).name, **found}
    identification = found.get("identification", {})
    measured = identification.get("resolution_mn_ka_ev")
    resolution = args.resolution or measured or DEFAULT_RESOLUTION_MN_KA_EV
    resolution_sigma = 0.0 if args.resolution else identification.get("resolution_mn_ka_ev_sigma")
    offset = identification.get("energy_offset_ev") or 0.0
    energies = (image.energies_ev - offset) / (1.0 + (identification.get("energy_gain") or 0.0))
    maps = line_maps_result(
        args,
        image,
        given,
        progress,
        resolution=(resolution, resolution_sigma),
        energies_ev=energies,
        kfactors=kfactors,
    )
    if not found:
        return maps
    maps = _fitted_composition(maps, found["identification"]["findings"], kfactors)
    reasons = [r for r in (maps["reason"], found["reason"]) if r]
    return {**maps, **found, "ok": maps["ok"] and found["ok"], "reason": "; ".join(reasons)}


def _fitted_composition(maps: dict, findings: list, kfactors: tuple[dict, dict]) -> dict:
    """``maps`` with its ``quantification`` from the identification's fitted net counts ± 1σ of
    each element's line (``findings``, as in the JSON; what the panel shows) instead of the
    windows' sums, when every element mapped has them (``counts_from`` says which), with the
    k-factors and their 1σ ``kfactors`` (:func:`_kfactors`)."""
    from insitu_tem.workflows.eds_quantify import quantification_document, quantify_counts

    by_element = {f["element"]: f for f in findings}
    chosen = [by_element.get(e) for e in maps["elements"]]
    if not all(f and f["lines"] and f["net_counts_sigma"] is not None for f in chosen):
        return maps
    composition = quantify_counts(
        [f["net_counts"] for f in chosen],
        [f["net_counts_sigma"] ** 2 for f in chosen],
        maps["elements"],
        [f["lines"][0] for f in chosen],
        kfactors=kfactors[0],
        kfactor_sigmas=kfactors[1],
    )
    document = quantification_document(composition, kfactors_given=bool(kfactors[0]))
    return {**maps, "quantification": {**document, "counts_from": "fitted"}}


def _lone_spectrum(path: str):
    """(counts, energies eV, beam kV or None) of a file holding X-ray spectra that are not a
    spectrum image (one spectrum, or a line of them, summed); None for anything else."""
    from insitu_tem.core.model import DataError
    from insitu_tem.io.kinds import is_xray_spectrum
    from insitu_tem.io.load import load

    try:
        dataset = load(path, lazy=True)
    except DataError:
        return None
    if dataset.kind != "spectrum" or not is_xray_spectrum(dataset):
        return None
    axis = dataset.signal_axes[-1]
    navigation = tuple(range(len(dataset.navigation_axes)))
    counts = np.asarray(dataset.array.sum(axis=navigation) if navigation else dataset.array)
    energies = axis.offset + axis.scale * np.arange(axis.size)
    if axis.units != "eV":
        energies = np.full(axis.size, np.nan)
    return counts.astype(np.float64), energies, dataset.metadata.get("beam_energy_kV")


def identify(counts, energies, beam_kv, args, elements, what: str) -> dict:
    """The ``identification`` of a spectrum for the JSON, and its short form ``identified``."""
    from insitu_tem.analysis.eds.identify import identify_lines
    from insitu_tem.workflows.eds_identify import identification_document

    result = identify_lines(
        counts,
        energies,
        beam_energy_kv=beam_kv,
        resolution_mn_ka_ev=args.resolution,
        false_alarm=args.false_alarm,
        elements=tuple(elements),
    )
    by_status = {
        status: [f.element for f in result.with_status(status)]
        for status in ("present", "ambiguous", "not detected")
    }
    return {
        "identified": by_status,
        "energy_calibration": result.calibration.describe(),
        "identification": identification_document(result, counts, what),
        "ok": result.ok,
        "reason": result.reason,
    }


def line_maps_result(
    args,
    image,
    elements,
    progress,
    *,
    resolution: tuple[float, float | None],
    energies_ev: np.ndarray,
    kfactors: tuple[dict, dict],
) -> dict:
    """Line maps and Cliff–Lorimer composition of ``elements`` in a spectrum image, windows for
    a detector FWHM of ``resolution`` (eV at Mn Kα, and its 1σ: 0 when given, None when
    neither given nor measured) on the channels' energies ``energies_ev`` (eV: the file's axis
    as the identification corrected it), with the k-factors and their 1σ ``kfactors``
    (:func:`_kfactors`); each line's FWHM with its 1σ (None with none)."""
    from insitu_tem.analysis.eds.lines import fwhm_sigma_ev, xray_line
    from insitu_tem.analysis.eds.maps import line_maps
    from insitu_tem.io.kinds import unusable_values
    from insitu_tem.workflows.eds_quantify import quantification_document, quantify

    unreadable = unusable_values(image.cube)
    if unreadable:
        raise InputError(
            args.file,
            f"holds {unreadable} NaN or infinite values, which the line maps cannot use; replace "
            "them (e.g. by 0) and export the spectrum image again",
        )
    names = line_names(elements, image.beam_energy_kv)
    resolution, resolution_sigma = resolution
    lines = tuple(xray_line(n, resolution_mn_ka_ev=resolution) for n in names)
    progress(0.3, "line maps")
    maps = line_maps(image.cube, energies_ev, lines)
    kfactors, kfactor_sigmas = kfactors
    unknown = (set(kfactors) | set(kfactor_sigmas)) - set(elements)
    if unknown:
        raise InputError(
            None,
            f"--kfactors/--kfactor-sigmas name {', '.join(sorted(unknown))}, not among the "
            f"elements {', '.join(elements)}",
        )
    composition = quantify(maps, elements, kfactors=kfactors, kfactor_sigmas=kfactor_sigmas)
    if args.out:
        write_maps(Path(args.out), maps, inputs=(args.file,), force=args.force)
    progress(1.0, "done")
    return {
        "file": Path(args.file).name,
        "elements": list(elements),
        "lines": list(names),
        "line_energies_ev": [line.energy_ev for line in lines],
        "fwhm_ev": [line.fwhm_ev for line in lines],
        "fwhm_ev_sigma": [
            None
            if resolution_sigma is None
            else fwhm_sigma_ev(
                line.energy_ev,
                resolution_mn_ka_ev=resolution,
                resolution_sigma_ev=resolution_sigma,
            )
            for line in lines
        ],
        "maps": {n: m for n, m in zip(names, maps.maps)},
        "totals": {n: float(t) for n, t in zip(names, composition.totals)},
        "totals_sigma": {n: float(s) for n, s in zip(names, composition.totals_sigma)},
        "background_totals": {n: float(b.sum()) for n, b in zip(names, maps.background)},
        "quantification": {
            **quantification_document(composition, kfactors_given=bool(kfactors)),
            "counts_from": "windows",
        },
        "pixel_size": image.pixel_size,
        "units": image.units,
        "ok": composition.ok,
        "reason": composition.reason,
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
