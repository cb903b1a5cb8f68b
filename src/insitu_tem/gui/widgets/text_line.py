"""A read-out label that takes no room while it has nothing to say."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel


class TextLine(QLabel):
    """A word-wrapped, selectable ``QLabel`` hidden while its text is empty, so a column of
    read-outs in a short dock does not keep a blank line for each message not shown. (Text set
    before the label has a parent shows once it is laid out.)"""

    def __init__(self, text: str = "", parent=None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt API
        super().setText(text)
        if self.parentWidget() is not None or not text:
            self.setVisible(bool(text))
