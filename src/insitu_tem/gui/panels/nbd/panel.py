"""NBD panel: the pattern at the probe chosen along the line scan, with spot-shift arrows,
and the scan analysis (strain, profile map, rings with simulated overlays, NMF, ePDF); a 2-D scan
also as a map (virtual BF/ADF images and the measured quantities per probe, :mod:`.map_tab`).

The scan analysis is the session's result "nbd" (parameters and jobs:
:mod:`insitu_tem.gui.controllers.nbd_analysis`); a single pattern's centre and spots and the
ring overlays and ePDF of the probe in view are results "nbd.pattern" and "nbd.rings"
(:mod:`insitu_tem.gui.controllers.nbd_pattern`). The panel draws what the session holds."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QLabel,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from insitu_tem.figures.probe_numbers import FIRST_PROBE, probe_number
from insitu_tem.core.model import Axis, Dataset
from insitu_tem.gui.controllers.nbd_analysis import ELLIPSE, NbdAnalysis
from insitu_tem.gui.controllers.nbd_pattern import NbdPatternResults
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.tasks import TaskRunner
from insitu_tem.gui.widgets.measure_tools import MeasureTools, scrolling
from insitu_tem.gui.widgets.navigator import Navigator
from insitu_tem.gui.panels.nbd.controls import NbdControls
from insitu_tem.gui.panels.nbd.pattern_view import NbdPatternView
from insitu_tem.gui.panels.nbd.profile_plots import NbdProfilePlots
from insitu_tem.gui.panels.nbd.scan_plots import NbdScanPlots
from insitu_tem.gui.panels.nbd.map_tab import NbdMapTab
from insitu_tem.gui.panels.nbd.scan_status import scan_order, scan_status, strain_gaps
from insitu_tem.workflows.nbd import fraction_names
from insitu_tem.workflows.nbd_pattern import PATTERN, RINGS, pattern_text

SCAN_MIN_PATTERNS = 3
"""Patterns a scan analysis needs (a strain reference, profiles and fractions along it); fewer
are analysed one at a time."""


class NbdPanel(QWidget):
    """Pattern with overlays, navigator, display and reference controls, and the scan plots.

    Signals
    -------
    analysis_finished() : the session's scan result (or a single pattern's analysis) is shown
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
        self.analysis = NbdAnalysis(state, tasks, undo_stack, parent=self)
        self.per_pattern = NbdPatternResults(state, tasks, parent=self)
        self.dataset: Dataset | None = None
        self.patterns: np.ndarray | None = None
        self.view = NbdPatternView()
        self.navigator = Navigator("Probe", first=FIRST_PROBE)
        self.scan_plots = NbdScanPlots()
        self.profile_plots = NbdProfilePlots()
        self.measure = MeasureTools(self.view)
        self.map_tab = NbdMapTab(self.view, known_d=lambda: self.controls.known_d.value())
        self.controls = NbdControls(self.view.gamma)
        self.status = QLabel("Open a pattern series")
        self.status.setWordWrap(True)
        self._connect_controls()
        self._layout()
        self.navigator.index_changed.connect(state.set_scan_index)
        self.scan_plots.index_picked.connect(state.set_scan_index)
        self.map_tab.index_picked.connect(state.set_scan_index)
        self.map_tab.hovered.connect(state.report_cursor)
        self.map_tab.changed.connect(self._keep_map)
        self.tabs.currentChanged.connect(lambda _: self.map_tab.set_in_view(self._map_in_view()))
        state.scan_index_changed.connect(self._show_pattern)
        state.session_event.connect(self._on_session_event)
        self.view.hovered.connect(state.report_cursor)
        self.analysis.message.connect(self.status.setText)
        self.per_pattern.message.connect(self.status.setText)

    def _connect_controls(self) -> None:
        controls = self.controls
        controls.display.currentTextChanged.connect(self._set_display)
        controls.gamma.valueChanged.connect(lambda value: self._set_display(self.view.mode))
        controls.reference_button.clicked.connect(self.pick_reference)
        controls.composition.currentTextChanged.connect(
            lambda _: self._submit_profile(self.current_index())
        )
        controls.calibrate_button.clicked.connect(self.calibrate_on_ring)
        controls.known_d.valueChanged.connect(lambda _: self.map_tab.known_d_changed())
        controls.ellipse_box.toggled.connect(self.set_ellipse_correction)

    def _set_display(self, mode: str) -> None:
        self.view.set_display(mode, self.controls.gamma.value())
        self.state.set_view("nbd.display", mode)
        self.state.set_view("nbd.gamma", float(self.controls.gamma.value()))

    def project_state(self) -> dict:
        """The known ring spacing, the ePDF composition (inputs of the tools, not results) and
        what the map of a 2-D scan shows."""
        return {
            "known_d": self.controls.known_d.value(),
            "composition": self.controls.composition.currentText(),
            "map": self.map_tab.state() if self.map_tab.active else None,
        }

    def _keep_map(self) -> None:
        self.state.session.set_panel_state("nbd", self.project_state())

    def restore_project_state(self, saved: dict) -> None:
        """Show what was saved: display from the session's view, tool inputs from the panel state
        (projects of schema 1 and 2 also kept the strain reference and ring calibration here)."""
        self.controls.gamma.setValue(float(self.state.view("nbd.gamma")))
        self.controls.display.setCurrentText(str(self.state.view("nbd.display")))
        controls = self.controls
        controls.known_d.setValue(float(saved.get("known_d", controls.known_d.value())))
        controls.composition.setCurrentText(
            saved.get("composition", controls.composition.currentText())
        )
        self.map_tab.restore(saved.get("map"))
        older = {k: saved.get(k) for k in ("reference", "scale_per_nm") if saved.get(k) is not None}
        if older and not self.state.session.parameters("nbd"):
            self.state.session.set_parameters("nbd", older)

    def _layout(self) -> None:
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.view, 1)
        column.addWidget(self.controls)
        column.addWidget(self.navigator)
        column.addWidget(self.status)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.scan_plots, "Scan")
        self.tabs.addTab(self.profile_plots, "Rings && ePDF")
        self.tabs.addTab(self.scan_plots.scree_plot, "PCA")
        self.tabs.addTab(scrolling(self.measure), "Measure")
        self.tabs.addTab(self.map_tab, "Map")
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.tabs)
        splitter.setSizes([500, 500])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def _map_in_view(self) -> bool:
        return self.tabs.currentWidget() is self.map_tab

    def _show_map_tab(self) -> None:
        """The "Map" tab (the last: the others keep their places), in view for 2-D scans only."""
        last = self.tabs.indexOf(self.map_tab)
        self.tabs.setTabVisible(last, self.map_tab.active)
        if self.map_tab.active or self._map_in_view():
            self.tabs.setCurrentIndex(last if self.map_tab.active else 0)

    def _show_scan_tabs(self, scan: bool) -> None:
        """The Scan and PCA tabs for a scan only (``scan``: enough patterns to analyse as one); a
        lone pattern opens on its Rings & ePDF tab, a scan opened after it on its Scan tab."""
        scan_tabs = (self.scan_plots, self.scan_plots.scree_plot)
        was_hidden = not self.tabs.isTabVisible(self.tabs.indexOf(self.scan_plots))
        current = self.tabs.currentWidget()
        for widget in scan_tabs:
            self.tabs.setTabVisible(self.tabs.indexOf(widget), scan)
        if not scan and current in scan_tabs:
            self.tabs.setCurrentWidget(self.profile_plots)
        elif scan and was_hidden and not self.map_tab.active:
            self.tabs.setCurrentWidget(self.scan_plots)

    @property
    def scale_per_nm(self) -> float | None:
        """Detector calibration the scan result was computed with, 1/nm per px."""
        value = self.result_value()
        return None if value is None else value["scale_per_nm"]

    @property
    def correction(self) -> np.ndarray | None:
        """The ellipse correction in effect (2 x 2), or None."""
        correction = self.analysis.parameters()["correction"]
        return None if correction is None else np.asarray(correction, float)

    def result_value(self) -> dict | None:
        """The session's scan result "nbd" when current (None while missing or recomputed)."""
        result = self.analysis.result()
        return None if result is None else result.value

    def set_dataset(self, dataset: Dataset) -> None:
        """Show the session's pattern series (or one pattern) and its analysis."""
        self.analysis.cancel()
        self.per_pattern.cancel()
        self.dataset = dataset
        self.patterns = dataset.array.reshape((-1,) + dataset.shape[-2:])
        nav = dataset.navigation_axes
        position_axis = (
            nav[0] if len(nav) == 1 else Axis("position", dataset.n_items, offset=FIRST_PROBE)
        )
        self.navigator.set_axis(position_axis)
        self.scan_plots.set_positions(
            position_axis.coordinates(), position_axis.units, label=scan_order(nav)
        )
        self.view.show_pattern(
            np.asarray(self.patterns[0]), axes=dataset.signal_axes, auto_range=True
        )
        self.map_tab.set_dataset(dataset, self.patterns)
        self._show_map_tab()
        self._show_scan_tabs(len(self.patterns) >= SCAN_MIN_PATTERNS)
        self.controls.reference_button.setEnabled(len(self.patterns) >= SCAN_MIN_PATTERNS)
        self._sync_ellipse_box()
        if len(self.patterns) >= SCAN_MIN_PATTERNS:
            self.render()
            self.analysis.request()
        else:
            self._analyse_single()

    def clear_dataset(self) -> None:
        """The NBD data left the session: its analyses stop and the controls read as before any
        data."""
        self.analysis.cancel()
        self.per_pattern.cancel()
        self.dataset, self.patterns = None, None
        self.navigator.clear()
        self.view.clear_frame()
        self.scan_plots.clear()
        self.scan_plots.set_positions(np.zeros(0), "")
        self.controls.reference_button.setEnabled(True)
        self.status.setText("Open a pattern series")
        self.status.setToolTip("")

    def _on_session_event(self, name: str, payload: tuple) -> None:
        if self.dataset is None:
            return
        if name == "parameters" and payload[0] == "nbd":
            self._sync_ellipse_box()
            self.render()
            self.analysis.request()
        elif name == "result" and payload[0] in ("nbd", ELLIPSE):
            self.render()
        elif name == "result" and payload[0] == PATTERN:
            self._show_single()
        elif name == "result" and payload[0] == RINGS:
            self._show_rings(self.current_index())

    def _sync_ellipse_box(self) -> None:
        self.controls.show_correction(self.correction is not None)

    def render(self) -> None:
        """Draw the session's scan result: strain, profile map, fractions, status, overlays."""
        value = self.result_value()
        self.map_tab.show_result(value)
        if value is None:
            self.scan_plots.clear()
            self.status.setText("Analysing the scan…")
            self.status.setToolTip("")
            self._show_pattern(self.current_index())
            return
        sigma = value.get("lattice_strain_sigma")
        self.scan_plots.show_strain(
            np.asarray(value["lattice_strain"], float),
            value["reference_index"],
            None if sigma is None else np.asarray(sigma, float),
        )
        self.scan_plots.show_map(
            np.asarray(value["profiles"], float), value["q_per_A"], value["r_px"]
        )
        names = list(value["phase_fractions"])
        fractions = np.stack(
            [np.asarray(value["phase_fractions"][n], float) for n in names], axis=1
        )
        sigmas = value.get("phase_fractions_sigma")
        self.scan_plots.show_fractions(
            fractions,
            fraction_names(len(names)),
            np.asarray(value["explained_variance"]),
            None if sigmas is None else np.stack([np.asarray(sigmas[n], float) for n in names], 1),
        )
        self.status.setText(scan_status(value, self.analysis.ellipse()))
        self.status.setToolTip(strain_gaps(value, detail=True).removeprefix("; "))
        self._show_pattern(self.current_index())
        self.analysis_finished.emit()

    def _analyse_single(self) -> None:
        self.per_pattern.request_pattern(self.current_index())
        self._show_single()

    def single(self) -> dict | None:
        """The session's analysis of the single pattern in view (None: missing or stale)."""
        if self.patterns is None or len(self.patterns) >= SCAN_MIN_PATTERNS:
            return None
        return self.per_pattern.pattern(self.current_index())

    def _show_single(self) -> None:
        value = self.single()
        if value is None:
            return
        self.status.setText(pattern_text(value))
        self._show_pattern(self.current_index())
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
        self.map_tab.set_current(index)
        if len(self.patterns) < SCAN_MIN_PATTERNS:
            self.per_pattern.request_pattern(index)
        self._show_overlays(index)
        self._submit_profile(index)

    def _show_overlays(self, index: int) -> None:
        value = self.result_value()
        if value is not None:
            self.view.show_overlays(
                centre_rc=np.asarray(value["centre_px"][index], float),
                spots_rc=np.asarray(value["spots_rc"][index], float),
                start_rc=np.asarray(value["spot_start_rc"][index], float),
                shift_px=np.asarray(value["spot_shift_px"][index], float),
            )
        elif self.single() is not None:
            single = self.single()
            self.view.show_overlays(
                centre_rc=np.asarray(single["centre_rc"], float),
                spots_rc=np.asarray(single["spots_rc"], float),
            )
        else:
            self.view.show_overlays()

    def _submit_profile(self, index: int) -> None:
        value, lone = self.result_value(), self.single()
        if lone is not None or (value is not None and value["q_per_A"] is None):
            self.profile_plots.show_lone(lone or {"q_per_A": None})
        if value is None or value["q_per_A"] is None:
            return
        q, profile = (
            np.asarray(value["q_per_A"], float),
            np.asarray(value["profiles"][index], float),
        )
        rings = value["ring_q_per_A"][index] if value["ring_q_per_A"] else ()
        self.profile_plots.show_profile(q, profile, rings)
        self.per_pattern.request_rings(index, self.controls.composition.currentText())
        self._show_rings(index)

    def _show_rings(self, index: int) -> None:
        rings = self.per_pattern.rings(index, self.controls.composition.currentText())
        if rings is None:
            return
        self.profile_plots.show_overlays(rings["overlays"])
        self.profile_plots.show_pdf(rings["pdf"], rings["pdf_message"])
        self.profile_finished.emit()

    def pick_reference(self) -> None:
        """Make the current pattern the strain reference (undoable)."""
        self.set_reference(self.current_index())

    def set_reference(self, index: int | None) -> None:
        """Measure strain against pattern ``index`` (None: the default), as an undoable step."""
        shown = "the default" if index is None else f"pattern {probe_number(index)}"
        self.analysis.change(f"NBD strain reference: {shown}", reference=index)

    def calibrate_on_ring(self) -> None:
        """Calibrate so that the strongest ring of the current pattern has the "known ring"
        spacing."""
        self.analysis.calibrate_on_ring(self.current_index(), self.controls.known_d.value())

    def set_ellipse_correction(self, enabled: bool) -> None:
        """Fit the detector ellipse on the current pattern's strongest ring and correct the
        profiles (or stop correcting)."""
        if not enabled:
            self.analysis.change("No ellipse correction", correction=None)
            return
        index = self.current_index()
        if self.patterns is None or not self.analysis.fit_ellipse(index, self.patterns[index]):
            self._sync_ellipse_box()
