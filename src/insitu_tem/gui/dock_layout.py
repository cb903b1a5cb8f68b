"""The docks of the main window: where each panel sits, their minimum sizes, and View ▸ Reset Layout.

Each panel sits in a scroll area inside its dock, so a panel whose controls are wider than its
share of a laptop screen scrolls instead of forcing the whole window wider. The default layout is
four quadrants (movie and FFT on top, NBD and EELS below); the other panels are tabs behind them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QFrame, QLabel, QMainWindow, QScrollArea, QWidget

LEFT, RIGHT = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea

PLACEMENT = (
    ("movie", "Movie", LEFT, None),
    ("hrtem", "FFT", RIGHT, None),
    ("nbd", "NBD", LEFT, None),
    ("eels", "EELS", RIGHT, None),
    ("across", "Across front", RIGHT, "eels"),
    ("tomo", "Tomography", RIGHT, "hrtem"),
    ("timeline", "Timeline", LEFT, "nbd"),
)
"""(role, dock title, area, tabbed behind) in the order the docks are added."""

MIN_DOCK_SIZE = (320, 200)
"""Smallest dock, px (width, height): a panel below this is no longer usable."""


class DockLayout:
    """Creates the docks (with a placeholder until the panels exist) and restores the default layout.

    Parameters
    ----------
    window : QMainWindow
        The window the docks belong to.
    """

    def __init__(self, window: QMainWindow) -> None:
        self.window = window
        self.docks: dict[str, QDockWidget] = {}
        for role, title, _area, _behind in PLACEMENT:
            dock = QDockWidget(title, window)
            dock.setObjectName(f"dock-{role}")
            dock.setMinimumSize(*MIN_DOCK_SIZE)
            placeholder = QLabel("Loading…")
            placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            dock.setWidget(placeholder)
            self.docks[role] = dock
        self.place()

    def set_panel(self, role: str, panel: QWidget) -> None:
        """Show ``panel`` in its dock, scrolling when the dock is smaller than the panel's minimum."""
        scroll = QScrollArea()
        scroll.setObjectName(f"scroll-{role}")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(panel)
        self.docks[role].setWidget(scroll)

    def panel(self, role: str) -> QWidget | None:
        """The panel shown in the dock of ``role`` (None while it is a placeholder)."""
        content = self.docks[role].widget()
        return content.widget() if isinstance(content, QScrollArea) else None

    def place(self) -> None:
        """Put every dock where the default layout has it, visible and docked, front tabs raised."""
        for role, _title, area, behind in PLACEMENT:
            dock = self.docks[role]
            dock.setFloating(False)
            self.window.addDockWidget(area, dock)
            if behind is not None:
                self.window.tabifyDockWidget(self.docks[behind], dock)
            dock.show()
        for role in ("movie", "hrtem", "nbd", "eels"):
            self.docks[role].raise_()

    def balance(self) -> None:
        """Split the window into four similar quadrants (movie and FFT on top)."""
        left = [self.docks["movie"], self.docks["nbd"]]
        right = [self.docks["hrtem"], self.docks["eels"]]
        self.window.resizeDocks([left[0], right[0]], [1, 1], Qt.Orientation.Horizontal)
        self.window.resizeDocks(left, [1, 1], Qt.Orientation.Vertical)
        self.window.resizeDocks(right, [1, 1], Qt.Orientation.Vertical)

    def reset(self) -> None:
        """View ▸ Reset Layout: the default placement and quadrant sizes."""
        for dock in self.docks.values():
            self.window.removeDockWidget(dock)
        self.place()
        self.balance()
