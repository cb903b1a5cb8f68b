"""What the user draws on the movie: scan lines of the line scans, the analysis line and the
front marks (a facet of :class:`~insitu_tem.core.session.Session`)."""

from __future__ import annotations

from insitu_tem.core.results import plain


class Annotations:
    """Scan lines (ScanRegistration dict form), the analysis line and the front marks, px."""

    _scan_lines: dict[str, dict]
    _analysis_line: list | None
    _marks: dict[int, list]

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
