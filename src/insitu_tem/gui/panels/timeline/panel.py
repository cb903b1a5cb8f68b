"""Timeline panel: chosen log channels, the charge passed, the electron dose and the Li per
formula unit against movie time, the current frame as a cursor (dragging it moves the movie),
live notes as markers, and the clock offset; a tab with the front position against the charge
(with a position picker); a tab with the dose and film-geometry inputs.

The panel holds widgets only. Its controller gives it a
:class:`~insitu_tem.analysis.timeline.frames.
FrameTimeline` and the log (:meth:`show_timeline`), derived traces (:meth:`set_derived`) and the
frame (:meth:`set_frame`); the panel emits what the user asks for: ``frameRequested(index)``,
``offsetEdited(seconds)``, ``openRequested()``; its sub-widgets emit the dose request
(``dose_inputs.requested``), geometry edits (``geometry.changed``) and the picked front position
(``front_view.targetPicked``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from insitu_tem.core.holder_log import HolderLog
from insitu_tem.core.uncertainty_text import value_with_sigma
from insitu_tem.analysis.timeline.frames import FrameTimeline
from insitu_tem.gui.frame_numbers import frame_number
from insitu_tem.gui.panels.timeline.front_charge import FrontChargeView
from insitu_tem.gui.panels.timeline.inputs import DoseInputs, GeometryInputs
from insitu_tem.gui.panels.timeline.plots import TimelinePlots
from insitu_tem.core.uncertainty_text import si_value_with_sigma

CHARGE = "charge passed"
NO_CHANNEL = "Tick a channel on the left to plot it against movie time"
NO_LOG = "Open a holder log (Protochips, Impulse, .dens or CSV) to see it under the movie."
LOG_CHANNEL = "Tick a channel on the left to plot it against the log's clock"
LOG_ALONE = (
    "{name} is open: open a movie to see it on the movie's time axis "
    "(the plots show the log's own clock, s from its start)."
)


class TimelinePanel(QWidget):
    """Holder-log channels under the movie; see the module docstring for its signals."""

    title = "Timeline"
    frameRequested = Signal(int)
    offsetEdited = Signal(float)
    openRequested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.log: HolderLog | None = None
        self.timeline: FrameTimeline | None = None
        self.derived: dict[str, tuple] = {}
        self.frame_time_s = np.zeros(0)
        self.frame = 0
        self.clicked_log_time: float | None = None
        self.open_button = QPushButton("Open Log…")
        self.offset = QDoubleSpinBox()
        self.offset.setRange(-1e6, 1e6)
        self.offset.setDecimals(3)
        self.offset.setSuffix(" s")
        self.offset.setToolTip("Clock offset: seconds added to movie times on the log's clock")
        self.sync_button = QPushButton("Sync Frame to Click")
        self.sync_button.setToolTip(
            "Click the event in a plot (e.g. the current step when the bias is "
            "switched on), show the frame where it happens, then press this"
        )
        self.sync_button.setEnabled(False)
        self.status = QLabel(NO_LOG)
        self.status.setWordWrap(True)
        self.channels = QListWidget()
        self.channels.setMaximumWidth(180)
        self.plots = TimelinePlots()
        self.front_view = FrontChargeView()
        self.dose_inputs = DoseInputs()
        self.geometry = GeometryInputs()
        self.tabs = QTabWidget()
        self._build_layout()
        self.open_button.clicked.connect(self.openRequested)
        self.offset.editingFinished.connect(lambda: self.offsetEdited.emit(self.offset.value()))
        self.sync_button.clicked.connect(self._sync_to_click)
        self.channels.itemChanged.connect(lambda _item: self._redraw())
        self.plots.cursorDragged.connect(self._on_cursor_dragged)
        self.plots.timeClicked.connect(self._on_time_clicked)

    def _build_layout(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(self.open_button)
        bar.addWidget(QLabel("Clock offset"))
        bar.addWidget(self.offset)
        bar.addWidget(self.sync_button)
        bar.addWidget(self.status, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.channels)
        split.addWidget(self.plots)
        split.setStretchFactor(1, 1)
        split.setSizes([self.channels.maximumWidth(), 1])
        inputs = QWidget()
        row = QHBoxLayout(inputs)
        row.addWidget(self.dose_inputs)
        row.addWidget(self.geometry)
        row.addStretch(1)
        self.tabs.addTab(split, "Traces")
        self.tabs.addTab(self.front_view, "Front vs Charge")
        self.tabs.addTab(inputs, "Dose && Film")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.tabs, 1)

    def clear(self) -> None:
        """No log: empty plots and channel list."""
        self.log, self.timeline, self.clicked_log_time = None, None, None
        self.derived = {}
        self.channels.clear()
        self.plots.show_traces([], [], 0.0)
        self.sync_button.setEnabled(False)
        self.offset.blockSignals(True)
        self.offset.setValue(0.0)
        self.offset.blockSignals(False)
        self.status.setText(NO_LOG)

    def show_timeline(self, log: HolderLog, timeline: FrameTimeline) -> None:
        """Show ``log`` on the movie's time axis as computed in ``timeline``."""
        first = self.log is None or self.log.source != log.source
        alone = not first and self.timeline is None  # shown before any movie: charge joins
        self.log, self.timeline = log, timeline
        self.frame_time_s = timeline.frame_time_s
        self.offset.blockSignals(True)
        self.offset.setValue(timeline.offset_s)
        self.offset.blockSignals(False)
        shown = set(self.checked_channels())
        if first:
            shown = (shown & set(self.derived)) | {CHARGE}
            shown |= _ticked_first(log, timeline.current_channel)
        elif alone:
            shown.add(CHARGE)
        self._fill_channels(shown)
        self._redraw()

    def show_log_opening(self, name: str) -> None:
        """The log file ``name`` is being read with no movie open: say what the plots will show."""
        self.status.setText(LOG_ALONE.format(name=name))

    def show_log_alone(self, log: HolderLog, *, current_channel: str | None) -> None:
        """Show ``log`` before any movie: its channels against its own clock (s from its start),
        the current and the voltages ticked, no frame cursor, no charge at frames."""
        self.log, self.timeline, self.frame_time_s = log, None, np.zeros(0)
        self._fill_channels(_ticked_first(log, current_channel))
        self._redraw()
        self.status.setText(LOG_ALONE.format(name=Path(log.source).name) + log_warnings(log))

    def set_derived(self, name: str, trace: tuple | None) -> None:
        """Show (or with None remove) a channel computed from the session: ``trace`` =
        (units, time_s, values, sigma or None), on the movie's time axis."""
        if trace is None and name not in self.derived:
            return
        shown = set(self.checked_channels())
        if trace is None:
            self.derived.pop(name)
        else:
            if name not in self.derived:
                shown.add(name)
            self.derived[name] = trace
            self.frame_time_s = np.asarray(trace[1], dtype=float)
        self._fill_channels(shown)
        self._redraw()

    def _fill_channels(self, shown: set) -> None:
        self.channels.blockSignals(True)
        self.channels.clear()
        names = [CHARGE] if self.timeline is not None and self.timeline.current_channel else []
        names += list(self.derived) + (list(self.log.channels) if self.log is not None else [])
        for name in names:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in shown else Qt.CheckState.Unchecked)
            self.channels.addItem(item)
        self.channels.blockSignals(False)

    def checked_channels(self) -> list[str]:
        items = (self.channels.item(i) for i in range(self.channels.count()))
        return [item.text() for item in items if item.checkState() == Qt.CheckState.Checked]

    def movie_time_of(self, log_time_s: np.ndarray) -> np.ndarray:
        """Movie time (s) of log times, by the offset between the two clocks at the frames."""
        timeline = self.timeline
        shift = float(np.median(timeline.log_time_s - timeline.frame_time_s))
        return np.asarray(log_time_s, dtype=float) - shift

    def _trace(self, name: str) -> tuple:
        if name == CHARGE:
            timeline = self.timeline
            return (CHARGE, "C", timeline.frame_time_s, timeline.charge_C, timeline.charge_sigma_C)
        if name in self.derived:
            return (name, *self.derived[name])
        channel = self.log.channels[name]
        return (name, channel.units, self._on_clock(self.log.time_s), channel.values, None)

    def _on_clock(self, log_time_s: np.ndarray) -> np.ndarray:
        """Log times on the plots' clock: the movie's, else the log's own (no movie)."""
        return log_time_s if self.timeline is None else self.movie_time_of(log_time_s)

    def _redraw(self) -> None:
        if self.timeline is None and self.log is None and not self.derived:
            return
        traces = [self._trace(name) for name in self.checked_channels()]
        notes = (
            [(float(self._on_clock(n.time_s)), n.text) for n in self.log.notes]
            if self.log is not None
            else []
        )
        if not self.frame_time_s.size:
            self.plots.show_traces(traces, notes, None, hint=LOG_CHANNEL, clock="log time")
            return
        self.plots.show_traces(traces, notes, self._frame_time(), hint=NO_CHANNEL)
        self._update_status()

    def set_frame(self, index: int) -> None:
        """Move the cursor to frame ``index`` (no signal)."""
        self.frame = int(index)
        if self.frame_time_s.size:
            self.plots.set_cursor(self._frame_time())
            self._update_status()

    def _index(self) -> int:
        return min(self.frame, self.frame_time_s.size - 1)

    def _frame_time(self) -> float:
        return float(self.frame_time_s[self._index()]) if self.frame_time_s.size else 0.0

    def _update_status(self) -> None:
        index = self._index()
        parts = [f"frame {frame_number(index)}, t = {self.frame_time_s[index]:.2f} s"]
        timeline = self.timeline
        if (
            timeline is not None
            and timeline.current_channel
            and np.isfinite(timeline.charge_C[index])
        ):
            charge = si_value_with_sigma(
                timeline.charge_C[index], timeline.charge_sigma_C[index], "C"
            )
            parts.append(f"Q = {charge}")
        for name, (units, _time, values, sigma) in self.derived.items():
            if np.isfinite(values[index]):
                value = (
                    f"{values[index]:.4g}"
                    if sigma is None
                    else value_with_sigma(values[index], sigma[index])
                )
                parts.append(f"{name} {value} {units}".rstrip())
        text = parts[0] + (": " + "; ".join(parts[1:]) if parts[1:] else "")
        if timeline is not None and not timeline.ok:
            text += f" ({timeline.reason})"
        self.status.setText(text + log_warnings(self.log))

    def _on_cursor_dragged(self, time_s: float) -> None:
        if not self.frame_time_s.size:
            return
        index = int(np.argmin(np.abs(self.frame_time_s - time_s)))
        if index != self.frame:
            self.frame = index
            self.frameRequested.emit(index)
        self._update_status()

    def _on_time_clicked(self, movie_time_s: float) -> None:
        if self.timeline is None:
            return
        shift = float(np.median(self.timeline.log_time_s - self.timeline.frame_time_s))
        self.clicked_log_time = movie_time_s + shift
        self.sync_button.setEnabled(True)
        self.status.setText(
            f"event picked at log time {self.clicked_log_time:.3f} s: show the frame where it "
            "happens and press Sync Frame to Click"
        )

    def _sync_to_click(self) -> None:
        if self.timeline is None or self.clicked_log_time is None:
            return
        frame_log_time = float(
            self.timeline.log_time_s[min(self.frame, self.timeline.log_time_s.size - 1)]
        )
        offset = self.timeline.offset_s + (self.clicked_log_time - frame_log_time)
        self.sync_button.setEnabled(False)
        self.clicked_log_time = None
        self.offsetEdited.emit(offset)


def log_warnings(log: HolderLog | None) -> str:
    """What the reader of ``log`` left out or doubted (e.g. a cut last row), after a dash with the
    file's name; empty without a log or warnings."""
    if log is None or not log.warnings:
        return ""
    return f" — {Path(log.source).name} {'; '.join(log.warnings)}"


def _ticked_first(log: HolderLog, current_channel: str | None) -> set[str]:
    """The channels ticked when a log opens: the current integrated for the charge and the
    voltages (a biasing holder), else the first channel (a heating or gas log's temperature)."""
    ticked = {current_channel} | {n for n in log.channels if log.channels[n].units == "V"}
    return ticked & set(log.channels) or set(list(log.channels)[:1])
