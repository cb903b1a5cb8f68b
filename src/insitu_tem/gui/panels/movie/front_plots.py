"""The plots of the front workbench: the kymograph along the line (the user's analysis line, else
the line of the session's track), the session's front track with its kinetic fit and velocity,
and the manual marks with their own fit. Drawn from the session and the workbench's widgets."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QTimer

from insitu_tem.analysis.movie.front_manual import marks_along_line
from insitu_tem.analysis.movie.kinetics import KineticsFit
from insitu_tem.figures.kinetics import fitted_velocity_band
from insitu_tem.gui.controllers import front_view
from insitu_tem.workflows.front_manual import NAME as MANUAL

KYMOGRAPH_DELAY_MS = 60


class FrontPlots(QObject):
    """Kymograph and kinetics of a :class:`FrontWorkbench` (its widgets, jobs and signals)."""

    def __init__(self, bench) -> None:
        super().__init__(bench)
        self.bench = bench
        self.line_shown: np.ndarray | None = None
        self._debounce = QTimer(self, singleShot=True, interval=KYMOGRAPH_DELAY_MS)
        self._debounce.timeout.connect(self.request_kymograph)
        bench.kymograph_view.time_clicked.connect(self._kymograph_clicked)

    def _times(self) -> tuple[np.ndarray, str]:
        return front_view.times(self.bench.dataset)

    def kymograph_line(self) -> np.ndarray | None:
        """The line the kymograph runs along: the user's analysis line, else the line of the
        session's front track (a track made along a scan line on opening a project)."""
        if self.bench.line_rc is not None:
            return self.bench.line_rc
        return front_view.track_line(self.bench.state.session.result("front"))

    def schedule_kymograph(self) -> None:
        """Recompute the kymograph shortly (drags are debounced; the latest request wins)."""
        if self.kymograph_line() is not None and self.bench.dataset is not None:
            self._debounce.start()

    def request_kymograph(self) -> None:
        bench, line = self.bench, self.kymograph_line()
        if line is None or bench.dataset is None:
            return
        self.line_shown = line
        bench.jobs.kymograph(
            bench.dataset,
            line,
            width=bench.width_spin.value(),
            shifts_px=bench.shifts_px,
            on_result=self._show_kymograph,
        )

    def _show_kymograph(self, kymo) -> None:
        bench = self.bench
        row, col = bench.dataset.signal_axes
        times, time_units = self._times()
        bench.kymograph_view.set_kymograph(
            kymo.image,
            kymo.sampling.calibrated_distance(row, col),
            times,
            distance_units=col.units,
            time_units=time_units,
        )
        bench.kymograph_view.set_time(times[bench.frame])
        if bench.analysis is None:
            bench.status.setText(
                f"Kymograph along {len(self.line_shown)} points, "
                f"width {bench.width_spin.value():g} px."
            )
        self.update_manual()
        bench.kymograph_ready.emit()

    def _kymograph_clicked(self, time: float) -> None:
        times = self._times()[0]
        self.bench.frame_requested.emit(int(np.argmin(np.abs(times - time))))

    def show_track(self) -> None:
        """Show the session's front track and kinetic fit (or nothing when it has none), with a
        hint when it was tracked without drift correction; the kymograph follows its line."""
        bench = self.bench
        result = bench.state.session.result("front")
        bench.analysis = None if result is None or bench.dataset is None else result.value
        if bench.analysis is None:
            bench.kinetics.clear()
            bench.kinetics.set_current_velocity("")
            self.update_manual()
            return
        track, time_units = bench.analysis, self._times()[1]
        times, position = np.asarray(track["times"], float), np.asarray(track["position"], float)
        bench.kinetics.set_automatic(
            times,
            position,
            KineticsFit(**track["fit"]),
            np.asarray(track["velocity"], float),
            np.asarray(track["velocity_measured"], float),
            units=track["units"],
            time_units=time_units,
            sigma=track.get("position_sigma"),
            velocity_sigma=track.get("velocity_measured_sigma"),
            velocity_band=fitted_velocity_band(track),
        )
        bench.kymograph_view.set_tracks((times, position), self.manual_series())
        self.show_current_velocity()
        bench.status.setText(front_view.status_text(result))
        if bench.line_rc is None:
            self.schedule_kymograph()
        bench.tracking_ready.emit()

    def manual_series(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Times and positions along the line of the manual marks (None without marks or line)."""
        bench = self.bench
        marks = bench.state.session.marks
        if bench.dataset is None or bench.line_rc is None or not marks:
            return None
        frames, positions = marks_along_line(
            marks,
            bench.line_rc,
            bench.dataset.signal_axes,
            n_frames=bench.dataset.n_items,
            shifts_px=bench.shifts_px,
        )
        return self._times()[0][frames], positions

    def update_manual(self) -> None:
        """Redraw the manual marks on the kymograph and x(t); their fit (result "front.manual")
        is kept current with the marks and drawn once the session holds it."""
        bench = self.bench
        manual = self.manual_series()
        track = bench.analysis
        auto = (
            None
            if track is None
            else (np.asarray(track["times"], float), np.asarray(track["position"], float))
        )
        bench.kymograph_view.set_tracks(auto, manual)
        bench.kinetics.set_manual(*(manual if manual is not None else ([], [])))
        bench.jobs.manual_fit()
        self.show_manual_fit()

    def show_manual_fit(self) -> None:
        """Draw the session's fit of the manual marks when it is current (else nothing)."""
        bench = self.bench
        session = bench.state.session
        current = bench.dataset is not None and session.result_status(MANUAL) == "current"
        value = session.result(MANUAL).value if current else None
        bench.kinetics.set_manual_fit(value)

    def show_current_velocity(self) -> None:
        """The fitted velocity at the workbench's frame, and why the frame has no position when
        it has none."""
        bench = self.bench
        if bench.analysis is not None:
            times, units = self._times()
            texts = (
                front_view.velocity_text(bench.analysis, bench.frame, times, units),
                front_view.frame_text(bench.analysis, bench.frame),
            )
            bench.kinetics.set_current_velocity("\n".join(t for t in texts if t))
