"""EELS parameters that projects of schema 1 and 2 kept in the panel, moved into the session."""

from __future__ import annotations

from insitu_tem.gui.controllers.session_bridge import SessionBridge


def restore_parameters(state: SessionBridge, saved: dict) -> None:
    """Put the panel state ``saved`` by an old project (edge, windows, model, reference,
    aligned) into the session's "eels" parameters, unless the session holds some already."""
    if not saved.get("edge") or state.session.parameters("eels"):
        return
    state.session.set_parameters(
        "eels",
        {
            "edge": saved["edge"],
            "background": saved.get("background_window"),
            "window": saved.get("signal_window"),
            "model": saved.get("model", "power_law"),
            "reference": saved.get("reference"),
        },
    )
    if "aligned" in saved:
        state.set_view("eels.aligned", bool(saved["aligned"]))
