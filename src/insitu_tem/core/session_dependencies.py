"""What depends on the dataset of a role, across a session's facets: the results computed from it
(transitively), its calibration override, scan line and measuring tools, and for the movie the
analysis line, the front marks and every scan line (a facet of
:class:`~insitu_tem.core.session.Session`)."""

from __future__ import annotations

from insitu_tem.core.dependencies import Invalidation, dependent_results
from insitu_tem.core.session_annotations import Annotations
from insitu_tem.core.session_data import Calibrations
from insitu_tem.core.session_results import ResultStore


class Dependencies:
    """Previews, removes and puts back what depends on a role's dataset.

    Parameters
    ----------
    calibrations, annotations, results : the session's facets holding the dependents.
    """

    def __init__(
        self, calibrations: Calibrations, annotations: Annotations, results: ResultStore
    ) -> None:
        self._calibrations, self._annotations, self._results = calibrations, annotations, results

    def dependents(self, role: str) -> Invalidation:
        """What replacing ``role`` would remove (nothing is changed)."""
        notes = self._annotations
        movie = role == "movie"
        lines = (
            notes.scan_lines if movie else {k: v for k, v in notes.scan_lines.items() if k == role}
        )
        keys = {role, f"scan_line.{role}"} | {f"scan_line.{r}" for r in lines}
        keys |= {"analysis_line", "marks"} if movie else set()
        return Invalidation(
            role,
            dependent_results(self._results.results, keys),
            lines,
            notes.analysis_line if movie else None,
            notes.marks if movie else {},
            self._calibrations.calibration(role),
            notes.measurements(role),
        )

    def invalidate(self, role: str) -> Invalidation:
        """Remove what depends on ``role`` (each removal emits its event); return it."""
        lost = self.dependents(role)
        notes = self._annotations
        for name in lost.results:
            self._results.clear_result(name)
        for line_role in lost.scan_lines:
            notes.set_scan_line(line_role, None)
        if lost.analysis_line is not None:
            notes.set_analysis_line(None)
        if lost.marks:
            notes.set_marks({})
        if lost.calibration:
            self._calibrations.set_calibration(role)
        if lost.measurements:
            notes.set_measurements(role, None)
        return lost

    def reinstate(self, lost: Invalidation) -> None:
        """Put back what replacing a dataset removed (undo)."""
        notes = self._annotations
        if lost.calibration:
            self._calibrations.set_calibration(lost.role, **lost.calibration)
        for role, line in lost.scan_lines.items():
            notes.set_scan_line(role, line)
        if lost.analysis_line is not None:
            notes.set_analysis_line(lost.analysis_line)
        if lost.marks:
            notes.set_marks(lost.marks)
        if lost.measurements:
            notes.set_measurements(lost.role, lost.measurements)
        for name, result in lost.results.items():
            self._results.store_result(name, result)
