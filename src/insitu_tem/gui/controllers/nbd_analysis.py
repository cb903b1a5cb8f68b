"""The NBD panel's logic: the scan-analysis parameters (strain reference, components, ring
calibration, ellipse correction) live in the session ("nbd" parameters, changed by undoable
commands); the NBD workflow computes on the task runner and stores result "nbd"; the ellipse fit
is result "nbd.ellipse". The panel draws only what the session holds."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from insitu_tem.analysis.diffraction.calibration import scale_from_ring, strongest_ring_radius
from insitu_tem.analysis.diffraction.ellipse import EllipseFit, ellipse_on_strongest_ring
from insitu_tem.analysis.diffraction.nbd_scan import analyse_scan
from insitu_tem.core.model import DataError
from insitu_tem.core.results import Result
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.errors import describe
from insitu_tem.gui.tasks import TaskRunner
from insitu_tem.gui.undo import SetParametersCommand
from insitu_tem.workflows import nbd as nbd_workflow

NAME = nbd_workflow.NAME
ELLIPSE = "nbd.ellipse"
SCAN_KEY = "nbd-scan"
KEYS = (SCAN_KEY, "nbd-calibration", "nbd-ellipse")


def ellipse_note(value: dict) -> str:
    """What the status line says about an ellipse fit (result "nbd.ellipse")."""
    return (
        f"ellipse corrected: ellipticity {100 * value['ellipticity']:.2f} % at "
        f"{value['angle_deg']:.1f}°, RMS {value['rms_px']:.2f} px"
    )


class NbdAnalysis(QObject):
    """Parameters, jobs and the current results of the NBD panel.

    Signals
    -------
    message(str) : what the user should read (a failure or what a calibration did)
    """

    message = Signal(str)

    def __init__(
        self, state: SessionBridge, tasks: TaskRunner, undo_stack: QUndoStack, parent=None
    ) -> None:
        super().__init__(parent)
        self.state, self.tasks, self.undo_stack = state, tasks, undo_stack

    @property
    def session(self):
        return self.state.session

    def parameters(self) -> dict:
        """The parameters in effect: the workflow's defaults under the session's."""
        chosen = self.session.parameters(NAME)
        return {
            **nbd_workflow.DEFAULTS,
            **{k: v for k, v in chosen.items() if k in nbd_workflow.DEFAULTS},
        }

    def result(self) -> Result | None:
        """The session's "nbd" result when current for the data and parameters (else None)."""
        if self.session.result_status(NAME, self.parameters()) != "current":
            return None
        return self.session.result(NAME)

    def ellipse(self) -> dict | None:
        """The ellipse fit in effect (result "nbd.ellipse" when the correction uses it)."""
        result = self.session.result(ELLIPSE)
        if result is None or self.parameters()["correction"] is None:
            return None
        return result.value

    def change(self, text: str, **changes) -> None:
        """Change parameters as one undoable step (nothing when they do not change)."""
        current = self.parameters()
        after = {**current, **changes}
        if after != current:
            before = self.session.parameters(NAME)
            self.undo_stack.push(SetParametersCommand(self.session, NAME, before, after, text))

    def request(self) -> None:
        """Analyse the scan unless the session holds a current result (scans of 3 patterns or
        more), in the task runner's worker process (started here, with the analysis imported,
        while the job waits for a thread; the job runs at once on a thread of its own, as its work
        runs on the other core)."""
        dataset = self.session.dataset("nbd")
        if dataset is None or dataset.n_items < 3 or self.result() is not None:
            return
        try:
            job = nbd_workflow.prepare(self.session, child=self.tasks.child)
        except DataError as error:
            self.message.emit(str(error))
            return
        self.tasks.child.start(analyse_scan.__module__)
        session = self.session
        self.tasks.submit(
            lambda control: job.run(should_stop=control.should_stop, progress=control.progress),
            key=SCAN_KEY,
            on_result=lambda result: session.store_result(NAME, result, dirty=False),
            on_error=self._failed,
            description="NBD scan analysis",
            in_worker=True,
        )

    def _failed(self, error: BaseException) -> None:
        """The status says why the scan is not analysed (it said "Analysing the scan…"); the
        error reporter has the details."""
        self.message.emit(f"Scan not analysed: {describe(error).message}")
        self.tasks.report(error, context="NBD scan analysis")

    def cancel(self) -> None:
        """Cancel the panel's jobs (a scan analysis that is running ends its worker process)."""
        self.tasks.cancel_keys(KEYS)

    def calibrate_on_ring(self, index: int, d_A: float) -> None:
        """Calibrate so that the strongest ring of pattern ``index`` has spacing ``d_A`` (Å)."""
        result = self.result()
        if result is None:
            return
        r_px = np.asarray(result.value["r_px"], float)
        profile = np.asarray(result.value["profiles"][index], float)
        self.tasks.submit(
            lambda: strongest_ring_radius(r_px, profile),
            key="nbd-calibration",
            on_result=lambda radius: self._on_ring_radius(radius, d_A),
            description="NBD ring calibration",
        )

    def _on_ring_radius(self, radius: float | None, d_A: float) -> None:
        if radius is None:
            self.message.emit("No ring found in this pattern to calibrate on; pick a ring pattern")
            return
        scale = scale_from_ring(radius_px=radius, d_A=d_A)
        self.change(f"Calibrate NBD on a {d_A:g} Å ring", scale_per_nm=float(scale))
        self.message.emit(f"Calibrated: {scale:.5g} 1/nm per px (ring at {radius:.1f} px)")

    def fit_ellipse(self, index: int, pattern) -> bool:
        """Fit the detector ellipse on pattern ``index``'s strongest ring; False without centres."""
        result = self.result()
        if result is None:
            return False
        centre = tuple(result.value["centre_px"][index])
        inputs = self.session.fingerprints(["nbd"])
        self.tasks.submit(
            lambda: ellipse_on_strongest_ring(np.asarray(pattern), centre_rc=centre),
            key="nbd-ellipse",
            on_result=lambda fit: self._on_ellipse(fit, index, inputs),
            description="NBD ellipse fit",
        )
        return True

    def _on_ellipse(self, fit: EllipseFit, index: int, inputs: dict) -> None:
        if not fit.ok:
            self.message.emit(f"No ellipse fitted: {fit.reason}; pick a pattern with a sharp ring")
            self.change("No ellipse correction", correction=None)
            return
        correction = np.asarray(fit.correction(), float)
        value = {
            "correction": correction,
            "ellipticity": fit.ellipticity,
            "angle_deg": fit.angle_deg,
            "rms_px": fit.rms_px,
        }
        self.change("Correct the detector ellipse", correction=correction.tolist())
        self.session.store_result(ELLIPSE, Result(value, {"pattern": index}, inputs))
        self.message.emit(ellipse_note(value))
