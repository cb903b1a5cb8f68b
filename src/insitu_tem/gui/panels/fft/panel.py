"""FFT panel: a square ROI on the HRTEM (or movie) frame, its live Hann-windowed power spectrum
with automatic spots, a refined lattice and phase matches; d and angles of clicked spots; ABSF,
Wiener or Bragg view of the ROI; crystallinity map (Δf, Cs when given); calibration on a known
lattice; d(t). The panel holds widgets and renders; :class:`~.FftController` runs the jobs (the
functions of ``insitu-tem lattice``, ``crystallinity``) and keeps the results ("fft", "lattice")."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QLabel, QSplitter, QTabWidget, QVBoxLayout, QWidget

from insitu_tem.analysis.crystal.phases import load_library
from insitu_tem.analysis.hrtem.filters import FilteredImage
from insitu_tem.analysis.hrtem.lattice_series import LatticeSeries
from insitu_tem.core.model import Axis, Dataset
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.panels.fft.controller import FftController
from insitu_tem.gui.panels.fft.controls import FftControls
from insitu_tem.gui.panels.fft.region import (
    Region,
    default_roi,
    fringes_unresolved,
    region_problem,
    too_small,
)
from insitu_tem.gui.panels.fft.overlays import CrystallinityDisplay, SpotOverlay
from insitu_tem.gui.panels.fft.series_plot import FftSeriesPlot
from insitu_tem.gui.panels.fft.spot_table import FftSpotTable, candidates_text
from insitu_tem.gui.panels.fft.spots_view import FftSpots
from insitu_tem.gui.role_words import role_words
from insitu_tem.gui.tasks import TaskRunner
from insitu_tem.gui.undo import track_drags
from insitu_tem.gui.widgets.aspect_splitter import AspectSplitter
from insitu_tem.gui.widgets.image_view import CalibratedImageView
from insitu_tem.gui.widgets.measure_tools import MeasureTools, scrolling
from insitu_tem.gui.widgets.navigator import Navigator
from insitu_tem.gui.widgets.text_line import MessageColumn, TextLine

IMAGE_ROLES = ("hrtem", "survey", "movie")
"""The roles whose image the panel measures, the first one with a file shown."""


class FftPanel(QWidget):
    """Frame + ROI, power spectrum with spots, filtered ROI, spot table, d(t).

    Signals
    -------
    measurement_shown() : a new lattice measurement is on screen
    picks_changed() : the clicked spots changed
    """

    title = "FFT"
    role = "hrtem"
    measurement_shown = Signal()
    picks_changed = Signal()

    def __init__(
        self, state: SessionBridge, tasks: TaskRunner, undo_stack: QUndoStack, parent=None
    ) -> None:
        super().__init__(parent)
        self.state, self.tasks, self.undo_stack = state, tasks, undo_stack
        self.jobs = FftController(state, tasks, undo_stack)
        self.dataset: Dataset | None = None
        self.unresolved = ""
        self.series: LatticeSeries | None = None
        self.image_view, self.fft_view, self.filtered_view = (
            CalibratedImageView() for _ in range(3)
        )
        self.navigator = Navigator("Frame")
        self.roi = pg.RectROI([0, 0], [1, 1], pen=pg.mkPen("y", width=2), aspectLocked=True)
        self.image_view.view.addItem(self.roi)
        self.roi.hide()
        self.image_view.set_hint("Open an HRTEM image or movie (File ▸ Open) to see its FFT here")
        self.crystal = CrystallinityDisplay(self.image_view.view)
        self.spots_overlay = SpotOverlay(
            self.fft_view.view, on_pick=lambda index: self.spots.pick_index(index)
        )
        self.controls = FftControls(list(load_library()))
        self.table = FftSpotTable()
        self.series_plot = FftSeriesPlot()
        labels = (TextLine() for _ in range(4))
        self.readout, self.lattice_label, self.candidates_label, self.warning_label = labels
        self.warning_label.setStyleSheet("color: #d04040")
        for label in self._labels():
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._build()
        self.spots = FftSpots(self)
        self._connect()

    def _labels(self) -> tuple[QLabel, ...]:
        labels = (self.readout, self.lattice_label, self.candidates_label, self.crystal.label)
        return (*labels, self.warning_label)

    def _build(self) -> None:
        self.views = views = QSplitter(Qt.Orientation.Horizontal)
        for view in (self.image_view, self.fft_view, self.filtered_view):
            views.addWidget(view)
        tabs = QTabWidget()
        tabs.addTab(self.table, "Spots")
        tabs.addTab(self.series_plot, "d(t)")
        self.fft_view.value_name = "log power"
        self.measured_views = {
            "HRTEM image": self.image_view,
            "FFT": self.fft_view,
            "Filtered": self.filtered_view,
        }
        self.measure = MeasureTools(self.measured_views)
        tabs.addTab(scrolling(self.measure), "Measure")
        images, readouts = QWidget(), QWidget()
        column = QVBoxLayout(images)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(views, 1)
        column.addWidget(self.navigator)
        column = QVBoxLayout(readouts)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(MessageColumn(self._labels()))
        column.addWidget(self.controls)
        column.addWidget(tabs, 1)
        split = AspectSplitter(wide_from=1.8)
        split.addWidget(images)
        split.addWidget(readouts)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

    def _connect(self) -> None:
        self.roi.sigRegionChanged.connect(self._request_measure)
        track_drags(
            self.roi,
            self.undo_stack,
            read=self.roi.saveState,
            apply=self.roi.setState,
            text="Move FFT ROI",
        )
        self.navigator.index_changed.connect(self._show_frame)
        self.state.dataset_changed.connect(self._on_dataset_changed)
        self.state.frame_changed.connect(self._follow_movie)
        self.state.session_event.connect(self._on_session_event)
        self.state.session_replaced.connect(self._show_series)
        self.state.session_replaced.connect(self.jobs.forget)
        for view in (self.image_view, self.fft_view, self.filtered_view):
            view.hovered.connect(self.state.report_cursor)
        jobs = self.jobs
        jobs.filtered.connect(self._show_filtered)
        jobs.crystallinity_ready.connect(
            lambda result: self.crystal.show(
                result,
                self.dataset.signal_axes,
                visible=self.controls.show_overlay.isChecked(),
                calibrated=self.pixel_nm()[1],
            )
        )
        jobs.calibration_changed.connect(self._show_calibration)
        jobs.candidates_ready.connect(
            lambda found: self.candidates_label.setText(candidates_text(found))
        )
        jobs.warning.connect(self.warning_label.setText)
        c = self.controls
        c.snr.valueChanged.connect(self._request_measure)
        c.filter.currentIndexChanged.connect(self.request_filter)
        c.clear_button.clicked.connect(jobs.clear_picks)
        c.crystallinity_button.clicked.connect(self.request_crystallinity)
        c.show_overlay.toggled.connect(self.crystal.set_visible)
        c.reference_changed.connect(
            lambda name, hkl: jobs.set_reference(name, hkl, then=self._request_measure)
        )
        c.apply_button.clicked.connect(self.apply_calibration)
        c.track_button.clicked.connect(self.track)
        c.aberrations.track(self.undo_stack)
        c.aberrations.changed.connect(self._request_measure)

    # ----------------------------------------------------------- dataset and frame
    def _on_dataset_changed(self, role: str, dataset: Dataset | None) -> None:
        """Show the data of the first of :data:`IMAGE_ROLES` that has a file; none: show none."""
        if dataset is None and self.dataset is not None and self._role() is None:
            self.jobs.close()
        if role not in IMAGE_ROLES or dataset is None or dataset.kind not in ("movie", "image"):
            return
        above = IMAGE_ROLES[: IMAGE_ROLES.index(role)]
        if all(self.state.session.source(r) is None for r in above):
            self.set_dataset(dataset)

    def show_movie_without_hrtem(self) -> None:
        """An opened project is in: show its survey image, else its movie, when the HRTEM image
        the panel waited for (not measuring the others meanwhile) could not be read."""
        if self.state.dataset("hrtem") is not None:
            return
        shown = (self.state.dataset(role) for role in IMAGE_ROLES[1:])
        found = next((d for d in shown if d is not None and d.kind in ("movie", "image")), None)
        if found is not None:
            self.set_dataset(found)

    def _name_measured_image(self) -> None:
        """The Measure tab names the image by its role: "Survey image", "Movie", "HRTEM image"."""
        role = self._role()
        words = role_words(role, self.dataset) if role else "image"
        name = words[0].upper() + words[1:]
        views = self.measured_views
        others = {key: view for key, view in views.items() if view is not self.image_view}
        views.clear()
        views.update({name: self.image_view, **others})
        self.measure.target.setItemText(0, name)

    def set_dataset(self, dataset: Dataset) -> None:
        """Show ``dataset`` (its Δf, Cs filled in where it has them); a recalibrated view of the
        same data keeps the ROI in pixels and the zoom."""
        if dataset is self.dataset:
            return
        keep = (
            self.dataset is not None and self.dataset.shape == dataset.shape and self.roi_bounds()
        )
        self.dataset = dataset
        self._name_measured_image()
        if not keep:
            self.jobs.forget()
            self.controls.aberrations.fill_from(dataset.metadata)
        row, col = dataset.signal_axes
        self.navigator.set_axis(dataset.axes[0] if dataset.kind == "movie" else Axis("t", 1))
        frames = dataset.kind == "movie" and dataset.shape[0] > 1
        self.navigator.setVisible(frames)
        self.controls.show_image(movie=frames, pixel=self.pixel_nm(), too_small=too_small(dataset))
        self._show_sampling(fringes_unresolved(dataset))
        self.roi.show()
        self.image_view.set_frame(
            self.current_frame(), axes=(row, col), auto_range=None if keep else True
        )
        self.crystal.forget()
        self.set_roi_px(*(keep or default_roi(row.size, col.size)))

    def _show_sampling(self, unresolved: str) -> None:
        """An image too coarsely sampled for lattice fringes (``unresolved``: why, else ""): why
        is said in plain text, not a finding; the crystallinity map, which would call the whole
        image amorphous, is off; the image gets two thirds of the views' width beside its FFT,
        without the filtered view (of lattice fringes it cannot hold)."""
        self.unresolved = unresolved
        self.filtered_view.setVisible(not unresolved)
        shares = (2, 1, 0) if unresolved else (1, 1, 1)
        for index, share in enumerate(shares):
            self.views.setStretchFactor(index, share)
        self.views.setSizes([100 * share for share in shares])
        self.lattice_label.setText(unresolved)
        self.warning_label.setText("")
        self.controls.crystallinity_button.setEnabled(not (unresolved or too_small(self.dataset)))

    def current_frame(self) -> np.ndarray:
        return self.dataset.frame(self.navigator.index if self.dataset.kind == "movie" else 0)

    def _follow_movie(self, index: int) -> None:
        if self.dataset is not None and self.dataset is self.state.dataset("movie"):
            self.navigator.set_index(index)

    def _show_frame(self, index: int) -> None:
        if self.dataset is None:
            return
        self.image_view.set_frame(self.current_frame())
        self.crystal.forget()
        if self.dataset is self.state.dataset("hrtem"):
            self.state.set_view("hrtem.frame", int(self.navigator.index))
        if self.dataset.kind == "movie":
            self.series_plot.set_time(self.dataset.axes[0].to_value(index))
        self._request_measure()

    def roi_bounds(self) -> tuple[int, int, int]:
        """ROI as (row0, col0, side) in pixels, clipped to the frame."""
        row, col = self.dataset.signal_axes
        x, y = self.roi.pos()
        side = int(np.clip(round(self.roi.size()[0] / col.scale), 16, min(row.size, col.size)))
        r0 = int(np.clip(round(row.to_index(y)), 0, row.size - side))
        c0 = int(np.clip(round(col.to_index(x)), 0, col.size - side))
        return r0, c0, side

    def set_roi_px(self, row0: int, col0: int, side: int) -> None:
        """Place the square ROI at pixel (row0, col0) with ``side`` px, then measure."""
        row, col = self.dataset.signal_axes
        self.roi.blockSignals(True)
        self.roi.setPos([col.to_value(col0), row.to_value(row0)])
        self.roi.setSize([side * col.scale, side * row.scale])
        self.roi.blockSignals(False)
        self._request_measure()

    def pixel_nm(self) -> tuple[float, bool]:
        """Pixel size in nm and whether the frame is calibrated (else 1 px)."""
        col = self.dataset.signal_axes[1]
        return (float(col.scale), True) if col.units == "nm" else (1.0, False)

    # ----------------------------------------------------------------- measurement
    def _request_measure(self, *_args) -> None:
        if self.dataset is None:
            return
        r0, c0, side = self.roi_bounds()
        crop = np.array(self.current_frame()[r0 : r0 + side, c0 : c0 + side], dtype=np.float64)
        frame = self.navigator.index if self.dataset.kind == "movie" else 0
        problem = region_problem(self.dataset, crop, frame=frame)
        self.warning_label.setText(problem)
        if problem:
            return
        self._show_calibration()
        pixel_nm, calibrated = self.pixel_nm()
        self.jobs.measure(
            Region(
                crop,
                (r0, c0, side),
                int(frame),
                pixel_nm,
                calibrated,
                self.controls.aberrations.kv.value(),
                float(self.controls.snr.value()),
                self._role(),
                self.controls.aberrations.optics(),
            )
        )

    # -------------------------------------------------------- filter, crystallinity
    def request_filter(self, *_args) -> None:
        """Show the region as recorded or filtered (:meth:`.FftController.request_filter`)."""
        self.jobs.request_filter(self.controls.filter.currentText())

    def _show_filtered(self, result: FilteredImage) -> None:
        row, col = self.dataset.signal_axes
        self.filtered_view.set_frame(
            result.image,
            axes=(
                Axis("y", result.image.shape[0], row.scale, 0.0, row.units),
                Axis("x", result.image.shape[1], col.scale, 0.0, col.units),
            ),
        )

    def request_crystallinity(self) -> None:
        """Sliding-window crystallinity of the current frame (off the GUI thread)."""
        if self.dataset is None:
            return
        self.jobs.request_crystallinity(
            np.array(self.current_frame()),
            dataset=self.dataset,
            pixel_nm=self.pixel_nm()[0],
            window_nm=float(self.controls.window_nm.value()),
            imaging=self.controls.aberrations.imaging(),
        )

    # ----------------------------------------------------------------- calibration
    def _show_calibration(self) -> None:
        """Warnings, the check against the reference and the fit on all its reflections."""
        if self.jobs.shown is not None:
            lines = self.jobs.calibration_lines(unresolved=bool(self.unresolved))
            self.warning_label.setText("\n".join(lines))
            self.controls.apply_button.setEnabled(
                self.jobs.correction() is not None and self._role() is not None
            )

    def _role(self) -> str | None:
        same = (r for r in IMAGE_ROLES if self.state.dataset(r) is self.dataset)
        return next(same, None) if self.dataset is not None else None

    def apply_calibration(self) -> None:
        """Multiply the pixel size by the correction (undoable; saved with the project)."""
        role = self._role()
        if role is not None:
            self.jobs.apply_calibration(self.dataset, role)

    # -------------------------------------------------------------------- tracking
    def track(self) -> None:
        """Follow the picked spots (or the two strongest) through the movie: d(t), kept in the
        session and drawn from it."""
        role = self._role()
        if role is None or self.dataset.kind != "movie" or self.jobs.shown is None:
            return
        problem = self.jobs.track(
            role, roi_px=self.roi_bounds(), follow_drift=self.controls.follow_drift.isChecked()
        )
        if problem:
            self.series_plot.status.setText(f"Cannot follow the spots: {problem}")

    def _on_session_event(self, name: str, payload) -> None:
        if name == "result" and payload and payload[0] == "lattice":
            self._show_series()

    def _show_series(self) -> None:
        result = self.state.session.result("lattice")
        self.series = None if result is None else self.series_plot.show_result(result.value)

    # --------------------------------------------------------------------- project
    def project_state(self) -> dict:
        """What the project file keeps for this panel."""
        bounds = list(self.roi_bounds()) if self.dataset is not None else None
        return {"roi_px": bounds, **self.controls.state()}

    def restore_project_state(self, saved: dict) -> None:
        self.controls.restore(saved)
        if self.dataset is not None and self.dataset is self.state.dataset("hrtem"):
            self.navigator.set_index(int(self.state.view("hrtem.frame")))
        if saved.get("roi_px") and self.dataset is not None:
            self.set_roi_px(*saved["roi_px"])
