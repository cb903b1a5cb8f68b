"""Recent files and the folder file dialogs start in, kept in the user's settings."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import QMenu

MAX_RECENT = 10


class RecentFiles(QObject):
    """File ▸ Open Recent: the last :data:`MAX_RECENT` files and projects opened or saved.

    ``open_paths(list)`` opens an entry the user picks.
    """

    def __init__(
        self, settings: QSettings, open_paths: Callable[[list], None], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.settings, self.open_paths = settings, open_paths
        self.menu: QMenu | None = None

    def attach(self, menu: QMenu) -> None:
        """Fill ``menu`` now and whenever a file is remembered."""
        self.menu = menu
        self.refresh()

    def remember(self, path: str) -> None:
        """Put ``path`` first and make its folder where dialogs open."""
        recent = [p for p in self.paths() if p != path]
        self.settings.setValue("recent_files", [path] + recent[: MAX_RECENT - 1])
        self.settings.setValue("last_folder", str(Path(path).parent))
        self.refresh()

    def use_folder(self, path: str) -> None:
        """Make the folder of ``path`` (a file just written) where dialogs open."""
        self.settings.setValue("last_folder", str(Path(path).parent))

    def paths(self) -> list[str]:
        value = self.settings.value("recent_files", [])
        return [value] if isinstance(value, str) else list(value or [])

    def last_folder(self) -> str:
        """Folder of the last file opened or saved ("" before the first)."""
        return str(self.settings.value("last_folder", "") or "")

    def refresh(self) -> None:
        if self.menu is None:
            return
        self.menu.clear()
        for path in self.paths():
            action = self.menu.addAction(path)
            action.triggered.connect(lambda _=False, p=path: self.open_paths([p]))
        self.menu.setEnabled(bool(self.paths()))
