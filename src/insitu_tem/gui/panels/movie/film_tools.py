"""The front workbench's film tools: film thickness across the line (as strain) and the reacted
area in every frame (2-D mode). Both are session results ("film.thickness", "film.area",
computed by the film workflow through the front jobs, each an undo step); the workbench draws
what the session holds, so a reopened project shows them again."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject

from insitu_tem.core.model import DataError
from insitu_tem.figures.kinetics import area_text, thickness_text
from insitu_tem.workflows.film import AREA, THICKNESS

NAMES = (THICKNESS, AREA)


class FilmTools(QObject):
    """Thickness and reacted-area buttons of a :class:`FrontWorkbench` and their plots."""

    def __init__(self, bench) -> None:
        super().__init__(bench)
        self.bench = bench
        self.region_rc: tuple[int, int, int, int] | None = None
        bench.thickness_button.clicked.connect(self.request_thickness)
        bench.area_button.clicked.connect(self.request_area)
        bench.state.session_event.connect(self._on_session_event)

    def _on_session_event(self, name: str, payload: tuple) -> None:
        if name == "result" and payload[0] in NAMES:
            self.show(payload[0], announce=True)

    def current(self, name: str):
        """The session's result ``name`` when it is current for the movie, line and drift."""
        session = self.bench.state.session
        if self.bench.dataset is None or session.result_status(name) != "current":
            return None
        return session.result(name)

    def request_thickness(self) -> None:
        """Film thickness across the kymograph's line in every frame, as strain."""
        bench, line = self.bench, self.bench.plots.kymograph_line()
        if line is None or bench.dataset is None:
            bench.status.setText("Draw a line across the film first (Line tool).")
            return
        try:
            bench.jobs.thickness(line, width=bench.width_spin.value())
        except DataError as error:
            bench.status.setText(f"Cannot measure the film thickness: {error}")

    def set_region(self, region_rc: tuple[int, int, int, int] | None) -> None:
        """(row0, row1, col0, col1) px where the reacted region is looked for (None: everywhere)."""
        self.region_rc = region_rc

    def request_area(self) -> None:
        """Segment the reacted region in every frame (2-D mode)."""
        if self.bench.dataset is not None:
            self.bench.jobs.area(self.region_rc)

    def show_all(self) -> None:
        """Draw the session's film results (a reopened project, another movie, an undo)."""
        for name in NAMES:
            self.show(name, announce=False)

    def show(self, name: str, *, announce: bool) -> None:
        """Draw result ``name`` (or clear its plot when the session has no current one)."""
        bench = self.bench
        result = self.current(name)
        value = None if result is None else result.value
        if name == THICKNESS:
            sigma = None if value is None else value.get("strain_sigma")
            bench.kinetics.set_strain(*self._series(value, "strain"), sigma)
            text = None if value is None else thickness_text(value)
        else:
            bench.area_overlay.set_contours(None if value is None else value["contours_rc"])
            bench.kinetics.set_area(
                *self._series(value, "area"), "" if value is None else value["units"]
            )
            bench.refresh_overlay()
            text = None if value is None else area_text(value)
        if announce and text:
            bench.status.setText(text)

    @staticmethod
    def _series(value: dict | None, key: str) -> tuple[np.ndarray, np.ndarray]:
        if value is None:
            return np.array([]), np.array([])
        return np.asarray(value["times"], float), np.asarray(value[key], float)
