"""The measuring tools a user left open on an image panel, as an export draws them: their handles
as lines in the frame's pixels, in the colours of the screen, and the numbers they read."""

from __future__ import annotations

from insitu_tem.core.model import Axis
from insitu_tem.core.session import Session
from insitu_tem.figures.overlay_colours import MEASURE_TOOLS


def measurement_overlays(session: Session, panel: str, row: Axis, col: Axis) -> tuple[list, str]:
    """Lines (((row, col) px, ...), colour) of the tools open on ``panel``'s data frame, placed
    with the frame's ``row`` and ``col`` axes, and the readout shown under them ("" and no lines
    when the tools measure another image, e.g. the FFT)."""
    entry = session.measurements(panel)
    if not entry or entry["view"] != "frame":
        return [], ""
    lines = []
    for tool, points in entry["tools"].items():
        px = [(row.to_index(r), col.to_index(c)) for r, c in points]
        colour = MEASURE_TOOLS.get(tool, MEASURE_TOOLS["Ruler"])
        if tool == "Region":
            (r0, c0), (r1, c1) = px
            lines.append(([(r0, c0), (r0, c1), (r1, c1), (r1, c0), (r0, c0)], colour))
        else:
            lines += [(px[k : k + 2], colour) for k in range(0, len(px) - 1, 2)]
    return lines, entry["readout"]
