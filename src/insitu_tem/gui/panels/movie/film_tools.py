"""The front workbench's film tools: film thickness across the line (as strain) and the reacted
area in every frame (2-D mode), computed through the front jobs and drawn on the workbench."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject

from insitu_tem.analysis.movie.front_area import ReactedArea
from insitu_tem.gui.controllers.front_view import times


class FilmTools(QObject):
    """Thickness and reacted-area buttons of a :class:`FrontWorkbench` (its widgets, its jobs)."""

    def __init__(self, bench) -> None:
        super().__init__(bench)
        self.bench = bench
        self.region_rc: tuple[int, int, int, int] | None = None
        bench.thickness_button.clicked.connect(self.request_thickness)
        bench.area_button.clicked.connect(self.request_area)

    def request_thickness(self) -> None:
        """Film thickness across the line in every frame, as strain."""
        bench = self.bench
        if bench.line_rc is None or bench.dataset is None:
            bench.status.setText("Draw a line across the film first (Line tool).")
            return
        bench.jobs.thickness(
            bench.dataset,
            bench.line_rc,
            width=bench.width_spin.value(),
            shifts_px=bench.shifts_px,
            on_result=self._show_thickness,
        )

    def _show_thickness(self, result) -> None:
        bench = self.bench
        bench.kinetics.set_strain(times(bench.dataset)[0], result.strain)
        axis = bench.dataset.signal_axes[1]
        final = np.nanmean(result.strain[-5:]) * 100 if result.ok else np.nan
        bench.status.setText(
            f"Film thickness {result.reference_px * axis.scale:.4g} {axis.units}"
            f" at start; strain in the last frames {final:.2f} %"
            if result.ok
            else result.reason
        )

    def set_region(self, region_rc: tuple[int, int, int, int] | None) -> None:
        """(row0, row1, col0, col1) px where the reacted region is looked for (None: everywhere)."""
        self.region_rc = region_rc

    def request_area(self) -> None:
        """Segment the reacted region in every frame (2-D mode)."""
        bench = self.bench
        if bench.dataset is None:
            return
        bench.jobs.area(
            bench.dataset, self.region_rc, shifts_px=bench.shifts_px, on_result=self._show_area
        )

    def _show_area(self, result: ReactedArea) -> None:
        bench = self.bench
        bench.area_overlay.set_result(result)
        row, col = bench.dataset.signal_axes
        bench.kinetics.set_area(
            times(bench.dataset)[0], result.area_px * row.scale * col.scale, f"{col.units}²"
        )
        bench.refresh_overlay()
        bench.status.setText(
            f"Reacted region ({'darker' if result.polarity < 0 else 'brighter'}) segmented; "
            f"mean confidence {np.mean(result.confidence):.2f}"
        )
