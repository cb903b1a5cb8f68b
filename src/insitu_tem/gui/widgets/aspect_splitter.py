"""A splitter that puts its two parts side by side in a wide, short area and one above the other
otherwise — images of square data keep a usable size in a laptop's wide dock and in a quadrant."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter


class AspectSplitter(QSplitter):
    """Horizontal while ``width > wide_from × height``, vertical otherwise.

    Parameters
    ----------
    wide_from : float
        Width-to-height ratio from which the parts sit side by side.
    """

    def __init__(self, *, wide_from: float = 1.8, parent=None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.wide_from = float(wide_from)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        size = event.size()
        wide = size.width() > self.wide_from * size.height()
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if orientation != self.orientation():
            self.setOrientation(orientation)
        super().resizeEvent(event)
