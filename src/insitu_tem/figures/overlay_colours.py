"""The colours of the overlays on the movie — one definition for the screen and the export."""

from __future__ import annotations

ANALYSIS_LINE = "#7cfc00"
"""The analysis line (kymograph, front track): green, unlike either scan line."""

SCAN_LINES = {"eels": "#00e5ff", "nbd": "#ff66cc"}
"""The EELS (cyan) and NBD (pink) scan lines, by role."""

PROBE = "#ffcc00"
"""The probe position on the scan line."""

FRONT = "#d62728"
"""The reaction front across the scan line."""

MARKS = "#ff5050"
"""Manual front marks."""

NBD_CENTRE = "#00e0ff"
"""The direct-beam centre on an NBD pattern."""

NBD_SPOTS = "#ffd040"
"""The diffraction spots found on an NBD pattern."""

MEASURE_TOOLS = {"Ruler": "#ffd54f", "Angle": "#ff8a65", "Profile": "#81c784", "Region": "#64b5f6"}
"""The measuring tools (ruler, angle, profile, region) on any image, by tool."""

RING_OVERLAYS = ("#ff6f6f", "#6fb7ff", "#7fd67f", "#ffa040")
"""The simulated ring profiles fitted on an NBD profile, in the order of the candidates."""


def scan_line_colour(role: str) -> str:
    """The colour of the scan line of ``role`` ("eels" or "nbd"; another role: the NBD pink)."""
    return SCAN_LINES.get(role, SCAN_LINES["nbd"])
