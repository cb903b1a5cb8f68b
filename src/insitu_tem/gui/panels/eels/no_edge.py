"""What the EELS panel says while no edge is measured — none detected in the data's range (the
data opened on none), none chosen, or no energy calibration — in the status line and on the
empty profiles or maps beside the spectrum, rather than opening on an edge it does not show."""

from __future__ import annotations

from insitu_tem.core.model import Axis


def no_edge_text(low_eV: float, high_eV: float) -> str:
    """The status line's words for a spectrum on ``low_eV``–``high_eV`` (eV) in which no
    candidate edge rises above the noise."""
    return f"{_none_detected(low_eV, high_eV)}: choose an edge to measure"


def profile_hints(energy: Axis, *, chosen: bool, mapped: bool) -> tuple[str, str]:
    """What the empty shift and window plots of a scan (``mapped``: a spectrum image's maps) on
    ``energy`` say while no edge is measured: why (no energy calibration; ``chosen``: the user
    chose none; else none detected), and what choosing an edge shows there."""
    if energy.units != "eV":
        return ("No energy calibration: set one (Edit ▸ Set Calibration) to measure",) * 2
    low, high = energy.coordinates()[[0, -1]]
    why = "No edge chosen" if chosen else _none_detected(low, high)
    verb = "map" if mapped else "plot"
    return tuple(
        f"{why}: choose an edge (Edge, above) to {verb} its {what} here"
        for what in ("chemical shift", "background-subtracted counts")
    )


def _none_detected(low_eV: float, high_eV: float) -> str:
    return f"No core-loss edge detected in {low_eV:.0f}–{high_eV:.0f} eV"
