"""Shared observable state: the dataset shown in each role and the linked cursor.

Panels never talk to each other; they set and observe this object. The linked
cursor is a movie frame (and its time), a probe index along the line scans and
a point on the film in movie pixels (row, col).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from insitu_tem.core.model import Dataset

ROLES = ("movie", "hrtem", "nbd", "eels")
ROLE_BY_KIND = {
    "movie": "movie",
    "image": "movie",
    "pattern": "nbd",
    "pattern_series": "nbd",
    "spectrum": "eels",
    "spectrum_series": "eels",
}


class AppState(QObject):
    """Datasets per role and the linked cursor.

    Signals
    -------
    dataset_changed(str, object) : role and its new Dataset (or None)
    frame_changed(int) : movie frame index
    scan_index_changed(int) : probe index along the NBD/EELS line scans
    position_changed(float, float) : a point on the film, movie px (row, col)
    cursor_text_changed(str) : what the status bar shows under the mouse
    """

    dataset_changed = Signal(str, object)
    frame_changed = Signal(int)
    scan_index_changed = Signal(int)
    position_changed = Signal(float, float)
    cursor_text_changed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._datasets: dict[str, Dataset | None] = {role: None for role in ROLES}
        self._frame = 0
        self._scan_index = 0
        self._position: tuple[float, float] | None = None

    def dataset(self, role: str) -> Dataset | None:
        """Dataset shown in ``role`` ("movie", "hrtem", "nbd", "eels")."""
        return self._datasets[role]

    def set_dataset(self, role: str, dataset: Dataset | None) -> None:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; expected one of {ROLES}")
        self._datasets[role] = dataset
        self.dataset_changed.emit(role, dataset)

    @property
    def frame(self) -> int:
        return self._frame

    def set_frame(self, index: int) -> None:
        """Move the linked cursor to movie frame ``index`` (clipped to the movie)."""
        movie = self._datasets["movie"]
        limit = movie.n_items - 1 if movie is not None and movie.kind == "movie" else 0
        index = int(min(max(index, 0), max(limit, 0)))
        if index != self._frame:
            self._frame = index
            self.frame_changed.emit(index)

    def time_s(self) -> float | None:
        """Time of the current frame in s, or None without a time-calibrated movie."""
        movie = self._datasets["movie"]
        if movie is None or movie.kind != "movie" or movie.axes[0].units != "s":
            return None
        return movie.axes[0].to_value(self._frame)

    def set_time(self, time_s: float) -> None:
        """Move to the frame nearest ``time_s`` (s)."""
        movie = self._datasets["movie"]
        if movie is not None and movie.kind == "movie":
            self.set_frame(round(movie.axes[0].to_index(time_s)))

    @property
    def scan_index(self) -> int:
        return self._scan_index

    def set_scan_index(self, index: int) -> None:
        """Move the linked cursor to probe ``index`` along the line scans."""
        index = max(int(index), 0)
        if index != self._scan_index:
            self._scan_index = index
            self.scan_index_changed.emit(index)

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
