"""Read-out labels: one that takes no room while it has nothing to say, and a column of them that
scrolls rather than squeeze the controls below it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

MIN_LINES = 3
"""Lines of text a :class:`MessageColumn` keeps in view when the dock is short."""


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


class MessageColumn(QScrollArea):
    """``labels`` one above the other, as tall as their wrapped text where the dock has room and
    at least :data:`MIN_LINES` lines (scrolling the rest) where it has not: long messages never
    squeeze the controls laid out below them."""

    def __init__(self, labels, parent=None) -> None:
        super().__init__(parent)
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        for label in labels:
            column.addWidget(label)
        self.setWidget(body)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
            self._end_between_lines()
        return super().eventFilter(watched, event)

    def _text_height(self) -> int:
        body = self.widget()
        return max(body.heightForWidth(max(self.viewport().width(), 1)), 0)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(super().sizeHint().width(), self._text_height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        ends = self._line_ends()
        return QSize(
            0, min(self._text_height(), ends[min(MIN_LINES, len(ends)) - 1] if ends else 0)
        )

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._end_between_lines()

    def _line_ends(self) -> list[int]:
        """Where each line of the labels shown ends, px from the top of the column (the gaps
        between labels included)."""
        column = self.widget().layout()
        width, ends, top = max(self.viewport().width(), 1), [], 0
        for index in range(column.count()):
            label = column.itemAt(index).widget()
            if label is None or label.isHidden():
                continue
            height, line = label.heightForWidth(width), label.fontMetrics().lineSpacing()
            count = max(round(height / line), 1)
            ends += [top + k * line for k in range(1, count)] + [top + height]
            top += height + column.spacing()
        return ends

    def _end_between_lines(self) -> None:
        """When the text does not fit, leave blank the part of a line the column would cut, so
        that its bottom falls between two lines (scrolled to the top)."""
        room, ends = self.height(), self._line_ends()
        whole = [end for end in ends if end <= room]
        blank = room - whole[-1] if ends and ends[-1] > room and whole else 0
        if blank != self.viewportMargins().bottom():
            self.setViewportMargins(0, 0, 0, blank)
