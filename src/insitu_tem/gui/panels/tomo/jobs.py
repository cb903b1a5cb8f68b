"""Work the Tomography panel runs on the task runner (Qt-free): every channel reconstructed with
the reference channel's alignment, and segmentation with the wire measurements."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from insitu_tem.analysis.tomo.alignment import Alignment, apply_alignment
from insitu_tem.analysis.tomo.measure import (
    WireMeasurement,
    composition_per_label,
    measure_wire,
)
from insitu_tem.analysis.tomo.reconstruct import reconstruct
from insitu_tem.analysis.tomo.segment import Segmentation, classify_scribbles, segment
from insitu_tem.io.readers.tilt_series import TiltSeries, load_tilt_series


@dataclass(frozen=True)
class Volumes:
    """Reconstructed channels: ``{channel: (z, y, x)}``, the first the reference; ``ok`` False when
    cancelled (``reason``)."""

    volumes: dict
    method: str
    iterations: int
    reprojection_errors: dict
    ok: bool = True
    reason: str = ""


@dataclass(frozen=True)
class Measured:
    segmentation: Segmentation
    wire: WireMeasurement
    composition: dict


def load_series(path, elements: tuple[str, ...] = (), *, progress=None) -> TiltSeries:
    """Read a tilt series; with ``elements``, per-tilt spectrum images also give one
    background-subtracted line map per element (the main line at 200 kV)."""
    maps = None
    if elements:
        from insitu_tem.analysis.eds.lines import main_line, xray_line
        from insitu_tem.analysis.eds.maps import line_maps

        lines = tuple(xray_line(main_line(e, beam_energy_kv=200.0)) for e in elements)

        def maps(cube, energies):
            return {line.name: m for line, m in zip(lines, line_maps(cube, energies, lines).maps)}

    return load_tilt_series(path, spectrum_maps=maps, progress=progress)


def with_channels(series: TiltSeries, other: TiltSeries) -> TiltSeries:
    """``series`` with ``other``'s channels added (same tilts required; names made unique)."""
    if not np.allclose(series.tilts_deg, other.tilts_deg):
        raise ValueError(
            f"{other.source} has tilts {other.tilts_deg.tolist()}, not the series' "
            f"{series.tilts_deg.tolist()}: add a channel of the same tilt series"
        )
    channels = dict(series.channels)
    for name, stack in other.channels.items():
        channels[name if name not in channels else f"{name} ({len(channels)})"] = stack
    return replace(series, channels=channels)


def reconstruct_channels(
    series: TiltSeries,
    alignment: Alignment | None,
    *,
    method: str,
    iterations: int,
    channels: tuple[str, ...],
    control,
) -> Volumes:
    """Reconstruct ``channels`` (the reference's alignment applied to each), progress split evenly."""
    volumes, errors = {}, {}
    reference_shape = series.reference.shape[1:]
    offset = alignment.axis_offset_px if alignment is not None else 0.0
    for k, name in enumerate(channels):
        stack = series.channels[name]
        if alignment is not None:
            stack = apply_alignment(stack, alignment, reference_shape=reference_shape)
        scale = stack.shape[2] / reference_shape[1]

        def report(fraction, message, k=k):
            control.progress((k + fraction) / len(channels), f"{name}: {message}")

        result = reconstruct(
            stack,
            series.tilts_deg,
            method=method,
            iterations=iterations,
            axis_offset_px=offset * scale,
            should_stop=control.should_stop,
            progress=report,
        )
        if not result.ok:
            return Volumes(volumes, method, iterations, errors, False, result.reason)
        volumes[name], errors[name] = result.volume, result.reprojection_error
    return Volumes(volumes, method, iterations, errors)


def measure(volume: np.ndarray, elements: dict, *, scribbles: np.ndarray | None = None) -> Measured:
    """Multi-Otsu in three classes (or a random forest on scribbles: 1 vacuum/void, 2 shell,
    3 core), the wire measurements, and the composition of each label from ``elements`` volumes."""
    if scribbles is None:
        segmentation = segment(volume, method="multiotsu", classes=3)
    else:
        forest = classify_scribbles(volume, scribbles)
        labels = np.clip(forest.labels.astype(np.int16) - 1, 0, None).astype(np.uint8)
        segmentation = Segmentation(labels, (), "random forest", forest.ok, forest.reason)
    wire = measure_wire(segmentation.labels, volume)
    same = {k: v for k, v in elements.items() if v.shape == volume.shape}
    composition = composition_per_label(segmentation.labels, same) if same else {}
    return Measured(segmentation, wire, composition)


def measurement_rows(measured: Measured, voxel_size: float, units: str) -> list[tuple[str, str]]:
    """The measurements table: (name, value) rows, lengths and volumes calibrated."""
    wire, seg = measured.wire, measured.segmentation
    rows = [
        ("segmentation", seg.method + ("" if seg.ok else f" — {seg.reason}")),
        (
            "shell thickness (median)",
            f"{wire.thickness_median * voxel_size:.3g} ± {wire.thickness_sigma * voxel_size:.2g} "
            f"{units}",
        ),
        ("void fraction of shell", f"{100 * wire.void_fraction_shell:.2f} %"),
        ("void fraction of core", f"{100 * wire.void_fraction_core:.2f} %"),
    ]
    if seg.thresholds:
        rows.append(("thresholds", ", ".join(f"{t:.3g}" for t in seg.thresholds)))
    names = {0: "vacuum/void", 1: "shell", 2: "core"}
    for label, count in wire.volumes.items():
        rows.append((f"volume, {names.get(label, label)}", f"{count * voxel_size**3:.4g} {units}³"))
    counts, edges = wire.histogram_counts, wire.histogram_edges
    if counts.size and counts.sum():
        mode = int(np.argmax(counts))
        rows.append(
            (
                "thickness histogram (mode bin)",
                f"{edges[mode] * voxel_size:.3g}–{edges[mode + 1] * voxel_size:.3g} {units}",
            )
        )
    for label, wt in measured.composition.items():
        text = ", ".join(f"{e} {w:.1f}" for e, w in wt.items())
        rows.append((f"wt %, {names.get(label, label)}", text))
    if not wire.ok:
        rows.append(("not measured", wire.reason))
    return rows
