"""The tomography results as the session keeps them (Qt-free, shared by the Tomography panel, the
figure view and tests): the alignment (``"tomo.alignment"``, enough to re-apply it without
aligning again) and the segmentation measurements (``"tomo.segmentation"``: shell thickness,
void fractions, volumes, thickness map, histogram, radial profile, composition and the table as
shown; lengths in voxels). The composition of each label is fitted on the element projections
(:mod:`insitu_tem.analysis.tomo.composition`) when they are at hand, else averaged over the
reconstructed element volumes (``composition_method`` says which)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from insitu_tem.analysis.tomo.alignment_result import Alignment
from insitu_tem.analysis.tomo.composition import composition_from_projections
from insitu_tem.analysis.tomo.label_sigma import composition_sigma_per_label
from insitu_tem.analysis.tomo.measure import WireMeasurement, composition_per_label, measure_wire
from insitu_tem.analysis.tomo.segment import Segmentation, classify_scribbles, segment
from insitu_tem.core.results import Result
from insitu_tem.workflows.tomo_reconstruct import prepared_channel

ALIGNMENT, SEGMENTATION = "tomo.alignment", "tomo.segmentation"


@dataclass(frozen=True)
class Measured:
    segmentation: Segmentation
    wire: WireMeasurement
    composition: dict
    composition_sigma: dict = field(default_factory=dict)
    composition_method: str = ""


@dataclass(frozen=True)
class ElementProjections:
    """Aligned element series on the volumes' grid (:func:`element_projections`).

    Attributes
    ----------
    stacks : dict
        Channel → (n_tilts, y, x) projections the element volume was reconstructed from.
    reference : ndarray or None
        The same of the channel segmented (the label interfaces are placed on it).
    tilts_deg : ndarray
        Tilts of those projections, degrees (the left-out ones not among them).
    axis_offset_px : float
        Tilt-axis column minus the centre column, px of the volumes' grid.
    """

    stacks: dict
    reference: np.ndarray | None
    tilts_deg: np.ndarray
    axis_offset_px: float


def element_projections(
    series, alignment: Alignment | None, channels, *, reference: str, binning: int = 1
) -> ElementProjections:
    """The ``channels`` and the ``reference`` channel of ``series`` aligned, without the left-out
    projections and binned as :func:`~insitu_tem.workflows.tomo_reconstruct.reconstruct_channel`
    does before reconstructing them."""
    stacks, tilts, offset = {}, np.asarray(series.tilts_deg, float), 0.0
    for name in (reference, *channels):
        stacks[name], tilts, offset = prepared_channel(
            series.channels[name],
            series.tilts_deg,
            alignment,
            reference_shape=series.reference.shape[1:],
            binning=binning,
        )
    segmented = stacks.pop(reference) if reference not in channels else stacks[reference]
    return ElementProjections(stacks, segmented, tilts, offset)


def measure(
    volume: np.ndarray,
    elements: dict,
    *,
    scribbles: np.ndarray | None = None,
    projections: ElementProjections | None = None,
) -> Measured:
    """Multi-Otsu in three classes (or a random forest on scribbles: 1 vacuum/void, 2 shell,
    3 core), the wire measurements (the wire's region of the material volumes on the
    ``projections``' reference when given), and the composition of each label: fitted on
    ``projections`` of the ``elements`` when given, else from the ``elements`` volumes."""
    if scribbles is None:
        segmentation = segment(volume, method="multiotsu", classes=3)
    else:
        forest = classify_scribbles(volume, scribbles)
        labels = np.clip(forest.labels.astype(np.int16) - 1, 0, None).astype(np.uint8)
        segmentation = Segmentation(labels, (), "random forest", forest.ok, forest.reason)
    reference = None if projections is None else projections.reference
    usable = reference is not None and reference.shape[1:] == volume.shape[1:]
    wire = measure_wire(
        segmentation.labels,
        volume,
        projections=reference if usable else None,
        tilts_deg=projections.tilts_deg if usable else None,
    )
    return Measured(
        segmentation, wire, *_composition(segmentation.labels, volume.shape, elements, projections)
    )


def _composition(labels, shape, elements: dict, projections) -> tuple[dict, dict, str]:
    same = {_element(k): v for k, v in elements.items() if v.shape == shape}
    if projections is not None:
        stacks = {
            _element(k): v
            for k, v in projections.stacks.items()
            if k in elements and v.shape[1:] == shape[1:]
        }
        if stacks:
            found = composition_from_projections(
                labels,
                stacks,
                projections.tilts_deg,
                reference=projections.reference,
                axis_offset_px=projections.axis_offset_px,
            )
            if found.ok:
                return found.weight_percent, found.weight_percent_sigma, "projections"
    if not same:
        return {}, {}, ""
    return (
        composition_per_label(labels, same),
        composition_sigma_per_label(labels, same),
        "voxel average",
    )


def _element(channel: str) -> str:
    """The element of a line-map channel ("O_Ka" → "O"; other names as they are), as the
    ``segment`` command names it."""
    found = _LINE.fullmatch(channel)
    return found.group(1) if found else channel


_LINE = re.compile(r"([A-Z][a-z]?)_[KLM][a-z0-9]*")


def _thickness_text(wire: WireMeasurement, voxel_size: float, units: str) -> str:
    if not wire.ok:
        return "not measured (see the last row)"
    median, sigma = wire.thickness_median * voxel_size, wire.thickness_sigma * voxel_size
    return f"{median:.3g} ± {sigma:.2g} {units}"


def _void_text(fraction: float, sigma: float, why: str = "") -> str:
    value, sigma = 100 * fraction, 100 * sigma
    if not np.isfinite(value):
        return "not measured" + why
    return f"{value:.2f} ± {sigma:.2f} %" if np.isfinite(sigma) else f"{value:.2f} %"


def _pm(value: float, sigma: float, prefix: str, unit: str) -> str:
    if np.isfinite(sigma):
        return f"{prefix}{value:.1f} ± {sigma:.1f}{unit}"
    return f"{prefix}{value:.1f}{unit}"


def _volume_text(
    volumes: dict, sigmas: dict, label, voxel_size: float, units: str, why: str = ""
) -> str:
    value, sigma = volumes[label], sigmas.get(label, np.nan)
    if not np.isfinite(value):
        return "not measured" + (f" ({why})" if why else "")
    if np.isfinite(sigma):
        return f"{value * voxel_size**3:.4g} ± {sigma * voxel_size**3:.2g} {units}³"
    return f"{value * voxel_size**3:.4g} {units}³"


_HOW = {
    "projections": "the element projections, labels fixed, interfaces placed on the HAADF",
    "voxel average": "the element volumes' voxel average (series not open)",
}


_CORE_VOIDS_WHY = " (the wire's axis drifts by a voxel or more along it, or no core plateau)"


def measurement_rows(measured: Measured, voxel_size: float, units: str) -> list[tuple[str, str]]:
    """The measurements table: (name, value) rows, lengths and volumes calibrated."""
    wire, seg = measured.wire, measured.segmentation
    rows = [
        ("segmentation", seg.method + ("" if seg.ok else f" — {seg.reason}")),
        ("shell thickness (median ± 1σ spread)", _thickness_text(wire, voxel_size, units)),
        (
            "void fraction of shell",
            _void_text(
                wire.void_fraction_shell,
                wire.void_fraction_shell_sigma,
                f" ({wire.void_fraction_shell_reason})" if wire.void_fraction_shell_reason else "",
            ),
        ),
        (
            "void fraction of core",
            _void_text(wire.void_fraction_core, wire.void_fraction_core_sigma, _CORE_VOIDS_WHY),
        ),
    ]
    if seg.thresholds:
        rows.append(("thresholds", ", ".join(f"{t:.3g}" for t in seg.thresholds)))
    names = {0: "vacuum/void", 1: "shell", 2: "core"}
    for label in wire.volumes:
        text = _volume_text(wire.volumes, wire.volumes_sigma, label, voxel_size, units)
        rows.append((f"volume, {names.get(label, label)}", text))
    for label in wire.material_volumes:
        text = _volume_text(
            wire.material_volumes,
            wire.material_volumes_sigma,
            label,
            voxel_size,
            units,
            wire.material_volumes_reason,
        )
        rows.append((f"volume of the {names.get(label, label)} material", text))
    counts, edges = wire.histogram_counts, wire.histogram_edges
    if counts.size and counts.sum():
        mode = int(np.argmax(counts))
        rows.append(
            (
                "thickness histogram (mode bin)",
                f"{edges[mode] * voxel_size:.3g}–{edges[mode + 1] * voxel_size:.3g} {units}",
            )
        )
    if measured.composition_method:
        rows.append(("wt % from", _HOW[measured.composition_method]))
    for label, wt in measured.composition.items():
        sigma = measured.composition_sigma.get(label, {})
        text = ", ".join(_pm(w, sigma.get(e, np.nan), f"{e} ", "") for e, w in wt.items())
        rows.append((f"wt %, {names.get(label, label)}", text))
    if not wire.ok:
        rows.append(("not measured", wire.reason))
    return rows


def alignment_result(
    source: str, alignment, *, axis_choice: float | None = 0.0, offset_choice: float | None = None
) -> Result:
    """The alignment as a session result (enough to re-apply it without aligning again);
    ``axis_choice`` and ``offset_choice`` are the tilt-axis direction (degrees) and offset (px)
    asked for (None: measured)."""
    return Result(
        value={
            "source": source,
            "tilts_deg": alignment.tilts_deg,
            "shifts_px": alignment.shifts_px,
            "shifts_sigma_px": alignment.shifts_sigma_px,
            "tilt_axis_angle_deg": alignment.axis_angle_deg,
            "tilt_axis_angle_sigma_deg": alignment.axis_angle_sigma_deg,
            "tilt_axis_method": alignment.axis_method,
            "tilt_axis_offset_px": alignment.axis_offset_px,
            "tilt_axis_offset_sigma_px": alignment.axis_offset_sigma_px,
            "residual_px": alignment.residual_px,
            "peaks": alignment.peaks,
            "method": alignment.method,
            "ok": alignment.ok,
            "reason": alignment.reason,
            "unlike_projections": list(alignment.unlike_projections),
            "left_out_projections": list(alignment.left_out_projections),
            "stopped_projections": list(alignment.stopped_projections),
            "unconstrained_projections": list(alignment.unconstrained_projections),
            "unshifted_projections": list(alignment.unshifted_projections),
            "tilt_axis_reason": alignment.axis_reason,
        },
        parameters={
            "method": alignment.method,
            "tilt_axis_angle": axis_choice,
            "tilt_axis_offset": offset_choice,
        },
    )


def alignment_from_result(stored: Result) -> Alignment:
    """The :class:`Alignment` stored by :func:`alignment_result` (a reopened project)."""
    v = stored.value
    return Alignment(
        np.asarray(v["tilts_deg"], float),
        np.asarray(v["shifts_px"], float),
        v["tilt_axis_angle_deg"],
        v["tilt_axis_angle_sigma_deg"],
        v["tilt_axis_offset_px"],
        v["tilt_axis_offset_sigma_px"],
        v["residual_px"],
        np.asarray(v["peaks"], float),
        v["method"],
        v["ok"],
        v["reason"],
        v.get("tilt_axis_method", "given"),
        None if v.get("shifts_sigma_px") is None else np.asarray(v["shifts_sigma_px"], float),
        _indices(v, "unlike_projections"),
        **{name: _indices(v, name) for name in _INDEX_FIELDS},
        axis_reason=v.get("tilt_axis_reason", ""),
    )


_INDEX_FIELDS = (
    "left_out_projections",
    "stopped_projections",
    "unconstrained_projections",
    "unshifted_projections",
)


def _indices(stored: dict, name: str) -> tuple[int, ...]:
    """The 0-based projection indices stored under ``name`` (``()`` in projects saved before)."""
    return tuple(int(i) for i in stored.get(name, ()))


def segmentation_result(measured, rows) -> Result:
    """The measurements as a session result: what the table, the plots and the figure show
    (lengths in voxels; the thickness map is (y, angle))."""
    wire = measured.wire
    return Result(
        value={
            "method": measured.segmentation.method,
            "shell_thickness_px": wire.thickness_median,
            "shell_thickness_sigma_px": wire.thickness_sigma,
            "shell_thickness_ok": wire.ok,
            "void_fraction_shell": wire.void_fraction_shell,
            "void_fraction_shell_sigma": wire.void_fraction_shell_sigma,
            "void_fraction_shell_reason": wire.void_fraction_shell_reason or None,
            "void_fraction_core": wire.void_fraction_core,
            "void_fraction_core_sigma": wire.void_fraction_core_sigma,
            "volumes_voxels": {str(k): v for k, v in wire.volumes.items()},
            "volumes_voxels_sigma": {str(k): v for k, v in wire.volumes_sigma.items()},
            "material_volumes_voxels": {str(k): v for k, v in wire.material_volumes.items()},
            "material_volumes_voxels_sigma": {
                str(k): v for k, v in wire.material_volumes_sigma.items()
            },
            "material_volumes_reason": wire.material_volumes_reason or None,
            "thickness_histogram": {
                "counts": wire.histogram_counts,
                "edges_px": wire.histogram_edges,
            },
            "thickness_map_px": wire.thickness_map,
            "radial_profile": {"radius_px": wire.radial_radius, "mean": wire.radial_profile},
            "composition_wt_percent": {str(k): v for k, v in measured.composition.items()},
            "composition_wt_percent_sigma": {
                str(k): v for k, v in measured.composition_sigma.items()
            },
            "composition_method": measured.composition_method,
            "table": [list(r) for r in rows],
        },
        parameters={"method": measured.segmentation.method},
    )
