"""The timeline's session results: the electron dose (result "dose", computed by the dose
workflow) and, from the front track (result "front") and the film geometry, the front position
against the charge with a picked position's crossing and the Li per formula unit behind the front.
The film height is the session's film thickness (result "film.thickness", the movie panel's) when
there is one, else the one typed in.

Dose and Li per f.u. are shown as channels of the timeline; the dose parameters and the geometry
are part of the timeline's saved state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from insitu_tem.analysis.timeline.front_charge import (
    FilmGeometry,
    charge_when_front_reaches,
    lithium_behind_front,
)
from insitu_tem.core.model import DataError
from insitu_tem.core.uncertainty_text import value_with_sigma
from insitu_tem.core.uncertainty_text import si_value_with_sigma
from insitu_tem.gui.frame_numbers import frame_number
from insitu_tem.gui.tasks import TaskRunner
from insitu_tem.gui.undo import StoreResultCommand
from insitu_tem.workflows import dose, film

if TYPE_CHECKING:
    from insitu_tem.analysis.timeline.frames import FrameTimeline
    from insitu_tem.gui.controllers.session_bridge import SessionBridge
    from insitu_tem.gui.panels.timeline.panel import TimelinePanel

DOSE_RATE, CUMULATIVE, PEAK, LITHIUM = (
    "dose rate",
    "cumulative dose",
    "peak pixel dose",
    "Li per f.u.",
)


HEIGHT_TYPED = (
    "Height typed in: the session has no film-thickness result. Measure it on the movie line "
    "(it becomes the session's film thickness, shown in the movie panel too) or type it."
)


class TimelineResults(QObject):
    """Dose, front-vs-charge and Li per f.u. for the timeline panel (see the module docstring)."""

    changed = Signal()

    def __init__(
        self,
        panel: TimelinePanel,
        tasks: TaskRunner,
        state: SessionBridge,
        undo_stack: QUndoStack,
        *,
        timeline: Callable[[], FrameTimeline | None],
    ) -> None:
        super().__init__(panel)
        self.panel, self.tasks, self.state, self.timeline = panel, tasks, state, timeline
        self.undo_stack = undo_stack
        self.dose_parameters: dict | None = None
        self.geometry: dict = panel.geometry.parameters()
        self.target: float | None = None
        state.session_event.connect(self._on_session_event)
        panel.dose_inputs.requested.connect(self.compute_dose)
        panel.geometry.changed.connect(self.edit_geometry)
        panel.geometry.measureRequested.connect(self.measure_height)
        panel.front_view.targetPicked.connect(self.pick_target)
        self.show_height()

    def _on_session_event(self, name: str, payload: tuple) -> None:
        result = payload[0] if name == "result" and payload else None
        if result == "dose":
            self.show_dose()
        elif result == "front":
            self.show_front()
        elif result in (film.THICKNESS, "drift") or name in ("dataset", "calibration"):
            self.show_height()
            self.show_front()

    def compute_dose(self, parameters: dict) -> None:
        """Run the dose workflow on the session's movie; the result goes into the session."""
        self.dose_parameters = dict(parameters)
        self.changed.emit()
        session = self.state.session
        try:
            job = dose.prepare(session, **parameters)
        except DataError as error:
            self.panel.status.setText(f"Cannot compute the dose: {error}")
            return
        self.tasks.submit(
            lambda control: job.run(should_stop=control.should_stop, progress=control.progress),
            key="timeline-dose",
            on_result=lambda result: session.store_result(job.name, result),
            description="Electron dose",
        )

    def show_dose(self) -> None:
        """The session's dose result as timeline channels (none without one)."""
        result = self.state.session.result("dose")
        if result is None:
            for name in (DOSE_RATE, CUMULATIVE, PEAK):
                self.panel.set_derived(name, None)
            return
        value = result.value
        time = np.asarray(value["time_s"], float)
        cumulative = np.asarray(value["cumulative_e_per_A2"], float)
        rate = np.asarray(value["rate_e_per_A2_s"], float)
        relative = float(value["relative_sigma"])
        self.panel.set_derived(DOSE_RATE, ("e/Å²/s", time, rate, relative * rate))
        self.panel.set_derived(CUMULATIVE, ("e/Å²", time, cumulative, relative * cumulative))
        peak = np.asarray(value["peak_pixel_cumulative_e_per_A2"], float)
        self.panel.set_derived(
            PEAK,
            ("e/Å²", time, peak, dose.peak_sigma(value)) if value["source"] == "counts" else None,
        )

    def edit_geometry(self, parameters: dict) -> None:
        self.geometry = dict(parameters)
        self.changed.emit()
        self.show_front()

    def measure_height(self) -> None:
        """Measure the session's film thickness along its line (film workflow, worker), stored as
        an undo step; the timeline's height follows from the stored result (see
        :meth:`show_height`)."""
        session = self.state.session
        movie = session.dataset("movie")
        if movie is None or movie.axes[-1].units != "nm":
            self.panel.status.setText(
                "Draw a line across the film in a calibrated (nm) movie to measure its height."
            )
            return
        try:
            job = film.prepare_thickness(session)
        except DataError as error:
            self.panel.status.setText(f"Cannot measure the film height: {error}")
            return
        self.tasks.submit(
            lambda control: job.run(should_stop=control.should_stop, progress=control.progress),
            key="timeline-height",
            on_result=lambda result: self.undo_stack.push(
                StoreResultCommand(session, job.name, result, "Measure film height")
            ),
            description="Film thickness",
        )

    def _film_height(self) -> tuple[float, float] | str | None:
        """(height, 1σ) nm from the session's current film-thickness result, why it cannot give
        one, or None without a result."""
        session = self.state.session
        if session.result_status(film.THICKNESS) != "current":
            return None
        value = session.result(film.THICKNESS).value
        if not value["ok"]:
            return f"the session's film thickness did not measure ({value['reason']})"
        if value["units"] != "nm":
            return f"the session's film thickness is in {value['units']}, not nm"
        return film.thickness_at_start(value)

    def show_height(self) -> None:
        """The height the Li per f.u. uses: the session's film thickness when there is one."""
        measured, geometry = self._film_height(), self.panel.geometry
        if not isinstance(measured, tuple):
            text = HEIGHT_TYPED if measured is None else f"Height typed in: {measured}."
            geometry.set_parameters(
                {
                    k: self.geometry[k]
                    for k in ("height_nm", "height_sigma_nm")
                    if k in self.geometry
                }
            )
            geometry.show_height_source(text, measured=False)
            return
        height, sigma = measured
        geometry.set_parameters({"height_nm": height, "height_sigma_nm": sigma})
        geometry.show_height_source(
            f"Height from the session's film thickness (movie panel): {height:.4g} ± "
            f"{sigma:.2g} nm at the start",
            measured=True,
        )

    def _geometry(self) -> dict:
        measured = self._film_height()
        if not isinstance(measured, tuple):
            return self.geometry
        return {**self.geometry, "height_nm": measured[0], "height_sigma_nm": measured[1]}

    def _front(self) -> dict | None:
        result = self.state.session.result("front")
        return None if result is None else result.value

    def show_front(self) -> None:
        """Front position against the charge, the picked crossing and Li per f.u. (as a channel)."""
        timeline, front = self.timeline(), self._front()
        if timeline is None or front is None or len(front["position"]) != timeline.charge_C.size:
            self.panel.front_view.clear(
                "Open a holder log and track the front in the movie panel to see the front "
                "position against the charge."
            )
            self.panel.set_derived(LITHIUM, None)
            return
        position = np.asarray(front["position"], float)
        sigma = np.asarray(front["position_sigma"], float)
        self.panel.front_view.show_track(timeline.charge_C, position, sigma, front["units"])
        self.panel.set_derived(LITHIUM, self._lithium(timeline, front))
        shown = self.panel.front_view.target.value() if self.target is None else self.target
        self._show_crossing(shown)

    def _lithium(self, timeline: FrameTimeline, front: dict) -> tuple | None:
        geometry = self._geometry()
        if front["units"] != "nm" or not (geometry["height_nm"] > 0 and geometry["depth_nm"] > 0):
            return None
        lithium = lithium_behind_front(
            timeline,
            np.asarray(front["position"], float),
            np.asarray(front["position_sigma"], float),
            geometry=FilmGeometry(**geometry),
        )
        return ("", timeline.frame_time_s, lithium.x, lithium.x_sigma) if lithium.ok else None

    def pick_target(self, position: float) -> None:
        """The charge (and Li per f.u.) when the front first reaches ``position``."""
        self.target = float(position)
        self._show_crossing(position)

    def _show_crossing(self, position: float) -> None:
        timeline, front = self.timeline(), self._front()
        if timeline is None or front is None:
            return
        crossing = charge_when_front_reaches(
            timeline,
            np.asarray(front["position"], float),
            np.asarray(front["position_sigma"], float),
            position,
        )
        units = front["units"]
        if not crossing.ok:
            self.panel.front_view.show_crossing(
                f"{position:.4g} {units}: {crossing.reason}", np.nan
            )
            return
        text = (
            f"Front at {position:.4g} {units}: t = {crossing.time_s:.2f} s (frame "
            f"{frame_number(crossing.frame)}), Q = "
            f"{si_value_with_sigma(crossing.charge_C, crossing.charge_sigma_C, 'C')}"
        )
        lithium = self.panel.derived.get(LITHIUM)
        if lithium is not None and np.isfinite(lithium[2][crossing.frame]):
            x, sigma = lithium[2][crossing.frame], lithium[3][crossing.frame]
            text += f", Li per f.u. {value_with_sigma(x, sigma)}"
        self.panel.front_view.show_crossing(text, crossing.charge_C)

    def state_dict(self) -> dict:
        return {
            "dose": self.dose_parameters,
            "geometry": self.geometry,
            "front_target": self.target,
        }

    def restore(self, state: dict) -> None:
        """The saved dose parameters, geometry and picked position; the session's results shown."""
        dose, geometry, target = state.get("dose"), state.get("geometry"), state.get("front_target")
        self.dose_parameters = dose if isinstance(dose, dict) else None
        inputs = self.panel.dose_inputs
        inputs.set_parameters(self.dose_parameters or inputs.DEFAULTS)
        defaults = self.panel.geometry.DEFAULTS
        self.panel.geometry.set_parameters(
            {**defaults, **geometry} if isinstance(geometry, dict) else defaults
        )
        self.geometry = self.panel.geometry.parameters()
        self.target = float(target) if isinstance(target, (int, float)) else None
        self.show_height()
        self.show_dose()
        self.show_front()
