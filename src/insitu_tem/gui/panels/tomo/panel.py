"""Tomography panel: open a tilt series, align it (projections or sinogram, before/after), reconstruct
the reference channel or every channel (EDS maps, with the reference's alignment) with progress and
cancel, look at orthogonal slices and a CPU rendering, segment core/shell/voids (multi-Otsu or a
random forest on painted scribbles), read the measurements, export a figure.

Long work runs on the task runner (:mod:`.jobs`). Alignment and segmentation are session results,
set through undoable commands and saved with the project (:mod:`.history`); reopening a project
re-reads the series and re-applies the stored alignment.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSlider,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from insitu_tem.analysis.tomo.alignment import METHODS as ALIGN_METHODS
from insitu_tem.analysis.tomo.alignment import Alignment, align_tilt_series, apply_alignment
from insitu_tem.analysis.tomo.reconstruct import DEFAULT_ITERATIONS, METHODS
from insitu_tem.figures.export import provenance, save_figure
from insitu_tem.figures.tomography import TomoView, render_tomo
from insitu_tem.gui.panels.tomo import history, jobs
from insitu_tem.gui.panels.tomo.rendering import RenderView
from insitu_tem.gui.panels.tomo.slices import OrthoSlices
from insitu_tem.io.readers.tilt_series import TiltSeries

PAINT = ("Navigate", "Paint 1: vacuum/void", "Paint 2: shell", "Paint 3: core")


class TomoPanel(QWidget):
    """Tilt series → aligned series → volumes → labels and measurements (module docstring)."""

    title = "Tomography"
    role = "tomo"
    seriesLoaded = Signal()
    aligned = Signal()
    reconstructed = Signal()
    measured = Signal()
    exported = Signal(str)

    def __init__(self, state, tasks, undo_stack, parent=None) -> None:
        super().__init__(parent)
        self.state, self.tasks, self.undo_stack = state, tasks, undo_stack
        self.series: TiltSeries | None = None
        self.alignment: Alignment | None = None
        self.aligned_stack: np.ndarray | None = None
        self.volumes: dict[str, np.ndarray] = {}
        self.result: jobs.Measured | None = None
        self._task: int | None = None
        self._pending: Alignment | None = None
        self._build_widgets()
        self._build_layout()
        self._connect()
        self._update_enabled()

    @property
    def volume(self) -> np.ndarray | None:
        """The volume shown (the channel chosen), or None."""
        return self.volumes.get(self.channel.currentText())

    def _build_widgets(self) -> None:
        self.open_button = QPushButton("Open Tilt Series…")
        self.info = QLabel(
            "Open a tilt series: .mrc/.ali with .rawtlt, .hspy with a tilt axis, or a folder "
            "of per-tilt files named by angle."
        )
        self.info.setWordWrap(True)
        self.elements = QLineEdit()
        self.elements.setPlaceholderText("EDS elements, e.g. Si,O,Fe")
        self.elements.setToolTip("Per-tilt spectrum images: one line map per element")
        self.add_button = QPushButton("Add Channel…")
        self.add_button.setToolTip("Another map series of the same tilts (e.g. an element map)")
        self.projection = pg.ImageView()
        self.tilt_slider = QSlider(Qt.Orientation.Horizontal)
        self.tilt_label = QLabel("")
        self.show_aligned = QCheckBox("Aligned")
        self.show_sinogram = QCheckBox("Sinogram")
        self.align_method = QComboBox()
        self.align_method.addItems(ALIGN_METHODS)
        self.align_button = QPushButton("Align")
        self.method = QComboBox()
        self.method.addItems(METHODS)
        self.method.setCurrentText("mlem")
        self.iterations = QSpinBox()
        self.iterations.setRange(1, 500)
        self.iterations.setValue(DEFAULT_ITERATIONS["mlem"])
        self.all_channels = QCheckBox("All channels")
        self.all_channels.setToolTip("Reconstruct every channel (EDS maps) with this alignment")
        self.reconstruct_button = QPushButton("Reconstruct")
        self.cancel_button = QPushButton("Cancel")
        self.progress = QProgressBar()
        self.channel = QComboBox()
        self.segment_button = QPushButton("Segment core / shell / voids")
        self.paint = QComboBox()
        self.paint.addItems(PAINT)
        self.classify_button = QPushButton("Classify scribbles")
        self.export_button = QPushButton("Export Figure…")
        self.slices = OrthoSlices()
        self.rendering = RenderView()
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["measurement", "value"])

    def _build_layout(self) -> None:
        layout = QVBoxLayout(self)
        for widgets in (
            (
                self.open_button,
                self.align_method,
                self.align_button,
                self.method,
                self.iterations,
                self.all_channels,
                self.reconstruct_button,
                self.cancel_button,
                self.progress,
            ),
            (
                QLabel("Volume"),
                self.channel,
                self.segment_button,
                self.paint,
                self.classify_button,
                self.export_button,
            ),
        ):
            row = QHBoxLayout()
            for widget in widgets:
                row.addWidget(widget)
            row.addStretch(1)
            layout.addLayout(row)
        row = QHBoxLayout()
        row.addWidget(self.info, 1)
        row.addWidget(self.elements)
        row.addWidget(self.add_button)
        layout.addLayout(row)
        row = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self.projection, 1)
        tilt = QHBoxLayout()
        for widget in (self.tilt_slider, self.tilt_label, self.show_aligned, self.show_sinogram):
            tilt.addWidget(widget, 1 if widget is self.tilt_slider else 0)
        left.addLayout(tilt)
        row.addLayout(left, 1)
        row.addWidget(self.slices, 2)
        right = QVBoxLayout()
        right.addWidget(self.rendering, 1)
        right.addWidget(self.table, 1)
        row.addLayout(right, 1)
        layout.addLayout(row, 1)

    def _connect(self) -> None:
        self.open_button.clicked.connect(self._ask_open)
        self.add_button.clicked.connect(self._ask_add)
        self.align_button.clicked.connect(self.align)
        self.reconstruct_button.clicked.connect(self.reconstruct)
        self.cancel_button.clicked.connect(self.cancel)
        self.segment_button.clicked.connect(lambda: self.segment())
        self.classify_button.clicked.connect(lambda: self.segment(scribbles=True))
        self.export_button.clicked.connect(self._ask_export)
        self.paint.currentIndexChanged.connect(self._set_paint)
        self.channel.currentTextChanged.connect(lambda _c: self._show_volume())
        for box in (self.show_aligned, self.show_sinogram):
            box.toggled.connect(lambda _v: self._show_projection())
        self.tilt_slider.valueChanged.connect(lambda _v: self._show_projection())
        self.method.currentTextChanged.connect(
            lambda m: self.iterations.setValue(DEFAULT_ITERATIONS.get(m, 1))
        )
        self.tasks.progress.connect(self._on_progress)
        self.tasks.finished.connect(self._on_finished)
        self.state.session_replaced.connect(self._restore)

    def _update_enabled(self) -> None:
        has_series, has_volume = self.series is not None, bool(self.volumes)
        idle = self._task is None
        self.align_button.setEnabled(has_series and idle)
        self.add_button.setEnabled(has_series and idle)
        self.reconstruct_button.setEnabled(has_series and idle)
        self.show_aligned.setEnabled(self.aligned_stack is not None)
        for widget in (self.segment_button, self.classify_button, self.export_button):
            widget.setEnabled(has_volume)
        self.cancel_button.setEnabled(not idle)

    # opening ---------------------------------------------------------------------------------

    def _ask_open(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Folder of per-tilt files") or None
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self, "Tilt series", "", "Tilt series (*.mrc *.ali *.st *.hspy *.mdoc)"
            )
        if path:
            self.open_path(path)

    def _element_list(self) -> tuple[str, ...]:
        return tuple(e.strip() for e in self.elements.text().split(",") if e.strip())

    def _ask_add(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Channel of the same tilt series", "", "Tilt series (*.mrc *.ali *.st *.hspy)"
        )
        if path:
            self.add_channel_path(path)

    def add_channel_path(self, path: str | Path) -> None:
        """Add another channel (same tilts) to the open series; it is aligned with the reference."""
        series = self.series
        self.tasks.submit(
            lambda: jobs.with_channels(series, jobs.load_series(path)),
            key="tomo-add",
            on_result=self._on_channels,
            on_error=self._on_error,
            description=f"Tomography: read {Path(path).name}",
        )

    def _on_channels(self, series: TiltSeries) -> None:
        self.series = series
        self.all_channels.setChecked(True)
        self.info.setText(f"Channels {', '.join(series.channels)}")
        self.seriesLoaded.emit()

    def open_path(self, path: str | Path) -> None:
        """Read a tilt series off the GUI thread (with the EDS elements typed, if any)."""
        self.info.setText(f"Reading {Path(path).name}…")
        elements = self._element_list()
        self.tasks.submit(
            lambda: jobs.load_series(path, elements),
            key="tomo-open",
            on_result=self._on_series,
            on_error=self._on_error,
            description=f"Tomography: read {Path(path).name}",
        )

    def _on_series(self, series: TiltSeries) -> None:
        self.series, self.alignment, self.aligned_stack = series, None, None
        self.volumes, self.result = {}, None
        self.channel.clear()
        tilts = series.tilts_deg
        self.info.setText(
            f"{Path(series.source).name}: {tilts.size} tilts {tilts[0]:g}…{tilts[-1]:g}°, "
            f"{series.reference.shape[2]}×{series.reference.shape[1]} px, "
            f"{series.pixel_size:.4g} {series.units}/px; channels {', '.join(series.channels)}"
        )
        self.tilt_slider.setRange(0, tilts.size - 1)
        self.tilt_slider.setValue(int(np.argmin(np.abs(tilts))))
        self.state.session.set_parameters("tomo", {"source": str(series.source)})
        if self._pending is not None:
            self._show_alignment(self._pending)
            self._pending = None
        self._show_projection()
        self._update_enabled()
        self.seriesLoaded.emit()

    def _restore(self) -> None:
        """A project was opened: re-read its tilt series and re-apply its stored alignment."""
        stored = self.state.session.result(history.ALIGNMENT)
        source = self.state.session.parameters("tomo").get("source")
        if stored is None or not source or not Path(source).exists():
            return
        self._pending = history.alignment_from_result(stored)
        self.open_path(source)

    def _show_projection(self) -> None:
        if self.series is None:
            return
        index = self.tilt_slider.value()
        aligned = self.show_aligned.isChecked() and self.aligned_stack is not None
        stack = self.aligned_stack if aligned else self.series.reference
        if self.show_sinogram.isChecked():
            image = stack[:, stack.shape[1] // 2, :]
            self.tilt_label.setText(f"sinogram, row {stack.shape[1] // 2}")
        else:
            image = stack[index]
            self.tilt_label.setText(f"{self.series.tilts_deg[index]:+.1f}°")
        self.projection.setImage(image.T, autoLevels=True)

    # alignment -------------------------------------------------------------------------------

    def align(self) -> None:
        """Align the reference channel with the chosen method (tilt axis offset found automatically)."""
        series, method = self.series, self.align_method.currentText()

        def run(control):
            return align_tilt_series(
                series.reference,
                series.tilts_deg,
                method=method,
                should_stop=control.should_stop,
                progress=control.progress,
            )

        self._start(run, self._on_aligned, "tomo-align", "Tomography: align")

    def _on_aligned(self, alignment: Alignment) -> None:
        session = self.state.session
        before = (self.alignment, session.result(history.ALIGNMENT))
        after = (alignment, history.alignment_result(str(self.series.source), alignment))
        self.undo_stack.push(
            history.ShowResultCommand(
                "Align tilt series", self._show_alignment, session, history.ALIGNMENT, before, after
            )
        )
        self.aligned.emit()

    def _show_alignment(self, alignment: Alignment | None) -> None:
        self.alignment = alignment
        if alignment is None or self.series is None:
            self.aligned_stack = None
            self.show_aligned.setChecked(False)
            self.info.setText("Not aligned")
        else:
            self.aligned_stack = apply_alignment(self.series.reference, alignment)
            self.info.setText(
                f"Aligned ({alignment.method}): tilt axis {alignment.axis_angle_deg:.2f}°, offset "
                f"{alignment.axis_offset_px:.2f} ± {alignment.axis_offset_sigma_px:.2f} px, "
                f"largest shift {np.abs(alignment.shifts_px).max():.1f} px"
                + (f" — {alignment.reason}" if alignment.reason else "")
            )
            self.show_aligned.setChecked(True)
        self._update_enabled()
        self._show_projection()

    # reconstruction --------------------------------------------------------------------------

    def reconstruct(self) -> None:
        """Reconstruct the reference channel (or all channels) with the alignment, if done."""
        series, alignment = self.series, self.alignment
        method, iterations = self.method.currentText(), self.iterations.value()
        channels = (
            tuple(series.channels)
            if self.all_channels.isChecked()
            else (next(iter(series.channels)),)
        )
        self.state.session.set_parameters(
            "tomo",
            {
                "source": str(series.source),
                "method": method,
                "iterations": iterations,
                "channels": list(channels),
            },
        )

        def run(control):
            return jobs.reconstruct_channels(
                series,
                alignment,
                method=method,
                iterations=iterations,
                channels=channels,
                control=control,
            )

        self._start(run, self._on_volumes, "tomo-reconstruct", f"Tomography: {method.upper()}")

    def _on_volumes(self, result: jobs.Volumes) -> None:
        self.progress.setValue(100 if result.ok else 0)
        if not result.ok:
            self.info.setText(f"Reconstruction {result.reason}")
            return
        self.volumes, self.result = dict(result.volumes), None
        self.channel.blockSignals(True)
        self.channel.clear()
        self.channel.addItems(list(self.volumes))
        self.channel.blockSignals(False)
        self._show_volume()
        errors = ", ".join(f"{k} {v:.3f}" for k, v in result.reprojection_errors.items())
        shape = next(iter(self.volumes.values())).shape
        self.info.setText(
            f"{result.method.upper()}-{result.iterations}: volume {shape} (z, y, x); "
            f"reprojection error {errors}"
        )
        self._update_enabled()
        self.reconstructed.emit()

    def _show_volume(self) -> None:
        volume = self.volume
        if volume is None:
            return
        scale = self.series.reference.shape[2] / volume.shape[2]
        labels = self.slices.labels
        self.slices.set_volume(
            volume,
            voxel_size=self.series.pixel_size * scale,
            units=self.series.units,
            tilts_deg=tuple(self.series.tilts_deg),
        )
        if labels is not None and labels.shape == volume.shape:
            self.slices.set_labels(labels)
        self.rendering.set_volume(volume)

    def cancel(self) -> None:
        if self._task is not None:
            self.tasks.cancel(self._task)

    # segmentation ----------------------------------------------------------------------------

    def _set_paint(self, index: int) -> None:
        self.slices.paint_class = index

    def segment(self, *, scribbles: bool = False) -> None:
        """Multi-Otsu in three classes, or the random forest on the scribbles; then the measurements."""
        volume = self.volumes[next(iter(self.volumes))]
        elements = {k: v for k, v in list(self.volumes.items())[1:]}
        drawn = self.slices.scribbles.copy() if scribbles else None
        self.tasks.submit(
            lambda: jobs.measure(volume, elements, scribbles=drawn),
            key="tomo-segment",
            on_result=self._on_measured,
            on_error=self._on_error,
            description="Tomography: segment",
        )

    def _on_measured(self, measured: jobs.Measured) -> None:
        session = self.state.session
        rows = jobs.measurement_rows(measured, *self._voxel())
        before = (self.result, session.result(history.SEGMENTATION))
        after = (measured, history.segmentation_result(measured, rows))
        self.undo_stack.push(
            history.ShowResultCommand(
                "Segment volume", self._show_measured, session, history.SEGMENTATION, before, after
            )
        )
        self.measured.emit()

    def _voxel(self) -> tuple[float, str]:
        reference = next(iter(self.volumes.values()))
        scale = self.series.reference.shape[2] / reference.shape[2]
        return self.series.pixel_size * scale, self.series.units

    def _show_measured(self, measured: jobs.Measured | None) -> None:
        self.result = measured
        self.slices.set_labels(None if measured is None else measured.segmentation.labels)
        rows = [] if measured is None else jobs.measurement_rows(measured, *self._voxel())
        self.table.setRowCount(len(rows))
        for i, (name, value) in enumerate(rows):
            self.table.setItem(i, 0, QTableWidgetItem(name))
            self.table.setItem(i, 1, QTableWidgetItem(value))

    # export ----------------------------------------------------------------------------------

    def _ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export figure", "tomography.png", "Figures (*.png *.tif *.svg *.pdf)"
        )
        if path:
            self.export_figure(path)

    def export_figure(self, path: str | Path, *, dpi: int = 300) -> Path:
        """Slices through the cursor, the rendering at its angle, labels; provenance embedded."""
        voxel, units = self._voxel()
        view = TomoView(
            self.volume,
            tuple(self.slices.cursor),
            voxel_size=voxel,
            units=units,
            tilts_deg=tuple(self.series.tilts_deg),
            labels=self.slices.labels,
            rendering_angle_deg=float(self.rendering.angle.value()),
            rendering_mode=self.rendering.mode.currentText(),
        )
        figure, parameters = render_tomo(view, dpi=dpi)
        parameters["channel"] = self.channel.currentText()
        saved = save_figure(
            figure, path, dpi=dpi, record=provenance([str(self.series.source)], parameters)
        )
        self.exported.emit(str(saved))
        return saved

    # tasks -----------------------------------------------------------------------------------

    def _start(self, run, on_result, key: str, description: str) -> None:
        self.progress.setValue(0)
        self._task = self.tasks.submit(
            run, key=key, on_result=on_result, on_error=self._on_error, description=description
        )
        self._update_enabled()

    def _on_error(self, error: BaseException) -> None:
        self.info.setText(f"Failed: {error}")
        self._update_enabled()

    def _on_finished(self, task_id: int) -> None:
        if task_id == self._task:
            self._task = None
            self._update_enabled()

    def _on_progress(self, task_id: int, fraction: float, _message: str) -> None:
        if task_id == self._task:
            self.progress.setValue(int(round(100 * fraction)))
