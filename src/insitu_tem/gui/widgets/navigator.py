"""A slider over frames, probe positions or spectra that shows the calibrated coordinate."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QSpinBox, QWidget

from insitu_tem.core.model import Axis
from insitu_tem.gui.frame_numbers import FIRST_FRAME


class Navigator(QWidget):
    """Slider + spin box over an index, labelled in calibrated units.

    The spin box shows the index plus ``first`` (frames, the default: :data:`FIRST_FRAME`, as
    Fiji numbers slices; probes: :data:`~insitu_tem.figures.probe_numbers.FIRST_PROBE`, as
    frames); :attr:`index` and :attr:`index_changed` are 0-based.

    Signals
    -------
    index_changed(int) : emitted when the user (or :meth:`set_index`) moves it
    """

    index_changed = Signal(int)

    def __init__(
        self, label: str, *, first: int = FIRST_FRAME, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._axis = Axis("index", 1)
        self.first = int(first)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.spin = QSpinBox()
        self.spin.setToolTip(
            f"{label} number (from {self.first}); the calibrated value reads beside it"
        )
        self.value_label = QLabel()
        self.value_label.setMinimumWidth(110)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 0, 2, 0)
        layout.addWidget(QLabel(label))
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.spin)
        layout.addWidget(self.value_label)
        self.slider.valueChanged.connect(self._on_value)
        self.spin.valueChanged.connect(lambda number: self.slider.setValue(number - self.first))
        self.clear()

    @property
    def index(self) -> int:
        return self.slider.value()

    def set_axis(self, axis: Axis) -> None:
        """Range the navigator over ``axis`` (size, calibration)."""
        self._axis = axis
        for widget, first in ((self.slider, 0), (self.spin, self.first)):
            widget.blockSignals(True)
            widget.setRange(first, max(axis.size - 1, 0) + first)
            widget.blockSignals(False)
        self.setEnabled(axis.size > 1)
        self._update_label(self.slider.value())

    def clear(self) -> None:
        """Back to one uncalibrated position, as before any data (without emitting)."""
        self.set_axis(Axis("index", 1))

    def set_index(self, index: int) -> None:
        """Move to ``index`` (clipped) without feedback loops."""
        self.slider.setValue(int(index))

    def _on_value(self, value: int) -> None:
        self.spin.blockSignals(True)
        self.spin.setValue(value + self.first)
        self.spin.blockSignals(False)
        self._update_label(value)
        self.index_changed.emit(value)

    def _update_label(self, value: int) -> None:
        axis = self._axis
        last = axis.size - 1 + self.first
        if axis.calibrated:
            self.value_label.setText(f"{axis.to_value(value):.4g} {axis.units}")
        elif axis.size < 2:
            self.value_label.setText("")
        else:
            self.value_label.setText(f"of {last}" if self.first == 1 else f"of {self.first}–{last}")
