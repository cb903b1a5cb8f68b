"""``insitu-tem tomo SERIES``: align a tilt series, reconstruct it and every ``--also`` channel
as float32 TIFF volumes."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from insitu_tem.cli.commands.common import (
    InputError,
    Progress,
    add_force_argument,
    check_range,
    warn,
)
from insitu_tem.io.outputs import OWN_METADATA, output_file
from insitu_tem.io.tomo_files import write_volume

NAME = "tomo"
HELP = (
    "tilt-series tomography: align (auto), reconstruct (MLEM-20) HAADF and EDS/other channels to "
    "TIFF volumes"
)
_ALIGNMENT_KEYS = (
    "tilts_deg",
    "shifts_px",
    "shifts_sigma_px",
    "tilt_axis_angle_deg",
    "tilt_axis_angle_sigma_deg",
    "tilt_axis_offset_px",
    "tilt_axis_offset_sigma_px",
    "tilt_axis_method",
    "ok",
    "reason",
    "left_out_projections",
)


def _angle(text: str) -> float | None:
    if text == "auto":
        return None
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not 'auto' or an angle in degrees") from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of pixels >= 1")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from insitu_tem.analysis.tomo.alignment import METHODS as ALIGN
    from insitu_tem.analysis.tomo.reconstruct import METHODS

    parser.add_argument(
        "file",
        metavar="SERIES",
        help=(
            "tilt series: .mrc/.ali (+ .rawtlt), .hspy with a tilt axis, .mdoc, or a folder of "
            "per-tilt files named by angle"
        ),
    )
    parser.add_argument(
        "--also",
        nargs="+",
        default=[],
        metavar="SERIES2",
        help="other channels of the same tilts (e.g. EDS maps), aligned with SERIES' alignment",
    )
    parser.add_argument(
        "--elements",
        default=None,
        metavar="Si,O,...",
        help="per-tilt spectrum images: also reconstruct these elements' line maps",
    )
    parser.add_argument(
        "--tilts",
        default=None,
        metavar="FILE|START:STOP:STEP",
        help="override the tilt angles, degrees",
    )
    parser.add_argument(
        "--tilt-axis-angle",
        type=_angle,
        default=None,
        metavar="DEG|auto",
        help="tilt-axis direction from the image rows towards the columns, degrees (default "
        "auto: measured from the motion between tilts, as the Tomography panel's Auto; when it "
        "cannot be measured a warning says so and 0, the axis along the rows, is used)",
    )
    parser.add_argument(
        "--tilt-axis-offset",
        type=float,
        default=None,
        metavar="PX",
        help="tilt-axis column minus the centre column, px (default: auto)",
    )
    parser.add_argument("--align", choices=ALIGN, default="auto", help="alignment method")
    parser.add_argument(
        "--method", choices=METHODS, default="mlem", help="reconstruction algorithm"
    )
    parser.add_argument(
        "--iterations", type=int, default=None, metavar="N", help="iterations (MLEM 20, SIRT 30)"
    )
    parser.add_argument(
        "--binning",
        type=_positive,
        default=1,
        metavar="N",
        help="average N × N pixels before reconstructing (voxel = N px; N³ fewer voxels), as the "
        "Tomography panel's bin N",
    )
    parser.add_argument(
        "--smooth",
        type=float,
        default=1.0,
        metavar="PX",
        help="3-D Gaussian post-filter σ, px (0: none)",
    )
    parser.add_argument(
        "--out", required=True, metavar="DIR", help="folder for the volumes and alignment.json"
    )
    add_force_argument(parser)


def _load(path: str, tilts, elements: tuple[str, ...], progress: Progress, fallback=None):
    from insitu_tem.io.readers.tilt_series import SPECTRUM_MARGIN_EV, load_tilt_series
    from insitu_tem.workflows.tomo_reconstruct import WORKING_COPIES

    maps, limit = None, None
    if elements:
        from insitu_tem.analysis.eds.lines import xray_line
        from insitu_tem.analysis.eds.maps import line_maps
        from insitu_tem.cli.commands.eds import line_names

        lines = tuple(xray_line(n) for n in line_names(elements, None))
        limit = max(line.background_windows[1][1] for line in lines) + SPECTRUM_MARGIN_EV

        def maps(cube, energies):
            return {line.name: m for line, m in zip(lines, line_maps(cube, energies, lines).maps)}

    return load_tilt_series(
        path,
        tilts=tilts,
        spectrum_maps=maps,
        spectrum_limit_ev=limit,
        progress=progress,
        copies=WORKING_COPIES,
        fallback_tilts=fallback,
    )


def _also(path: str, tilts, series):
    """The series of ``--also`` file ``path``: its own tilt angles, else ``tilts`` (the ones
    given) or SERIES' (in file order); refused naming ``path`` unless its tilts are SERIES'."""
    from insitu_tem.core.model import DataError
    from insitu_tem.io.readers.tilt_checks import same_tilts

    try:
        extra = _load(path, tilts, (), lambda f, m: None, fallback=series.file_tilts_deg)
        same_tilts(extra.tilts_deg, series.tilts_deg, Path(path).name)
    except DataError as error:
        raise InputError(path, str(error)) from error
    return extra


def write_projections(volume_path: Path, aligned, tilts_deg, offset: float, args) -> Path:
    """The aligned, binned projections a volume was reconstructed from (``tilts_deg`` their
    tilts, ``offset`` their tilt-axis offset, binned px), beside it as ``NAME_projections.tif``
    (float32 (n_tilts, y, x), the tilts, the axis offset and insitu-tem's mark in its JSON
    description), for ``segment``'s composition fitted on the projections."""
    import tifffile

    path = volume_path.with_name(f"{volume_path.stem}_projections.tif")
    metadata = {"tilts_deg": [float(t) for t in tilts_deg], "axis_offset_px": offset}
    metadata |= OWN_METADATA
    with output_file(path, inputs=(args.file, *args.also), force=args.force) as temporary:
        tifffile.imwrite(temporary, aligned.astype(np.float32), metadata=metadata)
    return path


def _prepare_out(text: str) -> Path:
    out = Path(text)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(
            text, f"cannot create the output folder ({error.strerror}); choose another --out"
        ) from error
    return out


def _volume_paths(out: Path, channels: list, args: argparse.Namespace) -> list[Path]:
    """The volume file of each channel, each checked writable before the alignment (a clash
    found after it printed the alignment's warning and then the error: two lines)."""
    from insitu_tem.io.outputs import check_output

    paths = [
        out
        / (f"{Path(source).stem}_{name}.tif" if len(channels) > 1 else f"{Path(source).stem}.tif")
        for source, name, _ in channels
    ]
    if len(set(paths)) < len(paths):
        raise InputError(
            args.file,
            "two channels would write the same volume (an --also series that is SERIES itself, "
            "or given twice); give each channel once",
        )
    for path in paths:
        check_output(path, inputs=(args.file, *args.also), force=args.force)
    return paths


def check_options(args: argparse.Namespace) -> None:
    """Refuse, before the series is read and aligned, a tilt axis, smoothing or iteration count
    that is not a finite value in its range (an infinite --smooth was an internal error after
    the alignment, an infinite axis angle numpy's 'cannot convert float NaN to integer')."""
    check_range("--tilt-axis-angle", args.tilt_axis_angle, low=-360, high=360, example="0")
    check_range("--tilt-axis-offset", args.tilt_axis_offset, low=-1e5, high=1e5, example="2.5")
    check_range("--smooth", args.smooth, low=0, high=100, example="1")
    check_range("--iterations", args.iterations, low=1, high=1000, example="20")


def run(args: argparse.Namespace, progress: Progress) -> dict:
    from insitu_tem.analysis.tomo.alignment import align_tilt_series
    from insitu_tem.analysis.tomo.odd_projections import left_out_reason
    from insitu_tem.analysis.tomo.reconstruct import reconstruct
    from insitu_tem.workflows.tomo_reconstruct import prepared_channel
    from insitu_tem.cli.commands.eds import parse_elements
    from insitu_tem.io.outputs import check_output_folder
    from insitu_tem.io.readers.tilt_angles import parse_tilts

    check_options(args)
    check_output_folder(args.out)
    tilts = parse_tilts(args.tilts) if args.tilts else None
    series = _load(
        args.file, tilts, parse_elements(args.elements), lambda f, m: progress(0.1 * f, m)
    )
    channels = [(Path(args.file).name, name, stack) for name, stack in series.channels.items()]
    for other in args.also:
        extra = _also(other, tilts, series)
        channels += [(Path(other).name, name, stack) for name, stack in extra.channels.items()]
    out = _prepare_out(args.out)
    paths = _volume_paths(out, channels, args)
    reference = series.reference
    alignment = align_tilt_series(
        reference,
        series.tilts_deg,
        method=args.align,
        axis_angle_deg=args.tilt_axis_angle,
        axis_offset_px=args.tilt_axis_offset,
        progress=lambda f, m: progress(0.1 + 0.3 * f, m),
    )
    if not alignment.ok:
        warn(args.file, alignment.reason)
    if alignment.left_out_projections:
        warn(args.file, left_out_reason(alignment.left_out_projections))
    volumes, errors = [], []
    for k, (source, name, stack) in enumerate(channels):
        aligned, kept_tilts, offset = prepared_channel(
            stack,
            series.tilts_deg,
            alignment,
            reference_shape=reference.shape[1:],
            binning=args.binning,
        )
        result = reconstruct(
            aligned,
            kept_tilts,
            method=args.method,
            iterations=args.iterations,
            axis_offset_px=offset,
            smooth_px=args.smooth,
            progress=lambda f, m, k=k: progress(
                0.4 + 0.6 * (k + f) / len(channels), f"{name}: {m}"
            ),
        )
        path = paths[k]
        voxel = series.pixel_size * reference.shape[2] / stack.shape[2] * args.binning
        with output_file(path, inputs=(args.file, *args.also), force=args.force) as temporary:
            write_volume(temporary, result.volume, voxel, series.units)
        projections = write_projections(path, aligned, kept_tilts, offset, args)
        errors.append(result.reprojection_error)
        volumes.append(
            {
                "source": source,
                "channel": name,
                "path": str(path),
                "shape": list(result.volume.shape),
                "voxel_size": voxel,
                "units": series.units,
                "reprojection_error": result.reprojection_error,
                "projections": str(projections),
            }
        )
    document = {
        "tilts_deg": series.tilts_deg,
        "shifts_px": alignment.shifts_px,
        "shifts_sigma_px": alignment.shifts_sigma_px,
        "tilt_axis_angle_deg": alignment.axis_angle_deg,
        "tilt_axis_angle_sigma_deg": alignment.axis_angle_sigma_deg,
        "tilt_axis_offset_px": alignment.axis_offset_px,
        "tilt_axis_offset_sigma_px": alignment.axis_offset_sigma_px,
        "alignment": alignment.method,
        "tilt_axis_method": alignment.axis_method,
        "method": args.method,
        "reprojection_error": errors[0],
        "volumes": volumes,
        "ok": alignment.ok,
        "reason": alignment.reason,
        "left_out_projections": list(alignment.left_out_projections),
    }
    from insitu_tem.cli.commands.common import to_jsonable

    with output_file(out / "alignment.json", inputs=(args.file, *args.also)) as temporary:
        temporary.write_text(
            json.dumps(to_jsonable({k: document[k] for k in _ALIGNMENT_KEYS}), indent=1)
        )
    return document
