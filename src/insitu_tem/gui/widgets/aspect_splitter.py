"""A splitter that puts its two parts side by side in a wide, short area and one above the other
otherwise — images of square data keep a usable size in a laptop's wide dock and in a quadrant."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter


class AspectSplitter(QSplitter):
    """Horizontal while ``width > wide_from × height``, vertical otherwise; always horizontal
    while :attr:`follows_aspect` is False.

    Parameters
    ----------
    wide_from : float
        Width-to-height ratio from which the parts sit side by side.
    """

    def __init__(self, *, wide_from: float = 1.8, parent=None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.wide_from = float(wide_from)
        self.follows_aspect = True
        self.shares: list[int] | None = None

    def set_follows_aspect(self, follows: bool, *, shares: list[int] | None = None) -> None:
        """Follow the area's aspect (True) or stay side by side (False), applied at once;
        ``shares``: the parts' relative sizes, set again whenever the orientation changes (None:
        as Qt keeps them)."""
        self.follows_aspect, self.shares = bool(follows), shares
        self._orient(self.width(), self.height())
        if shares is not None:
            self.setSizes(shares)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        self._orient(event.size().width(), event.size().height())
        super().resizeEvent(event)

    def _orient(self, width: int, height: int) -> None:
        wide = not self.follows_aspect or width > self.wide_from * height
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if orientation != self.orientation():
            self.setOrientation(orientation)
            if self.shares is not None:
                self.setSizes(self.shares)
