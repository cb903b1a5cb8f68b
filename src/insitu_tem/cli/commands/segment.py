"""``insitu-tem segment VOLUME``: label a reconstructed volume and measure the core–shell wire in
it."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from insitu_tem.cli.commands.common import (
    InputError,
    Progress,
    add_force_argument,
    check_outputs,
    check_range,
    output_for,
)
from insitu_tem.core.model import DataError

NAME = "segment"
WORKING_COPIES = 6
"""Copies of the volume segmentation holds at once (float32 volume, smoothed, labels, ...)."""
HELP = (
    "segment a float32 TIFF volume (Otsu, multi-Otsu, watershed); shell thickness, voids, volumes "
    "per label"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from insitu_tem.analysis.tomo.segment import METHODS

    parser.add_argument(
        "file", metavar="VOLUME", help="(z, y, x) TIFF volume, e.g. from `insitu-tem tomo`"
    )
    parser.add_argument(
        "--method", choices=METHODS, default="multiotsu", help="segmentation method"
    )
    parser.add_argument(
        "--classes",
        type=int,
        default=3,
        metavar="N",
        help="classes (3: vacuum/voids, shell, core by increasing intensity)",
    )
    parser.add_argument(
        "--smooth", type=float, default=1.0, metavar="PX", help="Gaussian σ before thresholding, px"
    )
    parser.add_argument(
        "--composition",
        nargs="+",
        default=[],
        metavar="EL=VOLUME.tif",
        help="element volumes (same grid) for the composition of every label: fitted on the "
        "aligned projections `tomo` wrote beside them (NAME_projections.tif; the label "
        "interfaces placed on VOLUME's own) when there, else the mean over each label's voxels",
    )
    parser.add_argument(
        "--kfactors", default=None, metavar="Si=1.0,O=...", help="Cliff–Lorimer k-factors"
    )
    parser.add_argument(
        "--out", required=True, metavar="LABELS.tif", help="uint8 label volume to write"
    )
    add_force_argument(parser)


def read_volume(path: str) -> tuple[np.ndarray, float, str]:
    """A (z, y, x) TIFF volume and its voxel size (ImageJ ``spacing``; 1 px when absent)."""
    import tifffile

    from insitu_tem.io.outputs import remember_input
    from insitu_tem.io.readers.budget import check_in_memory
    from insitu_tem.io.readers.tiff_reader import check_imagej_frames

    file = Path(path)
    if file.is_dir():
        raise InputError(path, "is a folder; give the TIFF volume file itself")
    if not file.is_file():
        raise InputError(path, "no such file; check the path")
    remember_input(file)
    try:
        check_in_memory(file, copies=WORKING_COPIES)
        with tifffile.TiffFile(file) as tif:
            check_imagej_frames(tif, tif.series[0])
            volume = tif.asarray()
            meta = tif.imagej_metadata or {}
    except DataError as error:
        raise InputError(path, str(error)) from error
    except Exception as error:  # noqa: BLE001 - tifffile raises anything on corrupt files
        raise InputError(
            path, f"cannot be read as a TIFF volume ({type(error).__name__}); give a (z, y, x) TIFF"
        ) from error
    stored = volume.shape
    volume = np.squeeze(volume)
    if volume.ndim != 3 or min(volume.shape) < 4:
        raise InputError(
            path, f"holds shape {stored}; give a (z, y, x) volume at least 4 voxels on each side"
        )
    if not np.all(np.isfinite(volume)):
        raise InputError(path, "holds NaN or Inf voxels; replace them before segmenting")
    unit = str(meta.get("unit", "pixel"))
    voxel = float(meta.get("spacing", 1.0)) if unit in ("nm", "nanometer") else 1.0
    return volume.astype(np.float32), voxel, "nm" if unit in ("nm", "nanometer") else "px"


def read_projections(volume_path: str) -> tuple[np.ndarray, np.ndarray, float] | None:
    """The aligned projections ``tomo`` wrote beside a volume (``NAME_projections.tif``): the
    (n_tilts, y, x) stack, its tilts (degrees) and axis offset (px); None when absent."""
    import tifffile

    file = Path(volume_path)
    path = file.with_name(f"{file.stem}_projections.tif")
    if not path.is_file():
        return None
    try:
        with tifffile.TiffFile(path) as tif:
            stack = tif.asarray()
            meta = (tif.shaped_metadata or ({},))[0]
        tilts = np.asarray(meta["tilts_deg"], float)
        offset = float(meta["axis_offset_px"])
    except Exception as error:  # noqa: BLE001 - tifffile raises anything on corrupt files
        raise InputError(
            str(path), f"cannot be read as `tomo`'s aligned projections ({type(error).__name__})"
        ) from error
    return np.asarray(stack, np.float32), tilts, offset


def _element_volumes(args, shape: tuple[int, ...]) -> tuple[dict, dict]:
    """Every ``--composition ELEMENT=VOLUME.tif``, read and checked before any work (before, a
    malformed item, an element given twice or a missing file was found after the labels were
    written): each element once, each volume on VOLUME's grid. Returns the volumes and the
    aligned projections beside them (None where absent), by element."""
    volumes, projections = {}, {}
    for item in args.composition:
        element, _, path = item.partition("=")
        element = element.strip()
        if not element or not path:
            raise InputError(None, f"--composition {item!r}: give ELEMENT=VOLUME.tif")
        if element in volumes:
            raise InputError(None, f"--composition gives {element} twice; give each element once")
        volume = read_volume(path)[0]
        if volume.shape != shape:
            raise InputError(
                path,
                f"has shape {volume.shape}, the labels {shape}; use volumes of the same grid",
            )
        volumes[element], projections[element] = volume, read_projections(path)
    return volumes, projections


def _composition(
    labels: np.ndarray, reference, elements: tuple[dict, dict], kfactors: dict
) -> tuple[dict, dict, str]:
    from insitu_tem.analysis.tomo.composition import composition_from_projections
    from insitu_tem.analysis.tomo.label_sigma import composition_sigma_per_label
    from insitu_tem.analysis.tomo.measure import composition_per_label

    volumes, projections = elements
    if not volumes:
        return {}, {}, ""
    if all(p is not None for p in projections.values()):
        _, tilts, offset = next(iter(projections.values()))
        found = composition_from_projections(
            labels,
            {e: p[0] for e, p in projections.items()},
            tilts,
            reference=None if reference is None else reference[0],
            axis_offset_px=offset,
            kfactors=kfactors,
        )
        if found.ok:
            return found.weight_percent, found.weight_percent_sigma, "projections"
    return (
        composition_per_label(labels, volumes, kfactors),
        composition_sigma_per_label(labels, volumes, kfactors),
        "voxel average",
    )


def run(args: argparse.Namespace, progress: Progress) -> dict:
    from insitu_tem.analysis.tomo.measure import measure_wire
    from insitu_tem.analysis.tomo.segment import segment
    from insitu_tem.cli.commands.eds import parse_kfactors
    from insitu_tem.io.tomo_files import write_labels

    check_range("--smooth", args.smooth, low=0, high=100, example="1")
    kfactors = parse_kfactors(args.kfactors)
    check_outputs(args, "out")
    volume, voxel, units = read_volume(args.file)
    elements = _element_volumes(args, volume.shape)
    progress(0.2, "segmenting")
    seg = segment(volume, method=args.method, classes=args.classes, smooth_px=args.smooth)
    try:
        with output_for(args, "out") as temporary:
            write_labels(temporary, seg.labels)
    except OSError as error:
        raise InputError(
            args.out, f"cannot write the labels ({error.strerror}); choose another --out"
        ) from error
    progress(0.6, "measuring")
    reference = read_projections(args.file)
    usable = reference is not None and reference[0].shape[1:] == volume.shape[1:]
    wire = measure_wire(
        seg.labels,
        volume,
        core_label=args.classes - 1,
        shell_label=args.classes - 2,
        projections=reference[0] if usable else None,
        tilts_deg=reference[1] if usable else None,
    )
    progress(1.0, "done")
    counts = {str(k): v for k, v in wire.volumes.items()}
    counts_sigma = {str(k): v for k, v in wire.volumes_sigma.items()}
    material = {str(k): v for k, v in wire.material_volumes.items()}
    material_sigma = {str(k): v for k, v in wire.material_volumes_sigma.items()}
    composition, composition_sigma, how = _composition(seg.labels, reference, elements, kfactors)
    return {
        "file": Path(args.file).name,
        "labels": str(args.out),
        "method": seg.method,
        "thresholds": seg.thresholds,
        "label_names": {
            "0": "vacuum and voids",
            str(args.classes - 2): "shell",
            str(args.classes - 1): "core",
        },
        "voxel_size": voxel,
        "units": units,
        "volumes_voxels": counts,
        "volumes": {k: v * voxel**3 for k, v in counts.items()},
        "volumes_voxels_sigma": counts_sigma,
        "volumes_sigma": {k: v * voxel**3 for k, v in counts_sigma.items()},
        "material_volumes_voxels": material,
        "material_volumes": {k: v * voxel**3 for k, v in material.items()},
        "material_volumes_voxels_sigma": material_sigma,
        "material_volumes_sigma": {k: v * voxel**3 for k, v in material_sigma.items()},
        "material_volumes_reason": wire.material_volumes_reason or None,
        "shell_thickness": wire.thickness_median * voxel,
        "shell_thickness_sigma": wire.thickness_sigma * voxel,
        "shell_thickness_px": wire.thickness_median,
        "thickness_histogram": {
            "counts": wire.histogram_counts,
            "edges": wire.histogram_edges * voxel,
        },
        "thickness_map": wire.thickness_map * voxel,
        "radial_profile": {"radius": wire.radial_radius * voxel, "mean": wire.radial_profile},
        "void_fraction_shell": wire.void_fraction_shell,
        "void_fraction_shell_sigma": wire.void_fraction_shell_sigma,
        "void_fraction_shell_reason": wire.void_fraction_shell_reason or None,
        "void_fraction_core": wire.void_fraction_core,
        "void_fraction_core_sigma": wire.void_fraction_core_sigma,
        "composition_wt_percent": composition,
        "composition_wt_percent_sigma": composition_sigma,
        "composition_method": how,
        "ok": seg.ok and wire.ok,
        "reason": "; ".join(r for r in (seg.reason, wire.reason) if r),
    }
