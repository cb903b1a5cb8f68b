"""Undo and project storage for the Tomography panel: alignment and segmentation are session
results ("tomo.alignment", "tomo.segmentation"), set through undoable commands."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QUndoCommand

from insitu_tem.analysis.tomo.alignment import Alignment
from insitu_tem.core.results import Result

ALIGNMENT, SEGMENTATION = "tomo.alignment", "tomo.segmentation"


class ShowResultCommand(QUndoCommand):
    """Show ``after`` (via ``apply(value)``) and store its session result; undo shows ``before``."""

    def __init__(self, text: str, apply, session, name: str, before, after) -> None:
        super().__init__(text)
        self.apply, self.session, self.name = apply, session, name
        self.before, self.after = before, after

    def _show(self, state) -> None:
        value, result = state if state is not None else (None, None)
        if result is None:
            self.session.clear_result(self.name)
        else:
            self.session.store_result(self.name, result)
        self.apply(value)

    def redo(self) -> None:
        self._show(self.after)

    def undo(self) -> None:
        self._show(self.before)


def alignment_result(source: str, alignment) -> Result:
    """The alignment as a session result (enough to re-apply it without aligning again)."""
    return Result(
        value={
            "source": source,
            "tilts_deg": alignment.tilts_deg,
            "shifts_px": alignment.shifts_px,
            "tilt_axis_angle_deg": alignment.axis_angle_deg,
            "tilt_axis_angle_sigma_deg": alignment.axis_angle_sigma_deg,
            "tilt_axis_offset_px": alignment.axis_offset_px,
            "tilt_axis_offset_sigma_px": alignment.axis_offset_sigma_px,
            "residual_px": alignment.residual_px,
            "peaks": alignment.peaks,
            "method": alignment.method,
            "ok": alignment.ok,
            "reason": alignment.reason,
        },
        parameters={"method": alignment.method},
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
    )


def segmentation_result(measured, rows) -> Result:
    wire = measured.wire
    return Result(
        value={
            "method": measured.segmentation.method,
            "shell_thickness_px": wire.thickness_median,
            "shell_thickness_sigma_px": wire.thickness_sigma,
            "void_fraction_shell": wire.void_fraction_shell,
            "void_fraction_core": wire.void_fraction_core,
            "volumes_voxels": {str(k): v for k, v in wire.volumes.items()},
            "thickness_histogram": {
                "counts": wire.histogram_counts,
                "edges_px": wire.histogram_edges,
            },
            "radial_profile": {"radius_px": wire.radial_radius, "mean": wire.radial_profile},
            "composition_wt_percent": {str(k): v for k, v in measured.composition.items()},
            "table": [list(r) for r in rows],
        },
        parameters={"method": measured.segmentation.method},
    )
