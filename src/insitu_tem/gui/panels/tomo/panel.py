"""Tomography panel: open a tilt series, align it, reconstruct it with progress and cancel, look at
orthogonal slices, segment core/shell/voids and read the shell thickness and void fraction.

Long work runs on the task runner: :func:`~insitu_tem.io.readers.tilt_series.load_tilt_series`,
:func:`~insitu_tem.analysis.tomo.alignment.align_tilt_series`,
:func:`~insitu_tem.analysis.tomo.reconstruct.reconstruct` (cancellable, with progress) and
:func:`~insitu_tem.analysis.tomo.measure.measure_wire`. The panel holds the results it shows.
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
    QProgressBar,
    QPushButton,
    QSlider,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from insitu_tem.analysis.tomo.alignment import (
    METHODS as ALIGN_METHODS,
    Alignment,
    align_tilt_series,
    apply_alignment,
)
from insitu_tem.analysis.tomo.measure import measure_wire
from insitu_tem.analysis.tomo.reconstruct import DEFAULT_ITERATIONS, METHODS, reconstruct
from insitu_tem.analysis.tomo.segment import segment
from insitu_tem.gui.panels.tomo.slices import OrthoSlices
from insitu_tem.io.readers.tilt_series import TiltSeries, load_tilt_series


class TomoPanel(QWidget):
    """Tilt series → aligned series → volume → labels and measurements (module docstring)."""

    title = "Tomography"
    role = "tomo"
    seriesLoaded = Signal()
    aligned = Signal()
    reconstructed = Signal()
    measured = Signal()

    def __init__(self, state, tasks, undo_stack, parent=None) -> None:
        super().__init__(parent)
        self.state, self.tasks, self.undo_stack = state, tasks, undo_stack
        self.series: TiltSeries | None = None
        self.alignment: Alignment | None = None
        self.aligned_stack: np.ndarray | None = None
        self.volume: np.ndarray | None = None
        self._task: int | None = None
        self._build_widgets()
        self._build_layout()
        self._connect()
        self._update_enabled()

    def _build_widgets(self) -> None:
        self.open_button = QPushButton("Open Tilt Series…")
        self.info = QLabel(
            "Open a tilt series: .mrc/.ali with .rawtlt, .hspy with a tilt axis, or a folder "
            "of per-tilt files named by angle."
        )
        self.info.setWordWrap(True)
        self.projection = pg.ImageView()
        self.tilt_slider = QSlider(Qt.Orientation.Horizontal)
        self.tilt_label = QLabel("")
        self.show_aligned = QCheckBox("Aligned")
        self.align_method = QComboBox()
        self.align_method.addItems(ALIGN_METHODS)
        self.align_button = QPushButton("Align")
        self.method = QComboBox()
        self.method.addItems(METHODS)
        self.method.setCurrentText("mlem")
        self.iterations = QSpinBox()
        self.iterations.setRange(1, 500)
        self.iterations.setValue(DEFAULT_ITERATIONS["mlem"])
        self.reconstruct_button = QPushButton("Reconstruct")
        self.cancel_button = QPushButton("Cancel")
        self.progress = QProgressBar()
        self.segment_button = QPushButton("Segment core / shell / voids")
        self.slices = OrthoSlices()
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["measurement", "value"])

    def _build_layout(self) -> None:
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        for widget in (
            self.open_button,
            self.align_method,
            self.align_button,
            self.method,
            self.iterations,
            self.reconstruct_button,
            self.cancel_button,
            self.progress,
            self.segment_button,
        ):
            top.addWidget(widget)
        layout.addLayout(top)
        layout.addWidget(self.info)
        row = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self.projection, 1)
        tilt = QHBoxLayout()
        tilt.addWidget(self.tilt_slider, 1)
        tilt.addWidget(self.tilt_label)
        tilt.addWidget(self.show_aligned)
        left.addLayout(tilt)
        row.addLayout(left, 1)
        row.addWidget(self.slices, 2)
        row.addWidget(self.table, 1)
        layout.addLayout(row, 1)

    def _connect(self) -> None:
        self.open_button.clicked.connect(self._ask_open)
        self.align_button.clicked.connect(self.align)
        self.reconstruct_button.clicked.connect(self.reconstruct)
        self.cancel_button.clicked.connect(self.cancel)
        self.segment_button.clicked.connect(self.segment)
        self.tilt_slider.valueChanged.connect(lambda _v: self._show_projection())
        self.show_aligned.toggled.connect(lambda _v: self._show_projection())
        self.method.currentTextChanged.connect(
            lambda m: self.iterations.setValue(DEFAULT_ITERATIONS.get(m, 1))
        )
        self.tasks.progress.connect(self._on_progress)
        self.tasks.finished.connect(self._on_finished)

    def _update_enabled(self) -> None:
        has_series = self.series is not None
        self.align_button.setEnabled(has_series)
        self.reconstruct_button.setEnabled(has_series)
        self.show_aligned.setEnabled(self.aligned_stack is not None)
        self.segment_button.setEnabled(self.volume is not None)
        self.cancel_button.setEnabled(self._task is not None)

    def _ask_open(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Folder of per-tilt files") or None
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self, "Tilt series", "", "Tilt series (*.mrc *.ali *.st *.hspy *.mdoc)"
            )
        if path:
            self.open_path(path)

    def open_path(self, path: str | Path) -> None:
        """Read a tilt series off the GUI thread."""
        self.info.setText(f"Reading {Path(path).name}…")
        self.tasks.submit(
            lambda: load_tilt_series(path),
            key="tomo-open",
            on_result=self._on_series,
            description=f"Tomography: read {Path(path).name}",
        )

    def _on_series(self, series: TiltSeries) -> None:
        self.series, self.alignment, self.aligned_stack, self.volume = series, None, None, None
        tilts = series.tilts_deg
        self.info.setText(
            f"{Path(series.source).name}: {tilts.size} tilts {tilts[0]:g}…{tilts[-1]:g}°, "
            f"{series.reference.shape[2]}×{series.reference.shape[1]} px, "
            f"{series.pixel_size:.4g} {series.units}/px; channels {', '.join(series.channels)}"
        )
        self.tilt_slider.setRange(0, tilts.size - 1)
        self.tilt_slider.setValue(int(np.argmin(np.abs(tilts))))
        self._show_projection()
        self._update_enabled()
        self.seriesLoaded.emit()

    def _show_projection(self) -> None:
        if self.series is None:
            return
        index = self.tilt_slider.value()
        stack = (
            self.aligned_stack
            if self.show_aligned.isChecked() and self.aligned_stack is not None
            else self.series.reference
        )
        self.projection.setImage(stack[index].T, autoLevels=True)
        self.tilt_label.setText(f"{self.series.tilts_deg[index]:+.1f}°")

    def align(self) -> None:
        """Align the reference channel with the chosen method (tilt axis found automatically)."""
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
        self.alignment = alignment
        self.aligned_stack = apply_alignment(self.series.reference, alignment)
        shifts = np.abs(alignment.shifts_px).max()
        self.info.setText(
            f"Aligned ({alignment.method}): tilt axis {alignment.axis_angle_deg:.2f}°, offset "
            f"{alignment.axis_offset_px:.2f} ± {alignment.axis_offset_sigma_px:.2f} px, largest shift "
            f"{shifts:.1f} px" + (f" — {alignment.reason}" if alignment.reason else "")
        )
        self.show_aligned.setChecked(True)
        self._update_enabled()
        self._show_projection()
        self.aligned.emit()

    def reconstruct(self) -> None:
        """Reconstruct the (aligned, if done) reference channel; progress and Cancel apply."""
        stack = self.aligned_stack if self.aligned_stack is not None else self.series.reference
        offset = self.alignment.axis_offset_px if self.alignment is not None else 0.0
        tilts, method, iterations = (
            self.series.tilts_deg,
            self.method.currentText(),
            self.iterations.value(),
        )

        def run(control):
            return reconstruct(
                stack,
                tilts,
                method=method,
                iterations=iterations,
                axis_offset_px=offset,
                should_stop=control.should_stop,
                progress=control.progress,
            )

        self._start(run, self._on_volume, "tomo-reconstruct", f"Tomography: {method.upper()}")

    def _on_volume(self, result) -> None:
        self.progress.setValue(100 if result.ok else 0)
        if result.ok:
            self.volume = result.volume
            self.slices.set_volume(result.volume)
            self.info.setText(
                f"{result.method.upper()}-{result.iterations}: volume {result.volume.shape} (z, y, x), "
                f"reprojection error {result.reprojection_error:.3f}"
            )
            self.reconstructed.emit()
        else:
            self.info.setText(f"Reconstruction {result.reason}")

    def cancel(self) -> None:
        if self._task is not None:
            self.tasks.cancel(self._task)

    def segment(self) -> None:
        """Multi-Otsu in three classes, then the wire measurements."""
        volume = self.volume

        def run():
            labels = segment(volume, method="multiotsu", classes=3)
            return labels, measure_wire(labels.labels, volume)

        self.tasks.submit(
            run, key="tomo-segment", on_result=self._on_measured, description="Tomography: segment"
        )

    def _on_measured(self, result) -> None:
        labels, wire = result
        self.slices.set_labels(labels.labels)
        rows = [
            (
                "shell thickness (median)",
                f"{wire.thickness_median:.2f} ± {wire.thickness_sigma:.2f} px",
            ),
            ("void fraction of shell", f"{100 * wire.void_fraction_shell:.2f} %"),
            ("void fraction of core", f"{100 * wire.void_fraction_core:.2f} %"),
            ("thresholds", ", ".join(f"{t:.3g}" for t in labels.thresholds)),
        ]
        rows += [(f"voxels, label {k}", str(v)) for k, v in wire.volumes.items()]
        if not wire.ok:
            rows.append(("not measured", wire.reason))
        self.table.setRowCount(len(rows))
        for i, (name, value) in enumerate(rows):
            self.table.setItem(i, 0, QTableWidgetItem(name))
            self.table.setItem(i, 1, QTableWidgetItem(value))
        self.measured.emit()

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
