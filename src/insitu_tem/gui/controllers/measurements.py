"""The measuring tools of an image panel bound to the session: what the user draws is an undo
step in the session's ``measurements`` of that panel, and the tools show what the session holds
(undo, an opened project, a replaced dataset).

The panel's first image is its data frame, recorded as view "frame" (what an export of the
role draws); another image (the FFT of an HRTEM frame) is recorded by its name.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoStack

from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.undo import SetValueCommand
from insitu_tem.gui.widgets.measure_tools import MeasureTools

FRAME = "frame"


class MeasurementBinding(QObject):
    """Keeps ``tools`` and the session's ``measurements(panel)`` the same (module docstring).

    Parameters
    ----------
    tools : MeasureTools
        The panel's measuring tools.
    state : SessionBridge
        The session on screen.
    undo_stack : QUndoStack
        Where each edit of the tools becomes a step.
    panel : str
        The session's name of the panel ("movie", "hrtem", "nbd").
    """

    def __init__(
        self,
        tools: MeasureTools,
        state: SessionBridge,
        undo_stack: QUndoStack,
        panel: str,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.tools, self.state, self.undo_stack, self.panel = tools, state, undo_stack, panel
        self._frame_view = next(iter(tools.views))
        tools.edited.connect(self._edited)
        tools.measured.connect(self._measured)
        state.session_event.connect(self._on_event)
        state.session_replaced.connect(self._show)

    def _stored(self) -> dict:
        entry = self.state.session.measurements(self.panel)
        entry.pop("readout", None)
        return entry

    def _on_screen(self) -> dict:
        entry = self.tools.geometry()
        if entry["view"] == self._frame_view:
            entry["view"] = FRAME
        return entry if entry["tools"] else {}

    def _edited(self) -> None:
        before, after = self._stored(), self._on_screen()
        if not _same(before, after):
            self.undo_stack.push(
                SetValueCommand(self._apply, before, after, _describe(before, after))
            )

    def _apply(self, entry: dict) -> None:
        self.state.session.set_measurements(self.panel, entry or None)
        self._measured(self.tools.result.text())

    def _measured(self, text: str) -> None:
        self.state.session.set_measurement_readout(self.panel, text)

    def _on_event(self, name: str, payload: tuple) -> None:
        if name == "measurements" and payload == (self.panel, "geometry"):
            self._show()

    def _show(self) -> None:
        entry = self._stored()
        if _same(entry, self._on_screen()):
            return
        view = entry.get("view", FRAME)
        shown = {**entry, "view": self._frame_view if view == FRAME else view}
        self.tools.show_geometry(shown if entry else {"view": self._frame_view})


def _same(first: dict, second: dict) -> bool:
    """Same tools on the same image, handles within 1e-9 of each other's position."""
    if {k: v for k, v in first.items() if k != "tools"} != {
        k: v for k, v in second.items() if k != "tools"
    }:
        return False
    a, b = first.get("tools", {}), second.get("tools", {})
    return a.keys() == b.keys() and all(np.allclose(a[k], b[k], rtol=1e-9, atol=1e-9) for k in a)


def _describe(before: dict, after: dict) -> str:
    """The undo step's name: which tool was opened, closed or moved."""
    old, new = before.get("tools", {}), after.get("tools", {})
    for tool in new.keys() - old.keys():
        return f"Open {tool.lower()}"
    for tool in old.keys() - new.keys():
        return f"Close {tool.lower()}"
    if before.get("width_px") != after.get("width_px"):
        return "Change profile width"
    moved = [t for t in new if not np.allclose(new[t], old[t], rtol=1e-9, atol=1e-9)]
    return f"Move {moved[0].lower()}" if moved else "Change measured image"
