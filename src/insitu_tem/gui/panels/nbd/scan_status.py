"""The NBD panel's status line for a scan result: reference, crystalline positions, where the
strain is not measured and why, a flagged beam centre, the ellipse correction in effect."""

from __future__ import annotations

import numpy as np

from insitu_tem.figures.probe_numbers import probe_number
from insitu_tem.figures.nbd_map_values import strain_gaps
from insitu_tem.gui.controllers.nbd_analysis import ellipse_note

__all__ = ["centre_warning", "scan_order", "scan_status", "strain_gaps"]


def scan_order(nav: tuple) -> str:
    """How the patterns of a 2-D scan are laid along the plots' x axis ("" for a line scan)."""
    if len(nav) < 2:
        return ""
    rows, cols = nav[0], nav[-1]
    step = f", step {cols.scale:.4g} {cols.units}" if cols.units not in ("", "px") else ""
    return f"Probe, row by row ({rows.size} × {cols.size} scan{step})"


def scan_status(value: dict, ellipse) -> str:
    """The status line for the scan result ``value`` (``ellipse``: the correction or None)."""
    crystalline = np.asarray(value["crystalline"], bool)
    return (
        f"Strain reference: pattern {probe_number(value['reference_index'])}; "
        f"{int(crystalline.sum())} of {len(crystalline)} positions crystalline"
        + strain_gaps(value)
        + centre_warning(value)
        + (f"; {ellipse_note(ellipse)}" if ellipse is not None else "")
    )


def centre_warning(value: dict) -> str:
    """ "; beam centre not trusted: <reason>" when the scan's descan fit is flagged, else ""."""
    if value.get("centre_ok", True):
        return ""
    return f"; beam centre not trusted: {value.get('centre_reason') or 'no reason given'}"
