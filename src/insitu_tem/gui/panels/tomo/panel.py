"""Tomography panel: open a tilt series, align it (projections or sinogram, before/after),
reconstruct
the reference channel or every channel (EDS maps, with the reference's alignment) with progress and
cancel, look at orthogonal slices and a CPU rendering, segment core/shell/voids (multi-Otsu or a
random forest on painted scribbles), read the measurements and their plots, export a figure.

The widgets only: what they ask for is done by :class:`~.controller.TomoController` (jobs, undo,
session, project files); the panel draws what it reports and keeps the view keys in the session.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from insitu_tem.analysis.tomo.alignment import METHODS as ALIGN_METHODS
from insitu_tem.analysis.tomo.reconstruct import DEFAULT_ITERATIONS, METHODS
from insitu_tem.core.model import DataError
from insitu_tem.figures.export import provenance, save_figure
from insitu_tem.figures.tomography import TomoView, render_tomo
from insitu_tem.gui.panels.tomo.axis_control import AxisControl
from insitu_tem.gui.panels.tomo.controller import TomoController
from insitu_tem.gui.panels.tomo.opening import SeriesOpener
from insitu_tem.gui.panels.tomo.plots import MeasurementPlots
from insitu_tem.gui.panels.tomo.projections import ProjectionView
from insitu_tem.gui.panels.tomo.rendering import RenderView
from insitu_tem.gui.panels.tomo.slices import OrthoSlices

PAINT = ("Navigate", "Paint 1: vacuum/void", "Paint 2: shell", "Paint 3: core")


class TomoPanel(QWidget):
    """Tilt series → aligned series → volumes → labels and measurements (module docstring)."""

    title = "Tomography"
    role = "tomo"

    def __init__(self, state, tasks, undo_stack, parent=None) -> None:
        super().__init__(parent)
        self.state, self.undo_stack = state, undo_stack
        self.controller = TomoController(state, tasks, undo_stack, parent=self)
        self._build_widgets()
        self._set_tool_tips()
        self._build_layout()
        self._connect()
        self._update_enabled()

    @property
    def volume(self) -> np.ndarray | None:
        """The volume shown (the channel chosen), or None."""
        return self.controller.volumes.get(self.channel.currentText())

    def _build_widgets(self) -> None:
        self.opener = SeriesOpener()
        self.open_button, self.elements = self.opener.open_button, self.opener.elements
        self.add_button = self.opener.add_button
        self.info = QLabel(
            "Open a tilt series (a file, a folder of per-tilt files named by angle, or the "
            "Sample), then Align, Reconstruct, Segment, Export Figure."
        )
        self.info.setWordWrap(True)
        self.projections = ProjectionView()
        self.align_method = QComboBox()
        self.align_method.addItems(ALIGN_METHODS)
        self.axis = AxisControl()
        self.align_button = QPushButton("Align")
        self.method = QComboBox()
        self.method.addItems(METHODS)
        self.method.setCurrentText("mlem")
        self.iterations = QSpinBox()
        self.iterations.setRange(1, 500)
        self.iterations.setValue(DEFAULT_ITERATIONS["mlem"])
        self.binning = QComboBox()
        self.binning.addItems(["bin 1", "bin 2", "bin 4", "bin 8"])
        self.binning.setToolTip("Average n × n pixels before reconstructing (n³ fewer voxels)")
        self.all_channels = QCheckBox("All channels")
        self.all_channels.setToolTip("Reconstruct every channel (EDS maps) with this alignment")
        self.reconstruct_button = QPushButton("Reconstruct")
        self.cancel_button = QPushButton("Cancel")
        self.progress = QProgressBar()
        policy = self.progress.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.progress.setSizePolicy(policy)
        self.channel = QComboBox()
        self.segment_button = QPushButton("Segment core / shell / voids")
        self.paint = QComboBox()
        self.paint.addItems(PAINT)
        self.classify_button = QPushButton("Classify scribbles")
        self.export_button = QPushButton("Export Figure…")
        self.slices = OrthoSlices()
        self.rendering = RenderView()
        self.rendering.angle.setMinimumWidth(80)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["measurement", "value"])
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.plots = MeasurementPlots()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.rendering, "Rendering")
        self.tabs.addTab(self.table, "Measurements")
        self.tabs.addTab(self.plots, "Plots")
        self.tabs.setTabToolTip(2, "Shell-thickness map and histogram, radial profile")

    def _set_tool_tips(self) -> None:
        tips = {
            self.align_method: "auto: cross-correlation, then projection matching; xcorr: "
            "cross-correlation only; com: centre of mass; none: no shifts",
            self.align_button: "Find the tilt axis and the per-tilt shifts (px) with the method "
            "chosen; the residual (px) is reported below",
            self.method: "wbp: weighted back-projection; sirt: iterative, least squares; "
            "mlem: iterative, non-negative (counts, EDS maps)",
            self.iterations: "Iterations of SIRT/MLEM (WBP uses 1); more: sharper, noisier",
            self.reconstruct_button: "Reconstruct the volume (voxel = pixel × binning) with the "
            "method, iterations and binning chosen",
            self.cancel_button: "Stop the running alignment, reconstruction or segmentation",
            self.progress: "Progress of the running job, %",
            self.channel: "Volume shown: the reference channel or an element map",
            self.segment_button: "Label vacuum/voids, shell and core of the reference volume by "
            "multi-Otsu thresholds; shell thickness and volumes (calibrated units) below",
            self.paint: "Navigate, or paint scribbles of one class on the slices (then Classify)",
            self.classify_button: "Label every voxel with a random forest trained on the "
            "scribbles painted on the slices (at least two classes)",
            self.export_button: "Save slices, rendering, labels and measurement plots "
            "(PNG/TIFF/SVG/PDF, 300 dpi)",
            self.rendering.angle: "Rendering turned about the tilt axis, degrees (−90…90)",
            self.rendering.mode: "mip: brightest voxel along each ray; composite: "
            "front-to-back alpha blending",
        }
        for widget, tip in tips.items():
            widget.setToolTip(tip)

    def _build_layout(self) -> None:
        layout = QVBoxLayout(self)
        steps = (
            [
                self.opener,
                QLabel("Align"),
                self.align_method,
                self.align_button,
            ],
            [self.axis],
            [
                QLabel("Reconstruct"),
                self.method,
                self.iterations,
                self.binning,
                self.all_channels,
                self.reconstruct_button,
                self.cancel_button,
                self.progress,
            ],
            [
                QLabel("Volume"),
                self.channel,
                self.segment_button,
                self.paint,
                self.classify_button,
                self.export_button,
            ],
        )
        for widgets in steps:
            row = QHBoxLayout()
            for widget in widgets:
                row.addWidget(widget, 4 if widget is self.axis else 0)
            row.addStretch(1)
            layout.addLayout(row)
        layout.addWidget(self.info)
        row = QHBoxLayout()
        row.addWidget(self.projections, 1)
        row.addWidget(self.slices, 2)
        row.addWidget(self.tabs, 1)
        layout.addLayout(row, 1)

    def _connect(self) -> None:
        control = self.controller
        self.opener.openRequested.connect(self.open_path)
        self.opener.addRequested.connect(control.add_channel_path)
        self.align_button.clicked.connect(lambda: control.align(self.align_method.currentText()))
        self.reconstruct_button.clicked.connect(self.reconstruct)
        self.cancel_button.clicked.connect(control.job.cancel)
        self.segment_button.clicked.connect(lambda: control.segment())
        self.classify_button.clicked.connect(
            lambda: control.segment(scribbles=self.slices.scribbles.copy())
        )
        self.export_button.clicked.connect(self._ask_export)
        self.paint.currentIndexChanged.connect(self._set_paint)
        self.channel.currentTextChanged.connect(self._show_channel)
        self.method.currentTextChanged.connect(
            lambda m: self.iterations.setValue(DEFAULT_ITERATIONS.get(m, 1))
        )
        self.slices.cursorMoved.connect(
            lambda z, y, x: self.state.session.set_view("tomo.cursor", [z, y, x])
        )
        self.rendering.angle.valueChanged.connect(
            lambda v: self.state.session.set_view("tomo.rendering_angle", v)
        )
        self.rendering.mode.currentTextChanged.connect(
            lambda m: self.state.session.set_view("tomo.rendering_mode", m)
        )
        self.axis.chosen.connect(control.set_axis_choice)
        self.axis.offsetChosen.connect(
            lambda value: control.set_axis_choice(value, key="tilt_axis_offset")
        )
        control.axisChoiceChanged.connect(self._show_axis)
        control.message.connect(self.info.setText)
        control.job.progressed.connect(self.progress.setValue)
        control.job.busyChanged.connect(self._update_enabled)
        control.seriesLoaded.connect(self._on_series)
        control.alignmentChanged.connect(self._on_alignment)
        control.volumesChanged.connect(self._on_volumes)
        control.measurementChanged.connect(self._show_measurement)
        control.measured.connect(lambda: self.tabs.setCurrentWidget(self.table))

    def _update_enabled(self) -> None:
        control = self.controller
        has_series, has_volume = control.series is not None, bool(control.volumes)
        idle = not control.job.busy
        for widget in (self.align_button, self.add_button, self.reconstruct_button):
            widget.setEnabled(has_series and idle)
        self.projections.show_aligned.setEnabled(control.aligned_stack is not None)
        for widget in (self.segment_button, self.classify_button, self.export_button):
            widget.setEnabled(has_volume and idle)
        self.cancel_button.setEnabled(not idle)
        self.progress.setVisible(not idle)

    def write_project_files(self, project_path) -> None:
        """Saving the project: the volumes and labels go beside it (see the controller)."""
        self.controller.write_project_files(project_path)

    def open_project_files(self, project_path) -> None:
        """A project was opened: its series, alignment, volumes and labels come back."""
        self.controller.open_project_files(project_path)

    # series ----------------------------------------------------------------------------------

    def open_path(self, path: str | Path, also=()) -> None:
        """Read a tilt series (with the EDS elements typed, if any) and the channels of the
        ``also`` series."""
        self.controller.open_path(path, self.opener.element_names(), also)

    def _on_series(self) -> None:
        series = self.controller.series
        self.all_channels.setChecked(len(series.channels) > 1)
        self.projections.set_series(
            series, self.controller.aligned_stack, self.controller.alignment
        )
        self._show_axis()
        self._update_enabled()
        self._say_next_step()

    def _say_next_step(self) -> None:
        for view in (self.slices, self.rendering):
            view.say_series_open(self.controller.series is not None)

    def _on_alignment(self) -> None:
        self.projections.set_aligned(self.controller.aligned_stack, self.controller.alignment)
        self._show_axis()
        self._update_enabled()

    def _show_axis(self) -> None:
        control = self.controller
        self.axis.set_state(
            (control.axis_choice, control.offset_choice), control.alignment, control.aligned_with
        )

    # volumes ---------------------------------------------------------------------------------

    def reconstruct(self) -> None:
        """Reconstruct with the method, iterations, binning and channels chosen."""
        self.controller.reconstruct(
            method=self.method.currentText(),
            iterations=self.iterations.value(),
            all_channels=self.all_channels.isChecked(),
            binning=int(self.binning.currentText().split()[1]),
        )

    def _on_volumes(self) -> None:
        session = self.state.session
        self.rendering.angle.setValue(int(session.view("tomo.rendering_angle", 0)))
        self.rendering.mode.setCurrentText(session.view("tomo.rendering_mode", "mip"))
        self.channel.blockSignals(True)
        self.channel.clear()
        self.channel.addItems(list(self.controller.volumes))
        saved = self.state.session.view("tomo.channel", None)
        if saved in self.controller.volumes:
            self.channel.setCurrentText(saved)
        self.channel.blockSignals(False)
        self._show_volume()
        self._update_enabled()

    def _show_channel(self, channel: str) -> None:
        if channel:
            self.state.session.set_view("tomo.channel", channel)
        self._show_volume()

    def _show_volume(self) -> None:
        volume = self.volume
        if volume is None:
            self.rendering.set_volume(None)
            self.slices.show_empty()
            self._say_next_step()
            return
        voxel, units = self.controller.voxel
        series = self.controller.series
        cursor = self.state.session.view("tomo.cursor", None)
        self.slices.blockSignals(True)
        self.slices.set_volume(
            volume,
            voxel_size=voxel,
            units=units,
            tilts_deg=() if series is None else tuple(series.tilts_deg),
        )
        self.slices.blockSignals(False)
        self.slices.set_cursor(*(self.slices.cursor if cursor is None else cursor))
        labels = self.controller.labels
        if labels is not None and labels.shape == volume.shape:
            self.slices.set_labels(labels)
        self.rendering.set_volume(volume)

    # segmentation ----------------------------------------------------------------------------

    def _set_paint(self, index: int) -> None:
        self.slices.paint_class = index

    def _show_measurement(self) -> None:
        labels, volume = self.controller.labels, self.volume
        shown = labels if labels is not None and volume is not None else None
        self.slices.set_labels(shown if shown is None or shown.shape == volume.shape else None)
        value = self.controller.measurement
        rows = [] if value is None else value.get("table", [])
        self.table.setRowCount(len(rows))
        for i, (name, text) in enumerate(rows):
            self.table.setItem(i, 0, QTableWidgetItem(name))
            self.table.setItem(i, 1, QTableWidgetItem(text))
            self.table.item(i, 1).setToolTip(text)
        self.plots.set_measurement(value, *self.controller.voxel)

    # export ----------------------------------------------------------------------------------

    def _ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export figure", "tomography.png", "Figures (*.png *.tif *.svg *.pdf)"
        )
        if path:
            self.export_figure(path)

    def export_figure_from_menu(self, path: str, dpi: int) -> Path:
        """File ▸ Export Figure ▸ tomo: :meth:`export_figure`, once a volume is shown."""
        if self.volume is None:
            raise DataError("reconstruct a volume in the Tomography panel first")
        return self.export_figure(path, dpi=dpi)

    def export_figure(self, path: str | Path, *, dpi: int = 300) -> Path:
        """Slices through the cursor, the rendering at its angle, labels and the measurement
        plots; provenance embedded."""
        voxel, units = self.controller.voxel
        series = self.controller.series
        view = TomoView(
            self.volume,
            tuple(self.slices.cursor),
            voxel_size=voxel,
            units=units,
            tilts_deg=() if series is None else tuple(series.tilts_deg),
            labels=self.slices.labels,
            rendering_angle_deg=float(self.rendering.angle.value()),
            rendering_mode=self.rendering.mode.currentText(),
            measurement=self.controller.measurement,
            alignment=self.controller.stored_alignment,
        )
        figure, parameters = render_tomo(view, dpi=dpi)
        parameters["channel"] = self.channel.currentText()
        sources = [str(series.source)] if series is not None else []
        saved = save_figure(figure, path, dpi=dpi, record=provenance(sources, parameters))
        self.info.setText(f"Figure saved: {saved}")
        return saved
