"""What the user draws: scan lines of the line scans, the analysis line and the front marks on
the movie, and the measuring tools of each image panel (a facet of
:class:`~insitu_tem.core.session.Session`)."""

from __future__ import annotations

from copy import deepcopy
from typing import Callable

from insitu_tem.core.results import digest, plain


class Annotations:
    """Scan lines (ScanRegistration dict form), the analysis line and the front marks, px, and
    the measuring tools of each panel.

    Parameters
    ----------
    emit : callable
        The session's ``emit(event, *payload, dirty=True)``.
    """

    def __init__(self, emit: Callable[..., None]) -> None:
        self._emit = emit
        self._scan_lines: dict[str, dict] = {}
        self._analysis_line: list | None = None
        self._marks: dict[int, list] = {}
        self._measurements: dict[str, dict] = {}

    def copy_from(self, other: "Annotations") -> None:
        """Take a copy of ``other``'s annotations (a snapshot)."""
        self._scan_lines, self._analysis_line, self._marks, self._measurements = deepcopy(
            (other._scan_lines, other._analysis_line, other._marks, other._measurements)
        )

    def fingerprint(self, key: str) -> str:
        """Fingerprint of "analysis_line", "marks" or "scan_line.<role>" ("" when absent)."""
        if key == "analysis_line":
            return digest(self._analysis_line) if self._analysis_line else ""
        if key == "marks":
            return digest({str(k): v for k, v in self._marks.items()}) if self._marks else ""
        line = self._scan_lines.get(key.removeprefix("scan_line."))
        return digest(line) if line else ""

    @property
    def scan_lines(self) -> dict[str, dict]:
        return {role: dict(line) for role, line in self._scan_lines.items()}

    def scan_line(self, role: str) -> dict | None:
        line = self._scan_lines.get(role)
        return dict(line) if line else None

    def set_scan_line(self, role: str, line: dict | None) -> None:
        """Register ``role``'s line scan on the movie (ScanRegistration dict form; None removes
        it)."""
        if line is None:
            self._scan_lines.pop(role, None)
        else:
            self._scan_lines[role] = plain(dict(line))
        self._emit("scan_line", role)

    @property
    def analysis_line(self) -> list | None:
        """Vertices [[row, col], ...] of the user's analysis line on the movie, px (None: not
        drawn)."""
        return None if self._analysis_line is None else [list(p) for p in self._analysis_line]

    def set_analysis_line(self, points_rc) -> None:
        self._analysis_line = (
            None if points_rc is None else [[float(r), float(c)] for r, c in points_rc]
        )
        self._emit("analysis_line")

    @property
    def marks(self) -> dict[int, list]:
        """Front marks ``{frame: [[row, col], ...]}`` in raw movie px."""
        return {frame: [list(p) for p in points] for frame, points in self._marks.items()}

    def set_marks(self, marks: dict) -> None:
        self._marks = {
            int(frame): [[float(r), float(c)] for r, c in points]
            for frame, points in sorted(marks.items(), key=lambda item: int(item[0]))
            if points
        }
        self._emit("marks")

    @property
    def measurement_panels(self) -> list[str]:
        """Panels ("movie", "hrtem", "nbd") with measuring tools open."""
        return list(self._measurements)

    def measurements(self, panel: str) -> dict:
        """The measuring tools open on ``panel`` ({} when none): ``view`` (the image measured on:
        "frame" for the panel's data frame, else the name of a derived image such as "FFT"),
        ``width_px`` (profile width), ``tools`` (``{"Ruler": [[row, col], [row, col]], ...}``,
        handle positions in the image's calibrated coordinates; a region is its two opposite
        corners, the angle its two lines' four ends) and ``readout`` (the numbers shown)."""
        return deepcopy(self._measurements.get(panel, {}))

    def set_measurements(self, panel: str, entry: dict | None) -> None:
        """Replace ``panel``'s measuring tools (None or no tools: none open); the readout is
        kept until :meth:`set_measurement_readout` replaces it."""
        readout = self._measurements.get(panel, {}).get("readout", "")
        if not entry or not entry.get("tools"):
            self._measurements.pop(panel, None)
        else:
            self._measurements[panel] = {
                "view": str(entry.get("view", "frame")),
                "width_px": int(entry.get("width_px", 1)),
                "tools": {
                    str(tool): [[float(r), float(c)] for r, c in points]
                    for tool, points in entry["tools"].items()
                },
                "readout": str(entry.get("readout", readout)),
            }
        self._emit("measurements", panel, "geometry")

    def set_measurement_readout(self, panel: str, text: str) -> None:
        """The numbers ``panel``'s tools show (measured from what it shows: derived, so not an
        unsaved change)."""
        entry = self._measurements.get(panel)
        if entry is not None and entry["readout"] != text:
            entry["readout"] = str(text)
            self._emit("measurements", panel, "readout", dirty=False)
