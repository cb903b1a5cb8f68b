"""Timeline panel: chosen log channels and the charge passed against movie time, the current frame
as a cursor (dragging it moves the movie), live notes as markers, and the clock offset.

The panel holds widgets only. Its controller gives it a :class:`~insitu_tem.analysis.timeline.frames.
FrameTimeline` and the log (:meth:`show_timeline`) and the frame (:meth:`set_frame`); the panel
emits what the user asks for: ``frameRequested(index)``, ``offsetEdited(seconds)``,
``openRequested()``.
"""

from __future__ import annotations

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
    QVBoxLayout,
    QWidget,
)

from insitu_tem.core.holder_log import HolderLog
from insitu_tem.gui.panels.timeline.plots import TimelinePlots
from insitu_tem.analysis.timeline.frames import FrameTimeline

CHARGE = "charge passed"


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
        self.status = QLabel(
            "Open a holder log (Protochips, Impulse, .dens or CSV) to see it under the movie."
        )
        self.status.setWordWrap(True)
        self.channels = QListWidget()
        self.channels.setMaximumWidth(180)
        self.plots = TimelinePlots()
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
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(split, 1)

    def clear(self) -> None:
        """No log: empty plots and channel list."""
        self.log, self.timeline, self.clicked_log_time = None, None, None
        self.channels.clear()
        self.plots.show_traces([], [], 0.0)
        self.sync_button.setEnabled(False)
        self.offset.blockSignals(True)
        self.offset.setValue(0.0)
        self.offset.blockSignals(False)
        self.status.setText(
            "Open a holder log (Protochips, Impulse, .dens or CSV) to see it under the movie."
        )

    def show_timeline(self, log: HolderLog, timeline: FrameTimeline) -> None:
        """Show ``log`` on the movie's time axis as computed in ``timeline``."""
        first = self.log is None or self.log.source != log.source
        self.log, self.timeline = log, timeline
        self.offset.blockSignals(True)
        self.offset.setValue(timeline.offset_s)
        self.offset.blockSignals(False)
        if first:
            self._fill_channels(log, timeline)
        self._redraw()

    def _fill_channels(self, log: HolderLog, timeline: FrameTimeline) -> None:
        self.channels.blockSignals(True)
        self.channels.clear()
        names = ([CHARGE] if timeline.current_channel else []) + list(log.channels)
        shown = {CHARGE, timeline.current_channel} | {
            n for n in log.channels if log.channels[n].units == "V"
        }
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

    def _redraw(self) -> None:
        if self.log is None or self.timeline is None:
            return
        traces = []
        for name in self.checked_channels():
            if name == CHARGE:
                traces.append(
                    (
                        CHARGE,
                        "C",
                        self.timeline.frame_time_s,
                        self.timeline.charge_C,
                        self.timeline.charge_sigma_C,
                    )
                )
            else:
                channel = self.log.channels[name]
                traces.append(
                    (name, channel.units, self.movie_time_of(self.log.time_s), channel.values, None)
                )
        notes = [(float(self.movie_time_of(n.time_s)), n.text) for n in self.log.notes]
        self.plots.show_traces(traces, notes, self._frame_time())
        self._update_status()

    def set_frame(self, index: int) -> None:
        """Move the cursor to frame ``index`` (no signal)."""
        self.frame = int(index)
        if self.timeline is not None:
            self.plots.set_cursor(self._frame_time())
            self._update_status()

    def _frame_time(self) -> float:
        if self.timeline is None or self.timeline.frame_time_s.size == 0:
            return 0.0
        return float(
            self.timeline.frame_time_s[min(self.frame, self.timeline.frame_time_s.size - 1)]
        )

    def _update_status(self) -> None:
        timeline = self.timeline
        index = min(self.frame, timeline.frame_time_s.size - 1)
        text = f"frame {index}, t = {timeline.frame_time_s[index]:.2f} s"
        if timeline.current_channel and np.isfinite(timeline.charge_C[index]):
            text += f": Q = {timeline.charge_C[index]:.4g} ± {timeline.charge_sigma_C[index]:.2g} C"
        if not timeline.ok:
            text += f" ({timeline.reason})"
        self.status.setText(text)

    def _on_cursor_dragged(self, time_s: float) -> None:
        if self.timeline is None:
            return
        index = int(np.argmin(np.abs(self.timeline.frame_time_s - time_s)))
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
