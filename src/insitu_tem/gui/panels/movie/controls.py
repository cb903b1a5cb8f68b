"""Control rows of the movie panel: playback, contrast and display processing.

Each control group only turns widget changes into signals carrying plain
values; the panel decides what they do.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from insitu_tem.analysis.movie.display_processing import FILTERS, DisplayOptions
from insitu_tem.gui.frame_numbers import FIRST_FRAME, frame_index, frame_number
from insitu_tem.gui.widgets.image_view import COLORMAPS
from insitu_tem.gui.widgets.plot_factory import plot_widget


class PlaybackBar(QWidget):
    """Play/pause, step back/forward, loop and frame rate; a timer emits ``tick`` while playing.

    Signals
    -------
    tick() : time to show the next frame
    step(int) : the user stepped by -1 or +1 frame
    """

    tick = Signal()
    step = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.back_button = QToolButton(text="◀|")
        self.play_button = QPushButton("Play")
        self.play_button.setCheckable(True)
        self.play_button.setToolTip("Play or pause the movie at the rate set beside (Space)")
        self.forward_button = QToolButton(text="|▶")
        self.loop = QCheckBox("Loop")
        self.loop.setChecked(True)
        self.loop.setToolTip("Start again from the first played frame at the end")
        self.fps = QSpinBox()
        self.fps.setRange(1, 240)
        self.fps.setValue(25)
        self.fps.setSuffix(" fps")
        self.fps.setToolTip(
            "Playback rate, frames per second (display only; the data keep their times)"
        )
        self.time_label = QLabel("—")
        self.time_label.setMinimumWidth(90)
        self.timer = QTimer(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 0, 2, 0)
        for widget in (
            self.back_button,
            self.play_button,
            self.forward_button,
            self.loop,
            self.fps,
            self.time_label,
        ):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.play_button.toggled.connect(self._toggle)
        self.fps.valueChanged.connect(lambda fps: self.timer.setInterval(int(1000 / fps)))
        self.timer.timeout.connect(self.tick)
        self.back_button.clicked.connect(lambda: self.step.emit(-1))
        self.forward_button.clicked.connect(lambda: self.step.emit(1))

    @property
    def playing(self) -> bool:
        return self.play_button.isChecked()

    def set_frame_count(self, frames: int) -> None:
        """Playing and stepping need two frames or more: a single image stops and disables
        them."""
        if frames < 2:
            self.stop()
        for widget in (self.back_button, self.play_button, self.forward_button, self.loop):
            widget.setEnabled(frames > 1)
        self.fps.setEnabled(frames > 1)

    def stop(self) -> None:
        self.play_button.setChecked(False)

    def _toggle(self, playing: bool) -> None:
        self.play_button.setText("Pause" if playing else "Play")
        if playing:
            self.timer.start(int(1000 / self.fps.value()))
        else:
            self.timer.stop()


class ContrastControls(QWidget):
    """Levels (auto by percentiles or manual), gamma, colour map and a histogram with a draggable
    range.

    Signals
    -------
    levels_changed(float, float) : black and white levels
    lut_changed(str, float) : colour map name and gamma
    auto_requested() : the user asked for percentile levels
    """

    levels_changed = Signal(float, float)
    lut_changed = Signal(str, float)
    auto_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.auto_button = QPushButton("Auto")
        self.auto_button.setToolTip(
            "levels from the 0.5 and 99.5 percentiles of frames across the movie"
        )
        self.low, self.high = QDoubleSpinBox(), QDoubleSpinBox()
        for spin in (self.low, self.high):
            spin.setRange(-1e12, 1e12)
            spin.setDecimals(1)
            spin.setKeyboardTracking(False)
            spin.setToolTip("Display level, in the image's intensity units (counts)")
        self.gamma = QDoubleSpinBox()
        self.gamma.setRange(0.1, 5.0)
        self.gamma.setSingleStep(0.1)
        self.gamma.setValue(1.0)
        self.gamma.setToolTip("Display gamma (dimensionless): below 1 brightens dark areas")
        self.colormap = QComboBox()
        self.colormap.addItems(list(COLORMAPS))
        self.colormap.setToolTip("Colour map of the display (the export uses the same)")
        self.histogram = plot_widget()
        self.histogram.setMinimumHeight(70)
        self.histogram.hideAxis("left")
        self.histogram.setMouseEnabled(False, False)
        self.histogram_curve = self.histogram.plot(
            stepMode="center", fillLevel=0, brush=(120, 120, 200, 120)
        )
        self.region = pg.LinearRegionItem()
        self.histogram.addItem(self.region)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        for group in (
            (self.auto_button, QLabel("black"), self.low, QLabel("white"), self.high),
            (QLabel("gamma"), self.gamma, QLabel("colour map"), self.colormap),
        ):
            row = QHBoxLayout()
            for widget in group:
                row.addWidget(widget)
            row.addStretch(1)
            layout.addLayout(row)
        layout.addWidget(self.histogram, 1)
        self.auto_button.clicked.connect(self.auto_requested)
        self.low.valueChanged.connect(self._spins_changed)
        self.high.valueChanged.connect(self._spins_changed)
        self.region.sigRegionChangeFinished.connect(self._region_changed)
        self.gamma.valueChanged.connect(self._lut_changed)
        self.colormap.currentTextChanged.connect(self._lut_changed)

    def set_levels(self, black: float, white: float) -> None:
        """Show levels without emitting (the panel already applied them)."""
        for widget in (self.low, self.high, self.region):
            widget.blockSignals(True)
        self.low.setValue(black)
        self.high.setValue(white)
        self.region.setRegion((black, white))
        for widget in (self.low, self.high, self.region):
            widget.blockSignals(False)

    def clear(self) -> None:
        """No image: levels and histogram as before any (colour map and gamma stay)."""
        self.set_levels(0.0, 0.0)
        self.region.blockSignals(True)
        self.region.setRegion((0.0, 1.0))
        self.region.blockSignals(False)
        self.histogram_curve.clear()

    def set_histogram(self, frame: np.ndarray) -> None:
        """Histogram of a (sub-sampled) frame."""
        data = np.asarray(frame)[::4, ::4].astype(np.float32).ravel()
        data = data[np.isfinite(data)]
        if data.size:
            counts, edges = np.histogram(data, bins=128)
            self.histogram_curve.setData(edges, np.log1p(counts))

    def _spins_changed(self) -> None:
        if self.high.value() > self.low.value():
            self.region.blockSignals(True)
            self.region.setRegion((self.low.value(), self.high.value()))
            self.region.blockSignals(False)
            self.levels_changed.emit(self.low.value(), self.high.value())

    def _region_changed(self) -> None:
        black, white = self.region.getRegion()
        if white > black:
            self.set_levels(black, white)
            self.levels_changed.emit(float(black), float(white))

    def _lut_changed(self) -> None:
        self.lut_changed.emit(self.colormap.currentText(), self.gamma.value())


class ProcessingControls(QWidget):
    """Running average, binning, display filter, crop to the view and drift correction.

    Signals
    -------
    options_changed() : read :meth:`options` for the new display options
    crop_requested(bool) : True = crop to the visible region, False = uncrop
    drift_requested() : the user asked to measure drift
    """

    options_changed = Signal()
    crop_requested = Signal(bool)
    drift_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.average, self.binning = QSpinBox(), QSpinBox()
        self.average.setRange(1, 50)
        self.average.setPrefix("avg ")
        self.binning.setRange(1, 16)
        self.binning.setPrefix("bin ")
        self.average.setToolTip("Running average over this many frames (display and analyses)")
        self.binning.setToolTip("Bin n × n pixels (the pixel size grows n times)")
        self.filter = QComboBox()
        self.filter.addItems(list(FILTERS))
        self.filter.setToolTip("Spatial filter of the displayed frames")
        self.filter_size = QDoubleSpinBox()
        self.filter_size.setRange(0.5, 15.0)
        self.filter_size.setValue(1.0)
        self.filter_size.setSuffix(" px")
        self.filter_size.setToolTip("Filter size (Gaussian σ or median window), pixels")
        self.crop_button = QPushButton("Crop to view")
        self.crop_button.setCheckable(True)
        self.crop_button.setToolTip("Crop the movie to the visible area (analyses run inside it)")
        self.first, self.last = QSpinBox(), QSpinBox()
        self.first.setPrefix("from ")
        self.last.setPrefix("to ")
        self.first.setToolTip(f"First frame played (frame number, from {FIRST_FRAME})")
        self.last.setToolTip(f"Last frame played (frame number, from {FIRST_FRAME})")
        self.drift_button = QPushButton("Measure drift")
        self.drift_button.setToolTip(
            "Measure the specimen drift of every frame, px (sub-pixel phase correlation)"
        )
        self.drift_correct = QCheckBox("Drift-corrected")
        self.drift_correct.setEnabled(False)
        self.drift_correct.setToolTip(
            "Show and analyse the frames shifted back by the measured drift"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        for group in (
            (QLabel("Running average and binning:"), self.average, self.binning),
            (QLabel("Filter:"), self.filter, self.filter_size),
            (QLabel("Frames played:"), self.first, self.last, self.crop_button),
            (self.drift_button, self.drift_correct),
        ):
            row = QHBoxLayout()
            for widget in group:
                row.addWidget(widget)
            row.addStretch(1)
            layout.addLayout(row)
        layout.addStretch(1)
        for spin in (self.average, self.binning, self.filter_size, self.first, self.last):
            spin.valueChanged.connect(self.options_changed)
        self.filter.currentTextChanged.connect(self.options_changed)
        self.drift_correct.toggled.connect(self.options_changed)
        self.crop_button.toggled.connect(self.crop_requested)
        self.drift_button.clicked.connect(self.drift_requested)

    def set_frame_count(self, n_frames: int) -> None:
        """Range the time-range spin boxes over the movie; a single image has no frames to
        play, average or align (those controls are disabled; binning, filter, crop stay)."""
        last = frame_number(max(n_frames - 1, 0))
        for spin, value in ((self.first, FIRST_FRAME), (self.last, last)):
            spin.blockSignals(True)
            spin.setRange(FIRST_FRAME, last)
            spin.setValue(value)
            spin.blockSignals(False)
        for widget in (self.first, self.last, self.average, self.drift_button):
            widget.setEnabled(n_frames > 1)

    def options(self, crop) -> DisplayOptions:
        """Display options from the widgets plus the panel's current crop."""
        full = self.first.value() == FIRST_FRAME and self.last.value() == self.last.maximum()
        played = (frame_index(self.first.value()), frame_index(self.last.value()))
        return DisplayOptions(
            crop=crop,
            time_range=None if full else played,
            average=self.average.value(),
            binning=self.binning.value(),
            filter=self.filter.currentText(),
            filter_size=self.filter_size.value(),
            drift_correct=self.drift_correct.isChecked(),
        )
