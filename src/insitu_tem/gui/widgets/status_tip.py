"""Messages for the window's status bar from any widget, without a reference to the window, and
tooltips repeated in the status bar while the mouse is over their widget."""

from __future__ import annotations

from PySide6.QtGui import QStatusTipEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget


def show_status(widget: QWidget, text: str) -> None:
    """Show ``text`` in the status bar of the main window holding ``widget`` (what a tool waits
    for), also from a floating dock; without a main window the event goes up from ``widget``."""
    target = widget
    while target is not None and not isinstance(target, QMainWindow):
        target = target.parentWidget()
    QApplication.sendEvent(target or widget, QStatusTipEvent(text))


def mirror_tool_tips(root: QWidget) -> int:
    """Give every widget under ``root`` that has a tooltip and no status tip its tooltip as status
    tip, so hovering it explains it in the status bar too; returns how many were set."""
    count = 0
    for widget in root.findChildren(QWidget):
        if widget.toolTip() and not widget.statusTip():
            widget.setStatusTip(widget.toolTip())
            count += 1
    return count
