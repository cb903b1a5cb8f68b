"""The FFT panel's jobs: lattice measurement of the ROI, spot picks, filters,
crystallinity, the reference reflection, calibration on all indexed reflections and
d(t) tracking — all through the task runner (latest request wins); results go into
the session ("fft" and "lattice"), the panel renders them. A region the session already holds
a current "fft" result for (a reopened project) is drawn from it, not measured again, and a
request for the region being measured or shown, with the same settings, submits nothing."""

from __future__ import annotations

from functools import partial

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from insitu_tem.analysis.crystal.phases import load_library
from insitu_tem.analysis.hrtem.crystallinity import crystallinity_map
from insitu_tem.analysis.hrtem.fft_lattice import Spot, spot_near
from insitu_tem.analysis.hrtem.fft_spectrum import power_spectrum
from insitu_tem.analysis.hrtem.filters import FilteredImage, bragg_filter, hrtem_filter
from insitu_tem.analysis.hrtem.lattice_fit import with_spot_sigmas
from insitu_tem.analysis.hrtem.lattice_calibration import (
    LatticeCalibration,
    calibrate_on_lattice,
    scaled_candidates,
)
from insitu_tem.analysis.hrtem.lattice_reference import (
    ReferenceSpacing,
    parse_hkl,
    reference_spacing,
)
from insitu_tem.analysis.hrtem.lattice_report import (
    CalibrationCheck,
    LatticeMeasurement,
    calibration_check,
    measure_lattice,
)
from insitu_tem.core.model import DataError, Dataset
from insitu_tem.core.results import Result, same
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.panels.fft.calibration_choice import calibration_lines, correction
from insitu_tem.gui.panels.fft.region import Region, too_small
from insitu_tem.gui.panels.fft.lattice_value import (
    Shown,
    matches_parameters,
    measurement_value,
    shown,
    unsure,
)
from insitu_tem.gui.tasks import TaskRunner
from insitu_tem.gui.undo import SetCalibrationCommand
from insitu_tem.workflows import lattice as lattice_workflow
from insitu_tem.workflows.common import file_name

RESULT = "fft"
MEASURE_KEY = "fft-measure"
TASK_KEYS = (
    MEASURE_KEY,
    "fft-candidates",
    "fft-click",
    "fft-calibration",
    "fft-filter",
    "fft-crystallinity",
)
"""The controller's tasks on the image shown (all dropped when it closes)."""


class FftController(QObject):
    """Holds the FFT panel's measurement state and submits its jobs.

    Signals
    -------
    measured(object) : a lattice measurement (a :class:`Shown`) is ready to draw
    picks_changed() : the clicked spots changed
    filtered(object) : a FilteredImage
    crystallinity_ready(object) : a CrystallinityMap
    calibration_changed() : the check or the all-reflection fit changed
    candidates_ready(object) : tuple of ScaledCandidate (searched only when the phase match
        at the file's pixel size fails or is ambiguous; empty otherwise)
    warning(str) : a problem to show in the panel
    closed() : the image left the session; the panel shows nothing of it
    """

    measured = Signal(object)
    picks_changed = Signal()
    filtered = Signal(object)
    crystallinity_ready = Signal(object)
    calibration_changed = Signal()
    candidates_ready = Signal(object)
    warning = Signal(str)
    closed = Signal()

    def __init__(self, state: SessionBridge, tasks: TaskRunner, undo_stack: QUndoStack) -> None:
        super().__init__()
        self.state, self.tasks, self.undo_stack = state, tasks, undo_stack
        self.region: Region | None = None
        self.measurement: LatticeMeasurement | None = None
        """The fresh measurement of the region shown (None: drawn from the session's result)."""
        self.shown: Shown | None = None
        self._requested: tuple[Region, tuple] | None = None
        self.picked: list[Spot] = []
        self.reference: ReferenceSpacing | None = None
        self.reference_phase = ""
        self.calibration: CalibrationCheck | None = None
        self.lattice_calibration: LatticeCalibration | None = None

    # ----------------------------------------------------------------- measurement
    def parameters(self, region: Region) -> dict:
        """What the "fft" result of ``region`` is measured with."""
        return {
            "roi_px": list(region.roi_px),
            "frame": region.frame,
            "snr": region.snr,
            "reference": self.reference.label if self.reference else "",
            "optics": None if region.optics is None else [region.optics.kv, region.optics.cs_mm],
        }

    def forget(self) -> None:
        """Another dataset or session: the next region is drawn from the session when it holds
        it."""
        self.region, self.measurement, self.shown, self.picked = None, None, None, []
        self._requested = None

    def close(self) -> None:
        """The image left the session: its measurements, the ones under way too, are dropped and
        :attr:`closed` is emitted."""
        self.tasks.cancel_keys(TASK_KEYS)
        self.forget()
        self.calibration = None
        self.closed.emit()

    def measure(self, region: Region) -> None:
        """Measure ``region``, or draw the session's "fft" result when it is current and was
        measured on this region with these parameters (a reopened project: nothing is measured
        again); nothing when this very region, with the same reference, is being measured or is
        shown."""
        settings = (self.parameters(region), self.reference_phase, self.reference)
        if self._requested is not None and region.same_as(self._requested[0]):
            if self._requested[1] == settings and (
                self.tasks.will_deliver(MEASURE_KEY) or self.region is self._requested[0]
            ):
                return
        self._requested = (region, settings)
        session = self.state.session
        stored = session.result(RESULT)
        current = (
            region.role is not None
            and session.result_status(RESULT) == "current"
            and matches_parameters(stored, self.parameters(region))
        )
        if current:
            self.tasks.submit(
                lambda: power_spectrum(region.crop, pixel_nm=region.pixel_nm),
                key=MEASURE_KEY,
                on_result=lambda spectrum: self._stored(region, stored.value, spectrum),
                description="FFT",
            )
            return
        reference = self.reference if region.calibrated else None
        phase = self.reference_phase

        def work():
            m = measure_lattice(
                region.crop,
                pixel_nm=region.pixel_nm,
                snr_threshold=region.snr,
                reference=reference,
                match=region.calibrated,
                energy_kV=region.energy_kV,
                calibrated=region.calibrated,
                optics=region.optics,
            )
            fit = None
            if reference is not None and phase and m.spots:
                fit = calibrate_on_lattice(
                    m.spots, m.fit, reference, phase=phase, energy_kV=region.energy_kV
                )
            candidates = ()
            if region.calibrated and m.fit.two_dimensional and unsure(m):
                phases = list(load_library())
                candidates = scaled_candidates(m.fit, phases=phases, energy_kV=region.energy_kV)
            return m, fit, tuple(candidates)

        self.tasks.submit(
            work,
            key=MEASURE_KEY,
            on_result=lambda out: self._measured(region, *out),
            description="FFT lattice",
        )

    def _measured(self, region: Region, m: LatticeMeasurement, fit, candidates) -> None:
        value = measurement_value(region, m, fit, candidates)
        stored = self.state.session.result(RESULT)
        if stored is None or not same(stored.value, value):
            session = self.state.session
            inputs = session.fingerprints([region.role]) if region.role else {}
            session.store_result(RESULT, Result(value, self.parameters(region), inputs))
        self.measurement, self.calibration = m, m.calibration
        self._show(region, shown(value, m.spectrum), energy_kV=region.energy_kV)

    def _stored(self, region: Region, value: dict, spectrum) -> None:
        if self.region is None or self.parameters(self.region) != self.parameters(region):
            self.measurement, self.calibration = None, None
        self._show(region, shown(value, spectrum), energy_kV=region.energy_kV)

    def _show(self, region: Region, lattice: Shown, *, energy_kV: float) -> None:
        self.region, self.shown, self.picked = region, lattice, []
        self.lattice_calibration = lattice.calibration
        self.measured.emit(lattice)
        self.calibration_changed.emit()
        if lattice.candidates is not None:
            self.candidates_ready.emit(lattice.candidates)
        elif region.calibrated and lattice.fit.two_dimensional and lattice.value["unsure"]:
            self._request_candidates(lattice.fit, energy_kV)
        else:
            self.candidates_ready.emit(())

    def _request_candidates(self, fit, energy_kV: float) -> None:
        phases = list(load_library())
        self.tasks.submit(
            lambda: scaled_candidates(fit, phases=phases, energy_kV=energy_kV),
            key="fft-candidates",
            on_result=self.candidates_ready.emit,
            description="phase candidates",
        )

    # ----------------------------------------------------------------------- picks
    def pick_near(self, d_row: float, d_col: float) -> None:
        """Refine the spectrum's maximum near (d_row, d_col) FFT px from the centre and pick it."""
        spectrum = self.shown.spectrum
        self.tasks.submit(
            lambda: spot_near(spectrum, d_row, d_col),
            key="fft-click",
            on_result=self.pick,
            description="refine spot",
        )

    def pick(self, spot: Spot) -> None:
        """Add ``spot`` to the picks (a third pick starts again), its 1σ including the shown
        lattice's scatter, and check it against the reference."""
        if self.shown is not None:
            (spot,) = with_spot_sigmas((spot,), self.shown.fit)
        self.picked = (self.picked if len(self.picked) < 2 else []) + [spot]
        if self.reference is not None and self.region is not None and self.region.calibrated:
            reference, sigma = self.reference, spot.sigma_d_nm
            self.tasks.submit(
                lambda: calibration_check(
                    spot.d_nm, reference.d_nm, sigma_nm=sigma, reference=reference.label
                ),
                key="fft-calibration",
                on_result=self._checked,
                description="calibration",
            )
        self.picks_changed.emit()

    def clear_picks(self) -> None:
        self.picked = []
        self.picks_changed.emit()

    def calibration_lines(self, *, unresolved: bool) -> list[str]:
        """The shown measurement's warnings, the check against the reference when it disagrees
        and the fit on all its reflections (``unresolved``: the sampling cannot hold the
        lattice, which the panel says instead of the warnings of a lattice fit that failed)."""
        return calibration_lines(
            self.shown,
            check=self.calibration,
            fit=self.lattice_calibration,
            unresolved=unresolved,
        )

    def _checked(self, check: CalibrationCheck) -> None:
        self.calibration = check
        self.calibration_changed.emit()

    # -------------------------------------------------------------- filter, crystallinity
    def request_filter(self, mode: str) -> None:
        """Filter the measured region as ``mode`` (``"ROI"`` as recorded, ``"ABSF"``/``"Wiener"``,
        or ``"Bragg"`` on the picked spots, else the four strongest), the result in
        :attr:`filtered`; the region as recorded at once when there is nothing to filter."""
        if self.region is None:
            return
        crop = self.region.crop
        spots = self.picked or (list(self.shown.spots[:4]) if self.shown else [])
        if mode == "ROI" or (mode == "Bragg" and not spots):
            self.filtered.emit(FilteredImage(crop, "roi", 1.0))
            return
        if mode == "Bragg":
            positions = [(s.row_px, s.col_px) for s in spots]
            work = partial(bragg_filter, crop, positions)
        else:
            work = partial(hrtem_filter, crop, method=mode.lower())
        self.tasks.submit(
            work, key="fft-filter", on_result=self.filtered.emit, description=f"{mode} filter"
        )

    def request_crystallinity(
        self,
        frame: np.ndarray,
        *,
        dataset: Dataset,
        pixel_nm: float,
        window_nm: float,
        imaging=None,
    ):
        """The crystallinity map of ``frame`` of ``dataset`` (its problems name the file; an
        image too small for any window is said in :attr:`warning`)."""
        problem = too_small(dataset)
        if problem:
            self.warning.emit(problem)
            return
        name = file_name(dataset, "hrtem")
        self.tasks.submit(
            lambda control: crystallinity_map(
                frame,
                pixel_nm=pixel_nm,
                window_nm=window_nm,
                imaging=imaging,
                should_stop=control.should_stop,
            ),
            key="fft-crystallinity",
            on_result=self.crystallinity_ready.emit,
            description=f"{name}: crystallinity map",
        )

    # ----------------------------------------------------------------- calibration
    def set_reference(self, name: str, hkl_text: str, *, then) -> None:
        """Look up reflection ``hkl_text`` of phase ``name`` (none when empty), then call
        ``then``."""
        if not name or not hkl_text:
            self.reference, self.reference_phase = None, ""
            then()
            return
        try:
            hkl = parse_hkl(hkl_text)
        except ValueError as error:
            self.warning.emit(str(error))
            return

        def done(reference: ReferenceSpacing) -> None:
            self.reference, self.reference_phase = reference, name
            then()

        self.tasks.submit(
            lambda: reference_spacing(name, hkl),
            key="fft-reference",
            on_result=done,
            on_error=lambda e: self.warning.emit(str(e)),
            description="reference spacing",
        )

    def correction(self) -> tuple[float, str] | None:
        """(factor, what it comes from): the fit on all reflections when it finds a significant
        correction, else the check of the picked spot when it disagrees; None when nothing to
        fix."""
        return correction(fit=self.lattice_calibration, check=self.calibration)

    def apply_calibration(self, dataset: Dataset, role: str) -> None:
        """Multiply the pixel size by the correction (undoable; saved with the project)."""
        correction = self.correction()
        if correction is None:
            return
        factor, source = correction
        col = dataset.signal_axes[1]
        self.undo_stack.push(
            SetCalibrationCommand(
                self.state.session,
                role,
                self.state.session.calibration(role),
                {"scale": col.scale * factor, "units": "nm"},
                f"Calibrate {role} on {source} (×{factor:.4f})",
            )
        )

    # -------------------------------------------------------------------- tracking
    def track(self, role: str, *, roi_px, follow_drift: bool) -> str:
        """Follow the picked spots (or the two strongest) through the movie with the lattice
        workflow; the result goes into the session. Returns "" or why it cannot run."""
        spots = self.picked or list(self.shown.spots[:2])
        if not spots:
            return "no spot to follow"
        r0, c0, side = roi_px
        try:
            job = lattice_workflow.prepare(
                self.state.session,
                role=role,
                spots_px=[(s.row_px, s.col_px) for s in spots],
                roi=[r0, c0, r0 + side, c0 + side],
                follow_drift=follow_drift,
            )
        except DataError as error:
            return str(error)
        name = file_name(self.state.dataset(role), role)
        self.tasks.submit_job(
            self.state.session, job, key="fft-track", description=f"{name}: lattice vs time"
        )
        return ""
