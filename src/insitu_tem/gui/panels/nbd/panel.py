"""NBD panel: the pattern at the probe chosen along the line scan, with spot-shift arrows,
and the scan analysis (strain, profile map, rings with simulated overlays, NMF, ePDF)."""

from __future__ import annotations

from functools import partial

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from insitu_tem.analysis.diffraction.ring_fit import COMPOSITIONS, profile_pdf, ring_overlays
from insitu_tem.analysis.diffraction.nbd_scan import (
    PatternAnalysis,
    ScanAnalysis,
    analyse_pattern,
    analyse_scan,
)
from insitu_tem.analysis.diffraction.calibration import scale_from_ring, strongest_ring_radius
from insitu_tem.analysis.diffraction.ellipse import EllipseFit, ellipse_on_strongest_ring
from insitu_tem.core.model import Axis, Dataset
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.tasks import TaskRunner
from insitu_tem.gui.widgets.navigator import Navigator
from insitu_tem.gui.panels.nbd.pattern_view import DISPLAY_MODES, NbdPatternView
from insitu_tem.gui.panels.nbd.profile_plots import NbdProfilePlots
from insitu_tem.gui.panels.nbd.scan_plots import NbdScanPlots


class _ReferenceCommand(QUndoCommand):
    def __init__(self, panel: "NbdPanel", old: int | None, new: int) -> None:
        super().__init__(f"NBD strain reference: pattern {new}")
        self.panel, self.old, self.new = panel, old, new

    def redo(self) -> None:
        self.panel.set_reference(self.new)

    def undo(self) -> None:
        self.panel.set_reference(self.old)


def profile_details(q, profile, composition: str) -> tuple:
    """Simulated ring overlays and the ePDF of one profile (the ePDF may be a message)."""
    overlays = ring_overlays(q, profile)
    try:
        return overlays, profile_pdf(q, profile, composition=composition), ""
    except ValueError as error:
        return overlays, None, f"No ePDF for this profile: {error}"


class NbdPanel(QWidget):
    """Pattern with overlays, navigator, display and reference controls, and the scan plots.

    Signals
    -------
    analysis_finished() : a scan (or single-pattern) analysis has been shown
    profile_finished() : ring overlays and the ePDF of the current pattern have been shown
    """

    title = "NBD"
    role = "nbd"
    analysis_finished = Signal()
    profile_finished = Signal()

    def __init__(
        self, state: SessionBridge, tasks: TaskRunner, undo_stack: QUndoStack, parent=None
    ) -> None:
        super().__init__(parent)
        self.state, self.tasks, self.undo_stack = state, tasks, undo_stack
        self.dataset: Dataset | None = None
        self.patterns: np.ndarray | None = None
        self.scale_per_nm: float | None = None
        self.reference: int | None = None
        self.correction: np.ndarray | None = None
        self.ellipse_note = ""
        self.result: ScanAnalysis | None = None
        self.single: PatternAnalysis | None = None
        self.view = NbdPatternView()
        self.navigator = Navigator("Probe")
        self.scan_plots = NbdScanPlots()
        self.profile_plots = NbdProfilePlots()
        self._build_controls()
        self._layout()
        self.navigator.index_changed.connect(state.set_scan_index)
        self.scan_plots.index_picked.connect(state.set_scan_index)
        state.scan_index_changed.connect(self._show_pattern)
        self.view.hovered.connect(state.report_cursor)

    def _build_controls(self) -> None:
        self.display = QComboBox()
        self.display.addItems(DISPLAY_MODES)
        self.gamma = QDoubleSpinBox()
        self.gamma.setRange(0.05, 2.0)
        self.gamma.setSingleStep(0.05)
        self.gamma.setValue(self.view.gamma)
        self.reference_button = QPushButton("Use as strain reference")
        self.composition = QComboBox()
        self.composition.addItems(list(COMPOSITIONS))
        self.composition.setCurrentText("W + 3 Li2O")
        self.known_d = QDoubleSpinBox()
        self.known_d.setRange(0.5, 20.0)
        self.known_d.setDecimals(3)
        self.known_d.setValue(2.238)
        self.known_d.setSuffix(" Å")
        self.calibrate_button = QPushButton("Calibrate on strongest ring")
        self.ellipse_box = QCheckBox("Correct ellipse (fit on this ring)")
        self.status = QLabel("Open a pattern series")
        self.status.setWordWrap(True)
        self.display.currentTextChanged.connect(self._set_display)
        self.gamma.valueChanged.connect(lambda value: self._set_display(self.view.mode))
        self.reference_button.clicked.connect(self.pick_reference)
        self.composition.currentTextChanged.connect(
            lambda _: self._submit_profile(self.state.scan_index)
        )
        self.calibrate_button.clicked.connect(self.calibrate_on_ring)
        self.ellipse_box.toggled.connect(self.set_ellipse_correction)

    def _set_display(self, mode: str) -> None:
        self.view.set_display(mode, self.gamma.value())
        self.state.set_view("nbd.display", mode)
        self.state.set_view("nbd.gamma", float(self.gamma.value()))

    def project_state(self) -> dict:
        """Strain reference, calibration, ellipse choice and ePDF composition (display is view state)."""
        return {
            "reference": self.reference,
            "scale_per_nm": self.scale_per_nm,
            "known_d": self.known_d.value(),
            "composition": self.composition.currentText(),
        }

    def restore_project_state(self, saved: dict) -> None:
        """Show what was saved: display from the session's view, the rest from the panel state."""
        self.gamma.setValue(float(self.state.view("nbd.gamma")))
        self.display.setCurrentText(str(self.state.view("nbd.display")))
        self.known_d.setValue(float(saved.get("known_d", self.known_d.value())))
        self.composition.setCurrentText(saved.get("composition", self.composition.currentText()))
        if saved.get("scale_per_nm"):
            self.scale_per_nm = float(saved["scale_per_nm"])
        self.set_reference(saved.get("reference"))

    def _layout(self) -> None:
        row = QHBoxLayout()
        for widget in (
            QLabel("Display"),
            self.display,
            QLabel("γ"),
            self.gamma,
            self.reference_button,
            self.ellipse_box,
        ):
            row.addWidget(widget)
        row.addStretch(1)
        calibration = QHBoxLayout()
        for widget in (
            QLabel("Known ring d"),
            self.known_d,
            self.calibrate_button,
            QLabel("ePDF of"),
            self.composition,
        ):
            calibration.addWidget(widget)
        calibration.addStretch(1)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.view, 1)
        column.addLayout(row)
        column.addLayout(calibration)
        column.addWidget(self.navigator)
        column.addWidget(self.status)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.scan_plots, "Scan")
        self.tabs.addTab(self.profile_plots, "Rings && ePDF")
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.tabs)
        splitter.setSizes([500, 500])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def set_dataset(self, dataset: Dataset) -> None:
        """Show a pattern series (or one pattern) and start its analysis."""
        self.dataset, self.result, self.single, self.reference, self.correction = (
            dataset,
            None,
            None,
            None,
            None,
        )
        self.ellipse_box.blockSignals(True)
        self.ellipse_box.setChecked(False)
        self.ellipse_box.blockSignals(False)
        self.patterns = dataset.array.reshape((-1,) + dataset.shape[-2:])
        axis = dataset.signal_axes[-1]
        self.scale_per_nm = float(axis.scale) if axis.units == "1/nm" else None
        nav = dataset.navigation_axes
        position_axis = nav[0] if len(nav) == 1 else Axis("position", dataset.n_items)
        self.navigator.set_axis(position_axis)
        self.scan_plots.set_positions(position_axis.coordinates(), position_axis.units)
        self.view.show_pattern(
            np.asarray(self.patterns[0]), axes=dataset.signal_axes, auto_range=True
        )
        self.reference_button.setEnabled(len(self.patterns) >= 3)
        self._show_pattern(self.state.scan_index)
        self._submit_analysis()

    def _submit_analysis(self) -> None:
        if self.patterns is None:
            return
        if len(self.patterns) >= 3:
            patterns = self.patterns
            fn = partial(
                analyse_scan,
                position=self.scan_plots._positions,
                scale_per_nm=self.scale_per_nm,
                reference_index=self.reference,
                correction=self.correction,
            )
            self.status.setText("Analysing the scan…")
            self.tasks.submit(
                lambda control: fn(
                    np.asarray(patterns), progress=control.progress, should_stop=control.should_stop
                ),
                key="nbd-scan",
                on_result=self._on_scan,
                description="NBD scan analysis",
            )
        else:
            index = min(self.state.scan_index, len(self.patterns) - 1)
            pattern, scale = self.patterns[index], self.scale_per_nm
            self.tasks.submit(
                lambda: analyse_pattern(np.asarray(pattern), scale_per_nm=scale),
                key="nbd-scan",
                on_result=self._on_single,
                description="NBD pattern analysis",
            )

    def _on_scan(self, result: ScanAnalysis) -> None:
        self.result = result
        tracks = result.tracks
        self.scan_plots.show_strain(tracks.lattice_strain, tracks.reference_index)
        if result.q_per_A is not None:
            self.scan_plots.show_map(result.profiles, result.q_per_A)
        self.scan_plots.show_fractions(
            result.nmf.fractions,
            _component_names(result.nmf.fractions.shape[1]),
            result.pca.explained_variance_ratio,
        )
        self.status.setText(
            f"Strain reference: pattern {tracks.reference_index}; "
            f"{int(result.crystalline.sum())} of {len(result.crystalline)} positions crystalline"
            + (f"; {self.ellipse_note}" if self.correction is not None else "")
        )
        self._show_pattern(self.state.scan_index)
        self.analysis_finished.emit()

    def _on_single(self, result: PatternAnalysis) -> None:
        self.single = result
        self.status.setText(
            f"{len(result.spots)} spots, centre ({result.centre.centre_rc[0]:.2f}, "
            f"{result.centre.centre_rc[1]:.2f}) px"
        )
        self._show_pattern(self.state.scan_index)
        self.analysis_finished.emit()

    def current_index(self) -> int:
        """Pattern shown (the linked scan index, clipped to this dataset)."""
        return 0 if self.patterns is None else min(self.state.scan_index, len(self.patterns) - 1)

    def _show_pattern(self, index: int) -> None:
        if self.patterns is None:
            return
        index = self.current_index()
        self.view.show_pattern(np.asarray(self.patterns[index]))
        self.navigator.blockSignals(True)
        self.navigator.set_index(index)
        self.navigator.blockSignals(False)
        self.scan_plots.set_current(index)
        self._show_overlays(index)
        self._submit_profile(index)

    def _show_overlays(self, index: int) -> None:
        if self.result is not None:
            tracks = self.result.tracks
            fit = tracks.fits[index]
            start = (
                fit.translation_px if fit.ok else self.result.descan.fitted_rc[index]
            ) + tracks.reference.g_px
            self.view.show_overlays(
                centre_rc=self.result.descan.fitted_rc[index],
                spots_rc=tracks.positions_rc[index],
                start_rc=start,
                shift_px=tracks.shifts_px(index),
            )
        elif self.single is not None:
            self.view.show_overlays(
                centre_rc=self.single.centre.centre_rc, spots_rc=self.single.spots.position_rc
            )
        else:
            self.view.show_overlays()

    def _submit_profile(self, index: int) -> None:
        source = self.result
        if source is None or source.q_per_A is None:
            return
        q, profile = source.q_per_A, source.profiles[index]
        rings = source.rings[index] if source.rings else None
        self.profile_plots.show_profile(
            q, profile, [r.q_per_A for r in rings.rings] if rings is not None else ()
        )
        self.tasks.submit(
            partial(profile_details, q, profile, self.composition.currentText()),
            key="nbd-profile",
            on_result=self._on_profile,
            description="NBD ring overlays and ePDF",
        )

    def _on_profile(self, details) -> None:
        overlays, pdf, message = details
        self.profile_plots.show_overlays(overlays)
        self.profile_plots.show_pdf(pdf, message)
        self.profile_finished.emit()

    def pick_reference(self) -> None:
        """Make the current pattern the strain reference (undoable)."""
        self.undo_stack.push(_ReferenceCommand(self, self.reference, self.current_index()))

    def set_reference(self, index: int | None) -> None:
        """Measure strain against pattern ``index`` (None: the default) and re-run the analysis."""
        self.reference = index
        self._submit_analysis()

    def calibrate_on_ring(self) -> None:
        """Calibrate so that the strongest ring of the current pattern has the "known ring" spacing."""
        if self.result is None:
            return
        self.tasks.submit(
            partial(
                strongest_ring_radius, self.result.r_px, self.result.profiles[self.current_index()]
            ),
            key="nbd-calibration",
            on_result=self._on_ring_radius,
            description="NBD ring calibration",
        )

    def _on_ring_radius(self, radius: float | None) -> None:
        if radius is None:
            self.status.setText(
                "No ring found in this pattern to calibrate on; pick a ring pattern"
            )
            return
        self.scale_per_nm = scale_from_ring(radius_px=radius, d_A=self.known_d.value())
        self.status.setText(
            f"Calibrated: {self.scale_per_nm:.5g} 1/nm per px (ring at {radius:.1f} px)"
        )
        self._submit_analysis()

    def set_ellipse_correction(self, enabled: bool) -> None:
        """Fit the detector ellipse on the current pattern's strongest ring and correct the profiles (or stop)."""
        if not enabled or self.patterns is None:
            self.correction, self.ellipse_note = None, ""
            self._submit_analysis()
            return
        index = self.current_index()
        if self.result is not None:
            centre = tuple(self.result.descan.fitted_rc[index])
        elif self.single is not None:
            centre = self.single.centre.centre_rc
        else:
            self.ellipse_box.setChecked(False)
            return
        pattern = self.patterns[index]
        self.tasks.submit(
            lambda: ellipse_on_strongest_ring(np.asarray(pattern), centre_rc=centre),
            key="nbd-ellipse",
            on_result=self._on_ellipse,
            description="NBD ellipse fit",
        )

    def _on_ellipse(self, fit: EllipseFit) -> None:
        if not fit.ok:
            self.status.setText(
                f"No ellipse fitted: {fit.reason}; pick a pattern with a sharp ring"
            )
            self.ellipse_box.setChecked(False)
            return
        self.correction = fit.correction()
        self.ellipse_note = (
            f"ellipse corrected: ellipticity {100 * fit.ellipticity:.2f} % at {fit.angle_deg:.1f}°, "
            f"RMS {fit.rms_px:.2f} px"
        )
        self.status.setText(self.ellipse_note)
        self._submit_analysis()


def _component_names(k: int) -> list[str]:
    return ["first pattern", "last pattern"] + [f"free {i}" for i in range(1, k - 1)]
