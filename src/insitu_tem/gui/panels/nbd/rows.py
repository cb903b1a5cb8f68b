"""A row of the NBD panel's controls."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout


def row(*widgets) -> QHBoxLayout:
    """``widgets`` side by side, left-aligned (the rest of the row stretches)."""
    layout = QHBoxLayout()
    for widget in widgets:
        layout.addWidget(widget)
    layout.addStretch(1)
    return layout
