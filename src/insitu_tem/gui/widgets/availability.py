"""An action the data decline at once is disabled, and its tooltip says why."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def set_available(widget: QWidget, reason: str, *, tooltip: str) -> None:
    """Enable ``widget`` when ``reason`` is empty; else disable it with ``reason`` under its
    ``tooltip`` (what it does)."""
    widget.setEnabled(not reason)
    widget.setToolTip(tooltip if not reason else f"{tooltip}\nNot available: {reason}")
