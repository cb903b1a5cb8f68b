"""EELS panel: the spectrum at the probe with draggable background/signal windows, edge markers
and an energy cursor, and the profiles (or maps) along the scan. Everything drawn comes from the
session: the "eels" parameters, the result the EELS workflow stored (see
:mod:`insitu_tem.gui.controllers.eels_analysis`) and the view keys ``eels.log`` and
``eels.aligned``. The chemical shift is relative to the pristine side (default reference: the
last probe; see :mod:`insitu_tem.workflows.eels`)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QFileDialog, QLabel, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from insitu_tem.core.model import Axis, Dataset
from insitu_tem.figures.eels_display import background_curve, shown_spectrum
from insitu_tem.figures.probe_numbers import FIRST_PROBE
from insitu_tem.figures.eels_markers import marked_edges, project_elements
from insitu_tem.gui.controllers.eels_analysis import EelsAnalysis
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.panels.eels.detected_edges import DetectedEdges
from insitu_tem.gui.panels.eels.eds_mode import EdsMode
from insitu_tem.gui.panels.eels.eds_view import EdsView
from insitu_tem.gui.panels.eels.controls import EelsControls
from insitu_tem.gui.panels.eels.no_edge import no_edge_text, profile_hints
from insitu_tem.gui.panels.eels.profiles import EELS_HINTS, EelsProfiles
from insitu_tem.gui.panels.eels.project_state import restore_parameters
from insitu_tem.gui.panels.eels.readout import describe
from insitu_tem.gui.panels.eels.spectrum_plot import EelsSpectrumPlot
from insitu_tem.gui.tasks import TaskRunner
from insitu_tem.gui.undo import SetValueCommand
from insitu_tem.gui.widgets.navigator import Navigator
from insitu_tem.io.kinds import is_xray_spectrum
from insitu_tem.workflows.eels import default_reference


class EelsPanel(QWidget):
    """Spectrum, navigator, controls and profiles for the session's EELS data.

    Signals
    -------
    analysis_finished() : the session's EELS result for the current parameters is shown
    """

    title = "EELS"
    role = "eels"
    analysis_finished = Signal()

    def __init__(
        self, state: SessionBridge, tasks: TaskRunner, undo_stack: QUndoStack, parent=None
    ) -> None:
        super().__init__(parent)
        self.state, self.tasks, self.undo_stack = state, tasks, undo_stack
        self.analysis = EelsAnalysis(state, tasks, undo_stack, parent=self)
        self.detected = DetectedEdges(tasks, parent=self)
        self.dataset: Dataset | None = None
        self.xray = False
        self.plot = EelsSpectrumPlot()
        self.curve = self.plot.curve
        self.profiles = EelsProfiles()
        self.eds_view = EdsView()
        self.eds = EdsMode(state, tasks, self.plot, self.eds_view, undo_stack)
        self.side = QStackedWidget()
        self.side.addWidget(self.profiles)
        self.side.addWidget(self.eds_view)
        self.navigator = Navigator("Probe", first=FIRST_PROBE)
        self.readout = QLabel("Open an EELS spectrum or line scan")
        self.readout.setWordWrap(True)
        self.controls = EelsControls(self.eds_view.settings)
        splitter = QSplitter()
        splitter.addWidget(self.plot)
        splitter.addWidget(self.side)
        splitter.setSizes([600, 400])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.controls)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.navigator)
        layout.addWidget(self.readout)
        self._connect()

    def _connect(self) -> None:
        change = self.analysis.change
        self.navigator.index_changed.connect(self.state.set_scan_index)
        self.profiles.index_picked.connect(self.state.set_scan_index)
        self.profiles.cursor_text.connect(self.state.report_cursor)
        self.state.scan_index_changed.connect(self._show_spectrum)
        self.state.session_event.connect(self._on_session_event)
        self.state.session_replaced.connect(self._sync_view)
        self.analysis.failed.connect(self.readout.setText)
        self.controls.edge_combo.activated.connect(
            lambda _: change(
                f"Edge {self.controls.edge_combo.currentData() or '(none)'}",
                edge=self.controls.edge_combo.currentData(),
                window=None,
                background=None,
            )
        )
        self.controls.model_combo.activated.connect(
            lambda _: change("Background model", model=self.controls.model_combo.currentText())
        )
        self.controls.reference_picked.connect(
            lambda index: change("Reference spectrum", reference=index, reference_file=None)
        )
        self.controls.use_current_button.clicked.connect(
            lambda: self.controls.pick_reference(self._index())
        )
        self.controls.load_reference_button.clicked.connect(self._load_reference_dialog)
        self.plot.background_window_changed.connect(
            lambda low, high: change("Move background window", background=[low, high])
        )
        self.plot.signal_window_changed.connect(
            lambda low, high: change("Move signal window", window=[low, high])
        )
        self.plot.cursor_moved.connect(self._on_cursor)
        self.controls.aligned_check.toggled.connect(
            lambda on: self.state.set_view("eels.aligned", bool(on))
        )
        self.controls.log_check.toggled.connect(
            lambda on: self.state.set_view("eels.log", bool(on))
        )
        self.controls.elements_edit.elements_edited.connect(self._set_elements)
        self.controls.elements_edit.rejected.connect(self.readout.setText)
        self.eds.readout.connect(self.readout.setText)
        self.detected.found.connect(lambda: self._show_markers(self.params["edge"]))

    @property
    def params(self) -> dict:
        """The analysis parameters in effect (the session's "eels" parameters over the defaults)."""
        return self.analysis.parameters()

    def result_value(self) -> dict | None:
        """The session's EELS result for the parameters in effect (None while it is computed)."""
        result = self.analysis.result()
        return None if result is None else result.value

    @property
    def energy(self) -> Axis | None:
        return None if self.dataset is None else self.dataset.signal_axes[0]

    def _index(self) -> int:
        return 0 if self.dataset is None else min(self.state.scan_index, self.dataset.n_items - 1)

    def set_dataset(self, dataset: Dataset) -> None:
        """Show the session's spectrum, line scan or spectrum image and its EELS result (computed
        when the session holds none for the parameters in effect)."""
        self.analysis.cancel()
        self.eds.clear()
        self.detected.clear()
        self.dataset, self.xray = dataset, is_xray_spectrum(dataset)
        self.profiles.set_xray(self.xray)
        self.side.setCurrentWidget(self.eds_view if self.xray else self.profiles)
        self.side.setVisible(self.xray or dataset.n_items > 1)  # a lone spectrum has no profile
        self.plot.release_cursor()
        nav = dataset.navigation_axes
        self.navigator.set_axis(nav[0] if len(nav) == 1 else Axis("position", dataset.n_items))
        self.controls.set_probes(dataset.n_items)
        energy = self.energy
        self.controls.show_edge_controls(not self.xray)
        self._sync_view()
        self._sync_controls()
        if self.xray:
            self.eds.set_dataset(dataset)
            return
        label = "Energy loss" if energy.units == "eV" else "Channel"
        self.plot.setLabel("bottom", label, units=energy.units)
        self.render()
        self.plot.show_all()
        if energy.units != "eV":
            self.readout.setText(
                "No energy calibration: set one (Edit ▸ Set Calibration) to analyse"
            )
            return
        self.detected.request(dataset, self.state.session.fingerprint("eels"))
        self.analysis.request()

    def clear_dataset(self) -> None:
        """The EELS data left the session."""
        self.analysis.cancel()
        self.eds.clear()
        self.detected.clear()
        self.dataset, self.xray = None, False
        self.profiles.set_xray(False)
        self.side.setCurrentWidget(self.profiles)
        self.side.show()
        self.controls.show_edge_controls(True)
        self.controls.clear()
        self.navigator.clear()
        self.plot.setLabel("bottom", "Energy loss", units="eV")
        self.profiles.clear()
        self.plot.set_spectrum(np.zeros(0), np.zeros(0))
        self.plot.set_background(None, None)
        self.plot.set_windows(None, None)
        self.plot.set_markers([], None)
        self.readout.setText("Open an EELS spectrum or line scan")

    def _on_session_event(self, name: str, payload: tuple) -> None:
        if self.dataset is None:
            return
        if name == "parameters" and payload[0] == "eels":
            self._sync_controls()
            self.render()
            if not self.xray:
                self.analysis.request()
        elif name == "parameters" and payload[0] == "eds.identify" and self.xray:
            self.eds.settings_changed()
        elif name == "result" and payload[0] == "eds.identify" and self.xray:
            self.eds.render()
        elif name == "result" and payload[0].split(".")[0] == "eels":
            if payload[0] == self.analysis.result_name():
                self.render()
        elif name == "view" and payload[0] == "eels.elements":
            self._sync_controls()
            if self.xray:
                self.eds.refresh()
        elif name == "view" and payload[0] in ("eels.log", "eels.aligned"):
            self._sync_view()
            self._show_spectrum(self._index())

    def _sync_view(self) -> None:
        for check, key in (
            (self.controls.log_check, "eels.log"),
            (self.controls.aligned_check, "eels.aligned"),
        ):
            check.blockSignals(True)
            check.setChecked(bool(self.state.view(key)))
            check.blockSignals(False)
        self.plot.set_log(bool(self.state.view("eels.log")))

    def _sync_controls(self) -> None:
        """The controls as the session's parameters say (EDS data: no edge, no windows; its
        parameters are not asked, which would look for an EELS edge in X-ray spectra)."""
        if self.xray:
            self.controls.edge_combo.setCurrentIndex(0)
            self.plot.set_windows(None, None)
            self._show_markers(None)
            return
        params = self.params
        edge = params["edge"]
        reference = default_reference(self.dataset, params["reference"])
        self.controls.show_parameters(edge, params["model"], reference)
        self._show_markers(params["edge"])
        self._show_windows()

    def _show_markers(self, edge: str | None) -> None:
        """Mark the edges of the chosen edge's element, of the project's elements (the file's
        until the user sets them; :mod:`insitu_tem.figures.eels_markers`) and of the edges
        detected in the data (:class:`DetectedEdges`)."""
        elements = project_elements(self.state.view("eels.elements"), self.dataset.metadata)
        self.controls.elements_edit.show_elements(elements)
        if self.xray or self.dataset is None:
            return
        low, high = self.energy.coordinates()[[0, -1]]
        edges = marked_edges(low, high, edge=edge, elements=elements + self.detected.elements())
        self.plot.set_markers(edges, edge, within=(low, high))

    def _set_elements(self, symbols: list) -> None:
        """The user typed the elements to mark: an undoable step kept in the project."""
        before = self.state.view("eels.elements")
        text = f"Elements {', '.join(symbols) or '(none)'}"
        apply = lambda value: self.state.set_view("eels.elements", value)  # noqa: E731
        self.undo_stack.push(SetValueCommand(apply, before, list(symbols), text))

    def _show_windows(self) -> None:
        params, value = self.params, self.result_value() or {}
        background = params["background"] or value.get("background_window_eV")
        signal = params["window"] or value.get("signal_window_eV")
        if params["edge"] is None:
            background = signal = None
        self.plot.set_windows(
            None if background is None else tuple(background),
            None if signal is None else tuple(signal),
        )

    def render(self) -> None:
        """Draw the session's result: profiles or maps, windows, the spectrum at the probe (EDS
        data: drawn by :attr:`eds`)."""
        if self.xray:
            return
        value = self.result_value()
        self.profiles.show_result(value)
        self.profiles.set_hints(self._profile_hints())
        if self.params["edge"] is not None:
            self._show_windows()
        self._show_spectrum(self._index())
        if value is not None:
            self.analysis_finished.emit()

    def _profile_hints(self) -> tuple[str, str]:
        """What the empty profiles say: what they will hold, or why no edge is measured."""
        if self.params["edge"] is not None:
            return EELS_HINTS
        chosen = "edge" in self.state.session.parameters("eels")
        mapped = len(self.dataset.navigation_axes) == 2
        return profile_hints(self.energy, chosen=chosen, mapped=mapped)

    def _show_spectrum(self, index: int) -> None:
        if self.dataset is None:
            return
        if self.xray:
            self._show_probe(index)
            return
        index = min(index, self.dataset.n_items - 1)
        energy = self.energy.coordinates()
        value, aligned = self.result_value(), bool(self.state.view("eels.aligned"))
        self.plot.set_spectrum(energy, shown_spectrum(self.dataset, value, index, aligned=aligned))
        self.navigator.blockSignals(True)
        self.navigator.set_index(index)
        self.navigator.blockSignals(False)
        self.profiles.set_current(index)
        curve = background_curve(value, energy, index, aligned=aligned)
        self.plot.set_background(*(curve if curve is not None else (None, None)))
        self.readout.setText(self._readout_text(value, index))

    def _readout_text(self, value: dict | None, index: int) -> str:
        """The result at probe ``index``, and, when the data opened on no edge (none detected,
        none chosen), that none was detected."""
        text = describe(value, index)
        if self.params["edge"] is not None or "edge" in self.state.session.parameters("eels"):
            return text
        low, high = self.energy.coordinates()[[0, -1]]
        return " · ".join(part for part in (text, no_edge_text(low, high)) if part)

    def _show_probe(self, index: int) -> None:
        """EDS data: the navigator at probe ``index``; the spectrum follows it once it rests
        when the panel shows the probe's."""
        self.navigator.blockSignals(True)
        self.navigator.set_index(min(index, self.dataset.n_items - 1))
        self.navigator.blockSignals(False)
        if self.eds.view.source == "probe":
            self.eds.follow_probe()

    def _on_cursor(self, energy_eV: float) -> None:
        if self.dataset is None:
            return
        x, y = self.curve.getData()
        if x is None or not len(x):
            return
        counts = float(np.interp(energy_eV, x, y))
        unit, digits = ("keV", 3) if self.xray else ("eV", 2)
        self.state.report_cursor(f"E = {energy_eV:.{digits}f} {unit}, {counts:.4g} counts")

    def _load_reference_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Reference spectrum", "", "Spectra (*.dm3 *.dm4 *.msa *.hspy *.emd)"
        )
        if path:
            self.load_reference(path)

    def load_reference(self, path: str) -> None:
        """Measure the shift against the spectrum in ``path`` (same channels as the data)."""
        self.analysis.change("Loaded reference", reference_file=str(path))

    def restore_project_state(self, saved: dict) -> None:
        """Old projects' EELS parameters, kept in the panel, moved into the session."""
        restore_parameters(self.state, saved)
