"""Binds the timeline panel to the movie's frames, the task runner and the undo stack.

The log is read and put on the frames' times in a worker (``analysis.timeline.frames``); the clock
offset is an undoable edit; the panel's cursor and the movie's frame follow each other. With the
session (``state``), the dose, the front against the charge and the Li per formula unit come from
:class:`~insitu_tem.gui.controllers.timeline_results.TimelineResults`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from insitu_tem.core.holder_log import HolderLog
from insitu_tem.gui.controllers.timeline_results import TimelineResults
from insitu_tem.gui.errors import describe
from insitu_tem.gui.tasks import TaskRunner
from insitu_tem.gui.undo import SetValueCommand

if TYPE_CHECKING:
    from insitu_tem.gui.controllers.session_bridge import SessionBridge
    from insitu_tem.gui.panels.timeline.panel import TimelinePanel


def _load_and_place(
    path: str,
    frame_times: np.ndarray,
    offset_s: float,
    current_channel: str | None,
    movie_start: datetime | None,
):
    from insitu_tem.io.holder_logs import load_log
    from insitu_tem.analysis.timeline.frames import frame_timeline

    log = load_log(path)
    return log, frame_timeline(
        frame_times,
        log,
        movie_start=movie_start,
        offset_s=offset_s,
        current_channel=current_channel,
    )


def _load_alone(path: str) -> tuple[HolderLog, str | None]:
    """The log in ``path`` and its current channel (None: none in A)."""
    from insitu_tem.io.holder_logs import load_log
    from insitu_tem.analysis.timeline.sync import find_current_channel

    log = load_log(path)
    return log, find_current_channel(log)


class TimelineController(QObject):
    """The timeline's logic: which log, which offset, which frame.

    Parameters
    ----------
    panel : TimelinePanel
    tasks : TaskRunner
    undo_stack : QUndoStack
    frame_times : callable
        Returns the movie's frame times (s), or None without a movie.
    set_frame : callable
        Moves the movie (and every linked panel) to a frame index.
    store_state : callable, optional
        Stores :meth:`project_state` in the session after each user edit.
    state : SessionBridge, optional
        The session, for the dose, front and Li per f.u. (without it the panel shows the log only).
    movie_start : callable, optional
        Returns the movie's recorded absolute start (the log is then placed by the time stamps,
        the offset correcting the clocks), or None.
    """

    changed = Signal()

    def __init__(
        self,
        panel: TimelinePanel,
        tasks: TaskRunner,
        undo_stack: QUndoStack,
        *,
        frame_times: Callable[[], np.ndarray | None],
        set_frame: Callable[[int], None],
        store_state: Callable[[dict], None] | None = None,
        state: SessionBridge | None = None,
        movie_start: Callable[[], datetime | None] = lambda: None,
    ) -> None:
        super().__init__(panel)
        self.panel, self.tasks, self.undo_stack = panel, tasks, undo_stack
        self.frame_times, self.set_frame, self.movie_start = frame_times, set_frame, movie_start
        if store_state is not None:
            self.changed.connect(lambda: store_state(self.project_state()))
        self.log_path: str | None = None
        self.log: HolderLog | None = None
        self.offset_s = 0.0
        self.current_channel: str | None = None
        panel.frameRequested.connect(set_frame)
        panel.offsetEdited.connect(self.edit_offset)
        self.results = (
            None
            if state is None
            else TimelineResults(
                panel, tasks, state, undo_stack, timeline=lambda: self.panel.timeline
            )
        )
        if self.results is not None:
            self.results.changed.connect(self.changed)

    def open_log(self, path: str | Path, *, user: bool = True) -> None:
        """Read ``path`` in the background and show it on the movie's time axis (``user``: a user's
        edit, stored in the session, rather than a project being restored)."""
        self.log_path = str(path)
        self.log = None
        self.recompute()
        if user:
            self.changed.emit()

    def reset(self) -> None:
        """Forget the log (a new session)."""
        self.log_path, self.log, self.offset_s, self.current_channel = None, None, 0.0, None
        self.panel.clear()
        if self.results is not None:
            self.results.restore({})

    def edit_offset(self, offset_s: float) -> None:
        """The user's new clock offset (s), as one undo step."""
        if offset_s == self.offset_s:
            return
        self.undo_stack.push(
            SetValueCommand(
                self._apply_offset, self.offset_s, float(offset_s), "Timeline clock offset"
            )
        )

    def _apply_offset(self, offset_s: float) -> None:
        self.offset_s = float(offset_s)
        self.recompute()
        self.changed.emit()

    def recompute(self) -> None:
        """Place the log on the current movie's frames again (after a new log, movie or offset)."""
        times = self.frame_times()
        if self.log_path is None:
            return
        if times is None or len(times) < 1:
            self._show_alone()
            return
        path, offset, channel = self.log_path, self.offset_s, self.current_channel
        start = self.movie_start()
        self.tasks.submit(
            lambda: _load_and_place(path, np.asarray(times, dtype=float), offset, channel, start),
            key="timeline",
            on_result=self._show,
            on_error=lambda error: self.panel.status.setText(
                f"{Path(path).name}: {describe(error).message}"
            ),
            description="Holder log on the movie",
        )

    def _show_alone(self) -> None:
        """No movie: the log's channels on its own clock (read in the background)."""
        path = self.log_path
        self.panel.show_log_opening(Path(path).name)
        self.tasks.submit(
            lambda: _load_alone(path),
            key="timeline",
            on_result=lambda loaded: self.panel.show_log_alone(
                loaded[0], current_channel=self.current_channel or loaded[1]
            ),
            on_error=lambda error: self.panel.status.setText(
                f"{Path(path).name}: {describe(error).message}"
            ),
            description="Holder log",
        )

    def _show(self, loaded) -> None:
        self.log, timeline = loaded
        self.panel.show_timeline(self.log, timeline)
        if self.results is not None:
            self.results.show_front()

    def on_frame(self, index: int) -> None:
        self.panel.set_frame(index)

    def project_state(self) -> dict:
        """What a project stores: the log file, the clock offset, the integrated channel, and the
        dose parameters, film geometry and picked front position."""
        return {
            "log_path": self.log_path,
            "offset_s": self.offset_s,
            "current_channel": self.current_channel,
            **(self.results.state_dict() if self.results is not None else {}),
        }

    def restore_project_state(self, state: dict | None, *, base: Path | None = None) -> None:
        """Reopen the log of a saved project (``base``: the project's folder, for relative paths and
        for a log moved along with the project)."""
        self.reset()
        state = state if isinstance(state, dict) else {}
        path = state.get("log_path")
        offset = state.get("offset_s", 0.0)
        self.offset_s = (
            float(offset) if isinstance(offset, (int, float)) and np.isfinite(offset) else 0.0
        )
        channel = state.get("current_channel")
        self.current_channel = channel if isinstance(channel, str) else None
        if self.results is not None:
            self.results.restore(state)
        if isinstance(path, str) and path:
            candidate = Path(path) if Path(path).is_absolute() or base is None else base / path
            if not candidate.exists() and base is not None and (base / Path(path).name).exists():
                candidate = base / Path(path).name
            if not candidate.is_file():
                self.log_path = path
                self.panel.status.setText(
                    f"The project's holder log {Path(path).name} was not found; "
                    "use Open Log… to locate it."
                )
                return
            self.open_log(candidate, user=False)
