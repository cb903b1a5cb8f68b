"""The NBD radial profile at the session's probe as the panel shows it: the measured I(q) with
its ring positions and the simulated ring profiles fitted on it (result "nbd.rings"), and the
reduced PDF G(r) with its note."""

from __future__ import annotations

import numpy as np

from insitu_tem.figures.probe_numbers import probe_number
from insitu_tem.core.model import DataError
from insitu_tem.core.session import Session
from insitu_tem.figures.compose import ProfileView
from insitu_tem.figures.overlay_colours import RING_OVERLAYS

Q_MIN_SHOWN = 0.15


def overlay_label(overlay: dict) -> str:
    """The legend of a fitted ring overlay: candidate and R factor (screen and export)."""
    return f"{overlay['label']} (R = {overlay['r_factor']:.2f})"


def nbd_profile_views(session: Session) -> list[ProfileView]:
    """I(q) at the session's probe with the ring positions and the fitted overlays, and G(r)."""
    scan = session.result("nbd")
    if scan is None or scan.value.get("q_per_A") is None:
        raise DataError("analyse the calibrated NBD scan first; the profile view shows its result")
    value = scan.value
    index = min(session.probe, len(value["profiles"]) - 1)
    q = np.asarray(value["q_per_A"], float)
    shown = q > Q_MIN_SHOWN
    profile = np.asarray(value["profiles"][index], float)
    rings = list(value["ring_q_per_A"][index]) if value["ring_q_per_A"] else []
    stored = session.result("nbd.rings")
    fitted = (
        stored.value
        if stored is not None
        and session.result_status("nbd.rings") == "current"
        and stored.parameters["index"] == index
        else None
    )
    lines = [
        (
            overlay_label(o),
            np.asarray(o["q_per_A"], float),
            np.asarray(o["fitted"], float),
            "-",
            RING_OVERLAYS[i % len(RING_OVERLAYS)],
        )
        for i, o in enumerate(fitted["overlays"] if fitted else [])
        if o["ok"]
    ]
    views = [
        ProfileView(
            q[shown],
            [("measured", profile[shown], None)],
            "q = 1/d (1/Å)",
            "Intensity (counts/px)",
            rings,
            title=f"NBD profile, probe {probe_number(index)}",
            lines=lines,
            note=f"ePDF composition {stored.parameters['composition']}" if fitted else "",
        )
    ]
    if fitted and fitted["pdf"] is not None:
        pdf = fitted["pdf"]
        views.append(
            ProfileView(
                np.asarray(pdf["r_A"], float),
                [("G(r)", np.asarray(pdf["G_r"], float), None)],
                "r (Å)",
                "G(r) (1/Å²)",
                title="Reduced PDF",
                note=fitted["pdf_message"],
            )
        )
    return views
