"""The Qt face of the one core :class:`~insitu_tem.core.session.Session`.

Panels never talk to each other and keep no state of their own that matters: they
change the session and render what it holds. This bridge forwards the session's
events as Qt signals (on the GUI thread, where the session lives) and keeps what is
only transient on screen (the point under the mouse, the status-bar readout).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from insitu_tem.core.dependencies import Invalidation
from insitu_tem.core.model import Dataset
from insitu_tem.core.session import ROLES, Session

ROLE_BY_KIND = {
    "movie": "movie",
    "image": "movie",
    "pattern": "nbd",
    "pattern_series": "nbd",
    "spectrum": "eels",
    "spectrum_series": "eels",
}
__all__ = ["ROLES", "ROLE_BY_KIND", "SessionBridge"]


class SessionBridge(QObject):
    """The session the window shows, with Qt signals for its events.

    Signals
    -------
    dataset_changed(str, object) : role and its (calibrated) Dataset, or None
    frame_changed(int) : movie frame index
    scan_index_changed(int) : probe index along the NBD/EELS line scans
    session_event(str, object) : every session event: name and payload tuple
    session_replaced() : another session (an opened project) is now shown
    position_changed(float, float) : a point on the film, movie px (row, col)
    cursor_text_changed(str) : what the status bar shows under the mouse
    """

    dataset_changed = Signal(str, object)
    frame_changed = Signal(int)
    scan_index_changed = Signal(int)
    session_event = Signal(str, object)
    session_replaced = Signal()
    position_changed = Signal(float, float)
    cursor_text_changed = Signal(str)

    def __init__(self, session: Session | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session if session is not None else Session()
        self.session.events.connect("*", self._forward)
        self._position: tuple[float, float] | None = None
        self._calibrated: dict[str, tuple] = {}

    def replace_session(self, session: Session) -> None:
        """Show ``session`` instead (its datasets are attached later); every role is announced."""
        self.session.events.disconnect("*", self._forward)
        self.session = session
        session.events.connect("*", self._forward)
        self.session_replaced.emit()
        for role in ROLES:
            self.dataset_changed.emit(role, self.dataset(role))

    def _forward(self, name: str, *payload) -> None:
        if name in ("dataset", "calibration"):
            self.dataset_changed.emit(payload[0], self.dataset(payload[0]))
        elif name == "frame":
            self.frame_changed.emit(int(payload[0]))
        elif name == "probe":
            self.scan_index_changed.emit(int(payload[0]))
        self.session_event.emit(name, payload)

    def dataset(self, role: str) -> Dataset | None:
        """Dataset shown in ``role`` ("movie", "hrtem", "nbd", "eels"), calibration applied
        (the same object until the data or the calibration change)."""
        raw, calibration = self.session.raw_dataset(role), self.session.calibration(role)
        if raw is None or not calibration:
            return raw
        key = tuple(sorted(calibration.items()))
        cached = self._calibrated.get(role)
        if cached is None or cached[0] is not raw or cached[1] != key:
            self._calibrated[role] = cached = (raw, key, self.session.dataset(role))
        return cached[2]

    def set_dataset(self, role: str, dataset: Dataset | None) -> Invalidation:
        """Put ``dataset`` in ``role`` (None removes it); returns what depended on the old one."""
        return self.session.set_dataset(role, dataset)

    @property
    def frame(self) -> int:
        return self.session.frame

    def set_frame(self, index: int) -> None:
        """Move the linked cursor to movie frame ``index`` (clipped to the movie)."""
        movie = self.session.dataset("movie")
        if movie is None or movie.kind == "movie":
            self.session.set_frame(index)

    def time_s(self) -> float | None:
        """Time of the current frame in s, or None without a time-calibrated movie."""
        return self.session.time_s()

    def set_time(self, time_s: float) -> None:
        """Move to the frame nearest ``time_s`` (s)."""
        movie = self.session.dataset("movie")
        if movie is not None and movie.kind == "movie":
            self.set_frame(round(movie.axes[0].to_index(time_s)))

    @property
    def scan_index(self) -> int:
        return self.session.probe

    def set_scan_index(self, index: int) -> None:
        """Move the linked cursor to probe ``index`` along the line scans."""
        self.session.set_probe(index)

    def view(self, key: str):
        """A view setting of the session (e.g. "eels.log")."""
        return self.session.view(key)

    def set_view(self, key: str, value) -> None:
        self.session.set_view(key, value)

    @property
    def position(self) -> tuple[float, float] | None:
        return self._position

    def set_position(self, row: float, col: float) -> None:
        """Mark a point on the film, movie px (row, col)."""
        self._position = (float(row), float(col))
        self.position_changed.emit(float(row), float(col))

    def report_cursor(self, text: str) -> None:
        """Show ``text`` (calibrated cursor readout) in the status bar."""
        self.cursor_text_changed.emit(text)
