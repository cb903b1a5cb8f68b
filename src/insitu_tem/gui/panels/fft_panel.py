"""FFT panel: a square ROI on the HRTEM frame (or the movie frame) and its live power spectrum."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from ...analysis.display import log_power_spectrum
from ...data.model import Axis, Dataset
from ..state import AppState
from ..tasks import TaskRunner
from ..widgets.image_view import CalibratedImageView
from ..widgets.navigator import Navigator


class FftPanel(QWidget):
    """Frame with a draggable square ROI beside the Hann-windowed log power spectrum."""

    title = "FFT"
    role = "hrtem"

    def __init__(self, state: AppState, tasks: TaskRunner, undo_stack: QUndoStack, parent=None) -> None:
        super().__init__(parent)
        self.state, self.tasks, self.undo_stack = state, tasks, undo_stack
        self.dataset: Dataset | None = None
        self.image_view = CalibratedImageView()
        self.fft_view = CalibratedImageView()
        self.navigator = Navigator("Frame")
        self.roi = pg.RectROI([0, 0], [1, 1], pen=pg.mkPen("y", width=2), aspectLocked=True)
        self.image_view.view.addItem(self.roi)
        views = QHBoxLayout()
        views.addWidget(self.image_view, 1)
        views.addWidget(self.fft_view, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(views, 1)
        layout.addWidget(self.navigator)
        self.roi.sigRegionChanged.connect(self._request_fft)
        self.navigator.index_changed.connect(self._show_frame)
        state.dataset_changed.connect(self._on_dataset_changed)
        state.frame_changed.connect(self._follow_movie)
        self.image_view.hovered.connect(state.report_cursor)
        self.fft_view.hovered.connect(state.report_cursor)

    def _on_dataset_changed(self, role: str, dataset: Dataset | None) -> None:
        if dataset is None or dataset.kind not in ("movie", "image"):
            return
        if role == "hrtem" or (role == "movie" and self.state.dataset("hrtem") is None):
            self.set_dataset(dataset)

    def set_dataset(self, dataset: Dataset) -> None:
        """Show ``dataset``'s frames with an ROI covering its central half."""
        self.dataset = dataset
        row, col = dataset.signal_axes
        self.navigator.set_axis(dataset.axes[0] if dataset.kind == "movie" else Axis("t", 1))
        self.image_view.set_frame(dataset.frame(0), axes=(row, col), auto_range=True)
        side = min(row.size, col.size) // 2
        self.roi.blockSignals(True)
        self.roi.setPos([col.to_value(col.size / 2 - side / 2), row.to_value(row.size / 2 - side / 2)])
        self.roi.setSize([side * col.scale, side * row.scale])
        self.roi.blockSignals(False)
        self._request_fft()

    def _follow_movie(self, index: int) -> None:
        if self.dataset is not None and self.dataset is self.state.dataset("movie"):
            self.navigator.set_index(index)

    def _show_frame(self, index: int) -> None:
        if self.dataset is not None:
            self.image_view.set_frame(self.dataset.frame(index))
            self._request_fft()

    def roi_bounds(self) -> tuple[int, int, int]:
        """ROI as (row0, col0, side) in pixels, clipped to the frame."""
        row, col = self.dataset.signal_axes
        x, y = self.roi.pos()
        width = self.roi.size()[0]
        side = max(8, int(round(width / col.scale)))
        side = min(side, row.size, col.size)
        r0 = int(np.clip(round(row.to_index(y)), 0, row.size - side))
        c0 = int(np.clip(round(col.to_index(x)), 0, col.size - side))
        return r0, c0, side

    def _request_fft(self) -> None:
        if self.dataset is None or self.image_view.frame is None:
            return
        r0, c0, side = self.roi_bounds()
        crop = np.array(self.dataset.frame(self.navigator.index)[r0 : r0 + side, c0 : c0 + side])
        self.tasks.submit(lambda: log_power_spectrum(crop), key="fft-panel", on_result=self._show_fft,
                          description="FFT")

    def _show_fft(self, spectrum: np.ndarray) -> None:
        col = self.dataset.signal_axes[1]
        side = spectrum.shape[0]
        units = "1/nm" if col.units == "nm" else "px"
        step = 1.0 / (side * col.scale) if units == "1/nm" else 1.0
        k_axis = Axis("k", side, step, -step * (side // 2), units)
        self.fft_view.set_frame(spectrum, axes=(k_axis, k_axis), auto_range=True)
