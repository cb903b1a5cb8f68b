"""``insitu-tem eels FILE``: ZLP offset and FWHM of every spectrum and the plasmon energy ± 1σ
(``plasmon_energy_ok`` and ``plasmon_energy_reason`` say when there is none); with ``--edge``, the
log-ratio t/λ ± 1σ (``t_over_lambda_ok`` and ``t_over_lambda_reason`` say when it cannot be read),
onsets, chemical shifts against a reference, the edge's window map with its per-probe 1σ and its
windows (``map_ok`` and ``map_reason`` say where it is withheld, null; ``--out DIR`` also writes
the map and its 1σ as float32 TIFFs and a CSV) and the MLLS fractions of the scan's two end
members ± 1σ (``mlls_ok`` and ``mlls_reason``). ``--edge`` given several times measures every
edge: one document per edge, in the order given (``--json``: a list of them)."""

from __future__ import annotations

import argparse
import math
from pathlib import Path


from insitu_tem.analysis.eels.background import MODELS
from insitu_tem.cli.commands.common import (
    InputError,
    Progress,
    add_force_argument,
    add_input_arguments,
    load_input,
    other_signals,
    require_kind,
    require_memory,
)
from insitu_tem.cli.errors import OptionError
from insitu_tem.core.model import DataError

NAME = "eels"
ZLP_KEYS = (
    "position",
    "zlp_offset_eV",
    "zlp_offset_sigma_eV",
    "fwhm_eV",
    "fwhm_sigma_eV",
    "zlp_found",
    "zlp_ok",
    "zlp_reason",
)
EDGE_KEYS = (
    "edge",
    "edge_onset_eV",
    "edge_onset_sigma_eV",
    "edge_onset_definition",
    "chemical_shift_eV",
    "chemical_shift_stderr_eV",
    "chemical_shift_statistical_eV",
    "chemical_shift_systematic_eV",
    "edge_detected",
    "edge_detection_p",
    "edge_ok",
    "edge_reason",
)
THICKNESS_KEYS = (
    "t_over_lambda",
    "t_over_lambda_sigma",
    "t_over_lambda_ok",
    "t_over_lambda_reason",
)
PLASMON_KEYS = (
    "plasmon_energy_eV",
    "plasmon_energy_sigma_eV",
    "plasmon_energy_ok",
    "plasmon_energy_reason",
)
MLLS_KEYS = (
    "mlls_fraction",
    "mlls_fraction_sigma",
    "mlls_fractions",
    "mlls_fractions_sigma",
    "mlls_ok",
    "mlls_reason",
)
MAP_KEYS = ("signal_window_eV", "background_window_eV", "map_ok", "map_reason")
HELP = "EELS: ZLP offset/FWHM per spectrum; --edge adds onsets, chemical shifts and a window map"


def _pair(text: str) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not LOW,HIGH in eV (e.g. 55,70)") from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise argparse.ArgumentTypeError(f"{text!r}: LOW and HIGH must be finite energies in eV")
    if not high > low:
        raise argparse.ArgumentTypeError(f"{text!r}: LOW must be below HIGH")
    return low, high


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_input_arguments(parser)
    parser.add_argument(
        "--edge",
        action="append",
        default=None,
        metavar="NAME",
        help="edge to analyse, e.g. W-O23, Li-K, Si-L23, Ti-L23, O-K, C-K; give it again to "
        "measure several (one result per edge)",
    )
    parser.add_argument(
        "--reference",
        type=int,
        default=-1,
        metavar="INDEX",
        help="spectrum the chemical shift is measured against (C-order index; default -1, the "
        "last: the pristine end of a scan recorded from the reacted into the pristine film)",
    )
    parser.add_argument(
        "--window",
        type=_pair,
        default=None,
        metavar="A,B",
        help="integration window of the edge map, eV (default: onset to onset + 10 eV)",
    )
    parser.add_argument(
        "--background",
        type=_pair,
        default=None,
        metavar="A,B",
        help="pre-edge background window, eV (default: automatic for the edge)",
    )
    parser.add_argument("--model", choices=MODELS, default="power_law", help="background model")
    parser.add_argument(
        "--no-deconvolve",
        action="store_true",
        help="measure onsets and shifts on the aligned counts, without Fourier-log deconvolution",
    )
    parser.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="with --edge, also write the window map and its 1σ as float32 TIFFs "
        "(<edge>_map.tif, <edge>_map_sigma.tif; scan shape, a line scan as one row) and "
        "<edge>_map.csv (counts ± 1σ per probe)",
    )
    add_force_argument(parser)


def _not_xrays(summary) -> bool:
    """Whether a signal of the file is not marked EDS (X-ray) spectra."""
    return not summary.signal_type.upper().startswith("EDS")


def _edges(args: argparse.Namespace) -> list[str]:
    """The edges given, each once, in the order given; --window and --background belong to
    one edge."""
    edges = list(dict.fromkeys(args.edge or ()))
    if len(edges) > 1 and (args.window is not None or args.background is not None):
        raise OptionError(
            None,
            f"--window and --background are one edge's energies, but {len(edges)} edges are "
            f"given ({', '.join(edges)}); give them with a single --edge",
        )
    return edges


def run(args: argparse.Namespace, progress: Progress) -> dict | list[dict]:
    edges = _edges(args)
    if args.out is not None:
        if not edges:
            raise InputError(None, "--out writes the edge's window map; give --edge NAME too")
        from insitu_tem.io.outputs import check_output_folder

        check_output_folder(args.out)
    dataset = load_input(args)
    require_kind(dataset, ("spectrum", "spectrum_series"), command=NAME, fits=_not_xrays)
    from insitu_tem.workflows.eels_checks import not_eds

    try:
        not_eds(dataset)
    except DataError as error:
        eels = other_signals(dataset, lambda s: s.kind.startswith("spectrum") and _not_xrays(s))
        raise InputError(dataset.source, f"{error}{eels}") from None
    energy = dataset.signal_axes[0]
    if energy.units != "eV":
        raise InputError(
            dataset.source, "has no energy axis in eV; calibrate it with --scale VALUE --units eV"
        )
    from insitu_tem.analysis.eels.edges_table import find_edge

    for edge in edges:
        find_edge(edge)
    if not -dataset.n_items <= args.reference < dataset.n_items:
        raise InputError(
            dataset.source, f"--reference {args.reference} is outside the {dataset.n_items} spectra"
        )
    require_memory(dataset, NAME)
    from insitu_tem.workflows import eels

    if not edges:
        value = eels.zero_loss(dataset)
        return {key: value[key] for key in ZLP_KEYS + PLASMON_KEYS}
    from insitu_tem.io.kinds import unusable_values

    unreadable = unusable_values(dataset.array)
    if unreadable:
        raise InputError(
            dataset.source,
            f"holds {unreadable} NaN or infinite values, which the edge's background fits and "
            "shifts cannot use; replace them (e.g. by 0) and export the spectra again",
        )
    from insitu_tem.core.session import Session

    session = Session(checksums=False)
    session.set_dataset("eels", dataset)
    documents = [_edge_document(args, session, edge, progress) for edge in edges]
    return documents[0] if len(documents) == 1 else documents


def _edge_document(args: argparse.Namespace, session, edge: str, progress: Progress) -> dict:
    """One edge's document (and its window map written with ``--out``)."""
    from insitu_tem.workflows import eels

    value = eels.run(
        session,
        edge=edge,
        reference=args.reference,
        window=args.window,
        background=args.background,
        model=args.model,
        deconvolve=False if args.no_deconvolve else None,
        progress=progress,
    ).value
    keys = ZLP_KEYS + THICKNESS_KEYS + PLASMON_KEYS + EDGE_KEYS + MLLS_KEYS
    shown = {key: value[key] for key in keys}
    if args.out is not None:
        from insitu_tem.workflows.eels_export import write_window_map

        try:
            write_window_map(Path(args.out), value, inputs=(args.file,), force=args.force)
        except OSError as error:
            raise InputError(
                args.out, f"cannot write the map ({error.strerror}); choose another --out"
            ) from error
    return {
        **shown,
        "maps": {value["edge"]: value["map_counts"]},
        "maps_sigma": {value["edge"]: value["map_counts_sigma"]},
        "maps_shape": value["nav_shape"],
        **{key: value[key] for key in MAP_KEYS},
    }
