"""What the Tomography panel does, without its widgets: the tilt series, alignment, volumes, labels
and measurements, the work on the task runner, undo, and the project.

In the session: parameters ``"tomo"`` (series source, EDS elements, added channels, the tilt-axis
direction and offset asked for — ``"tilt_axis_angle"``, degrees, and ``"tilt_axis_offset"``, px;
None or absent: measured —, method, iterations, binning), results ``"tomo.alignment"`` and
``"tomo.segmentation"`` (the measurements, thickness map, histogram and radial profile), view
keys ``"tomo.cursor"``/``"tomo.channel"``/``"tomo.rendering_angle"``/``"tomo.rendering_mode"``,
and the panel state ``"tomo"`` holding the reference to the volumes and labels written beside the
project on saving (:mod:`insitu_tem.io.tomo_files`, :mod:`.project_files`). Opening a project
re-reads the series, re-applies the stored alignment and reads the volumes back.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from insitu_tem.analysis.tomo.alignment import align_tilt_series
from insitu_tem.analysis.tomo.alignment_result import Alignment, apply_alignment
from insitu_tem.gui.panels.tomo import history, jobs
from insitu_tem.gui.panels.tomo.axis_control import (
    axis_text,
    left_out_text,
    reason_text,
    shifts_sigma_text,
)
from insitu_tem.gui.panels.tomo.current_job import CurrentJob
from insitu_tem.gui.panels.tomo.project_files import PARAMETERS, ProjectFiles
from insitu_tem.gui.undo import SetValueCommand
from insitu_tem.io.readers.tilt_series import TiltSeries
from insitu_tem.workflows import tomo_results as results


class TomoController(ProjectFiles, QObject):
    """Tilt series → alignment → volumes → labels and measurements (module docstring).

    Signals
    -------
    seriesLoaded, aligned, reconstructed, measured, restored : the step finished
    axisChoiceChanged : the tilt-axis direction or offset asked for changed (also by undo)
    alignmentChanged, volumesChanged, measurementChanged : shown state changed (also by undo)
    message(str) : one line for the user

    The long job running (progress, busy, cancel) is :attr:`job`; saving and reopening the
    volumes with the project: :class:`~.project_files.ProjectFiles`.
    """

    seriesLoaded = Signal()
    aligned = Signal()
    reconstructed = Signal()
    measured = Signal()
    restored = Signal()
    axisChoiceChanged = Signal()
    alignmentChanged = Signal()
    volumesChanged = Signal()
    measurementChanged = Signal()
    message = Signal(str)

    def __init__(self, state, tasks, undo_stack, parent=None) -> None:
        super().__init__(parent)
        self.state, self.tasks, self.undo_stack = state, tasks, undo_stack
        self.job = CurrentJob(tasks, parent=self)
        self._reset()
        state.session_replaced.connect(self._on_session_replaced)

    def _on_session_replaced(self) -> None:
        self._reset()
        self.axisChoiceChanged.emit()
        self.alignmentChanged.emit()
        self.volumesChanged.emit()
        self.measurementChanged.emit()

    def _reset(self) -> None:
        self.series: TiltSeries | None = None
        self.alignment: Alignment | None = None
        self.aligned_stack: np.ndarray | None = None
        self.volumes: dict[str, np.ndarray] = {}
        self.labels: np.ndarray | None = None
        self.voxel: tuple[float, str] = (1.0, "px")
        self._saved_to: Path | None = None

    @property
    def session(self):
        return self.state.session

    @property
    def measurement(self) -> dict | None:
        """The stored measurements (``tomo.segmentation`` value), or None."""
        stored = self.session.result(results.SEGMENTATION)
        return None if stored is None else stored.value

    @property
    def stored_alignment(self) -> dict | None:
        """The stored alignment (``tomo.alignment`` value), or None."""
        stored = self.session.result(results.ALIGNMENT)
        return None if stored is None else stored.value

    def _parameters(self, **changes) -> None:
        self.session.set_parameters(PARAMETERS, {**self.session.parameters(PARAMETERS), **changes})

    # opening ---------------------------------------------------------------------------------

    def open_path(self, path: str | Path, elements: tuple[str, ...] = (), also=()) -> None:
        """Read a tilt series off the GUI thread (per-tilt spectrum images give element maps),
        with the channels of the ``also`` series (same tilts) added."""
        also = [str(p) for p in also]
        self.message.emit(f"Reading {Path(path).name}…")

        def run():
            series = jobs.load_series(path, elements)
            for other in also:
                series = jobs.with_channel(series, other)
            return series

        self.tasks.submit(
            run,
            key="tomo-open",
            on_result=lambda series: self._on_series(series, elements, also),
            on_error=self._on_error,
            description=f"Tomography: read {Path(path).name}",
        )

    def _on_series(self, series: TiltSeries, elements: tuple[str, ...], also=()) -> None:
        self._reset()
        self.series = series
        self.session.set_parameters(
            PARAMETERS,
            {
                "source": str(series.source),
                "elements": list(elements),
                "also": list(also),
                "tilt_axis_angle": self.axis_choice,
                "tilt_axis_offset": self.offset_choice,
            },
        )
        self.message.emit(jobs.series_summary(series, elements))
        self.volumesChanged.emit()
        self.seriesLoaded.emit()

    def add_channel_path(self, path: str | Path) -> None:
        """Add another channel (same tilts) to the open series; it is aligned with the reference."""
        series = self.series
        self.tasks.submit(
            lambda: jobs.with_channel(series, path),
            key="tomo-add",
            on_result=lambda added: self._on_channels(added, path),
            on_error=self._on_error,
            description=f"Tomography: read {Path(path).name}",
        )

    def _on_channels(self, series: TiltSeries, path) -> None:
        self.series = series
        self._parameters(also=[*self.session.parameters(PARAMETERS).get("also", []), str(path)])
        self.message.emit(f"Channels {', '.join(series.channels)}")
        self.seriesLoaded.emit()

    # alignment -------------------------------------------------------------------------------

    @property
    def axis_choice(self) -> float | None:
        """The tilt-axis direction asked for, degrees; None: measured when aligning."""
        return self.session.parameters(PARAMETERS).get("tilt_axis_angle")

    @property
    def offset_choice(self) -> float | None:
        """The tilt-axis offset asked for, px; None: measured when aligning."""
        return self.session.parameters(PARAMETERS).get("tilt_axis_offset")

    @property
    def aligned_with(self) -> tuple[float | None, float | None] | None:
        """The (direction, offset) asked for when the shown alignment was made, or None."""
        stored = self.session.result(results.ALIGNMENT)
        if stored is None:
            return None
        asked = stored.parameters
        return asked.get("tilt_axis_angle", 0.0), asked.get("tilt_axis_offset")

    def set_axis_choice(self, value: float | None, *, key: str = "tilt_axis_angle") -> None:
        """Ask for a tilt-axis direction (degrees; ``key="tilt_axis_offset"``: offset, px) or None
        (measured); an undo step."""
        before = self.session.parameters(PARAMETERS).get(key)
        if value != before:
            text = "Set tilt axis" if key == "tilt_axis_angle" else "Set tilt-axis offset"
            apply = partial(self._apply_axis_choice, key)
            self.undo_stack.push(SetValueCommand(apply, before, value, text))

    def _apply_axis_choice(self, key: str, value: float | None) -> None:
        self._parameters(**{key: value})
        self.axisChoiceChanged.emit()

    def align(self, method: str) -> None:
        """Align the reference channel with the tilt-axis direction and offset asked for (each
        measured when None)."""
        series, choice, offset = self.series, self.axis_choice, self.offset_choice

        def run(control):
            return align_tilt_series(
                series.reference,
                series.tilts_deg,
                method=method,
                axis_angle_deg=choice,
                axis_offset_px=offset,
                should_stop=control.should_stop,
                progress=control.progress,
            )

        self._start(
            run, lambda a: self._on_aligned(a, choice, offset), "tomo-align", "Tomography: align"
        )

    def _on_aligned(self, alignment: Alignment, choice: float | None, offset: float | None):
        before = (self.alignment, self.session.result(results.ALIGNMENT))
        stored = results.alignment_result(
            str(self.series.source), alignment, axis_choice=choice, offset_choice=offset
        )
        after = (alignment, stored)
        self.undo_stack.push(
            history.ShowResultCommand(
                "Align tilt series",
                self._show_alignment,
                self.session,
                results.ALIGNMENT,
                before,
                after,
            )
        )
        self.aligned.emit()

    def _show_alignment(self, alignment: Alignment | None) -> None:
        self.alignment = alignment
        if alignment is None or self.series is None:
            self.aligned_stack = None
            self.message.emit("Not aligned")
        else:
            self.aligned_stack = apply_alignment(self.series.reference, alignment)
            axis = axis_text(alignment, why=False)
            self.message.emit(
                f"Aligned ({alignment.method}): tilt axis {axis}, offset "
                f"{alignment.axis_offset_px:.2f} ± {alignment.axis_offset_sigma_px:.2f} px, "
                f"largest shift {np.abs(alignment.shifts_px).max():.1f} px, "
                + shifts_sigma_text(alignment)
                + (f" — {reason_text(alignment)}" if alignment.reason else "")
                + (f" — {left_out_text(alignment)}" if alignment.left_out_projections else "")
            )
        self.alignmentChanged.emit()

    # reconstruction --------------------------------------------------------------------------

    def reconstruct(
        self, *, method: str, iterations: int, all_channels: bool, binning: int = 1
    ) -> None:
        """Reconstruct the reference channel (or all channels) with the alignment, if done."""
        series, alignment = self.series, self.alignment
        channels = tuple(series.channels) if all_channels else (next(iter(series.channels)),)
        self._parameters(
            method=method, iterations=iterations, channels=list(channels), binning=binning
        )

        def run(control):
            return jobs.reconstruct_channels(
                series,
                alignment,
                method=method,
                iterations=iterations,
                channels=channels,
                control=control,
                binning=binning,
            )

        self._start(run, self._on_volumes, "tomo-reconstruct", f"Tomography: {method.upper()}")

    def _on_volumes(self, result: jobs.Volumes) -> None:
        self.job.progressed.emit(100 if result.ok else 0)
        if not result.ok:
            self.message.emit(f"Reconstruction {result.reason}")
            return
        reference = next(iter(result.volumes.values()))
        scale = self.series.reference.shape[2] / reference.shape[2]
        voxel = (self.series.pixel_size * scale, self.series.units)
        segmentation = self.session.result(results.SEGMENTATION)
        before = (self.volumes, self.labels, self.voxel, segmentation)
        after = (dict(result.volumes), None, voxel, None)
        text = f"Reconstruct ({result.method.upper()}-{result.iterations})"
        self.undo_stack.push(history.StateCommand(text, self._show_volumes, before, after))
        errors = ", ".join(f"{k} {v:.3f}" for k, v in result.reprojection_errors.items())
        self.message.emit(
            f"{result.method.upper()}-{result.iterations}: volume {reference.shape} (z, y, x); "
            f"reprojection error {errors} — next: Segment core / shell / voids"
        )
        self.reconstructed.emit()

    def _show_volumes(self, state: tuple) -> None:
        volumes, labels, self.voxel, segmentation = state
        if segmentation is None:
            self.session.clear_result(results.SEGMENTATION)
        else:
            self.session.store_result(results.SEGMENTATION, segmentation)
        self._set_volumes(volumes, labels)
        self._forget_files()
        self.measurementChanged.emit()

    def _set_volumes(self, volumes: dict, labels: np.ndarray | None) -> None:
        self.volumes, self.labels, self._saved_to = volumes, labels, None
        self.volumesChanged.emit()

    # segmentation ----------------------------------------------------------------------------

    def segment(self, *, scribbles: np.ndarray | None = None) -> None:
        """Multi-Otsu in three classes, or the random forest on the scribbles; then the
        measurements (the wire's region of the material volumes on the reference channel's
        projections) and the composition fitted on the element projections, when the series is
        open."""
        reference, volume = next(iter(self.volumes.items()))
        elements = dict(list(self.volumes.items())[1:])
        series, alignment = self.series, self.alignment
        binning = int(self.session.parameters(PARAMETERS).get("binning", 1))

        def run():
            projections = None
            if series is not None and {reference, *elements} <= set(series.channels):
                projections = results.element_projections(
                    series, alignment, tuple(elements), reference=reference, binning=binning
                )
            return results.measure(volume, elements, scribbles=scribbles, projections=projections)

        self.tasks.submit(
            run,
            key="tomo-segment",
            on_result=self._on_measured,
            on_error=self._on_error,
            description="Tomography: segment",
        )

    def _on_measured(self, measured: results.Measured) -> None:
        rows = results.measurement_rows(measured, *self.voxel)
        before = (self.labels, self.session.result(results.SEGMENTATION))
        after = (measured.segmentation.labels, results.segmentation_result(measured, rows))
        self.undo_stack.push(
            history.ShowResultCommand(
                "Segment volume",
                self._show_labels,
                self.session,
                results.SEGMENTATION,
                before,
                after,
            )
        )
        self.measured.emit()

    def _show_labels(self, labels: np.ndarray | None) -> None:
        self.labels, self._saved_to = labels, None
        self._forget_files()
        self.measurementChanged.emit()

    # tasks -----------------------------------------------------------------------------------

    def _start(self, run, on_result, key: str, description: str) -> None:
        self.job.start(run, on_result, self._on_error, key, description)

    def _on_error(self, error: BaseException) -> None:
        self.message.emit(f"Failed: {error}")
