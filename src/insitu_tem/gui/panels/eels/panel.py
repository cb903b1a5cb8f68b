"""EELS panel: spectrum at the probe position with draggable background/signal
windows, edge markers and an energy cursor; ZLP alignment, chemical-shift and
window profiles (or maps) computed through the task runner."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from insitu_tem.analysis.eels import (
    EDGES,
    MODELS,
    EdgeAnalysis,
    LowLoss,
    analyse_edge,
    analyse_low_loss,
    auto_background_window,
    default_signal_window,
    edges_in_range,
)
from insitu_tem.core.model import Axis, Dataset
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.tasks import TaskRunner
from insitu_tem.gui.panels.eels.profiles import EelsProfiles
from insitu_tem.gui.panels.eels.spectrum_plot import EelsSpectrumPlot
from insitu_tem.gui.widgets.navigator import Navigator


@dataclass(frozen=True)
class EelsParams:
    """What the user chose: edge, windows (eV), background model and reference.

    ``reference`` is a spectrum index, or -1 for the loaded reference spectrum.
    """

    edge: str | None = None
    background_window: tuple[float, float] | None = None
    signal_window: tuple[float, float] | None = None
    model: str = "power_law"
    reference: int = 0


class _ParamsCommand(QUndoCommand):
    def __init__(self, panel: "EelsPanel", old: EelsParams, new: EelsParams, text: str) -> None:
        super().__init__(text)
        self.panel, self.old, self.new = panel, old, new

    def redo(self) -> None:
        self.panel.set_params(self.new)

    def undo(self) -> None:
        self.panel.set_params(self.old)


def default_edge(energy: Axis) -> str | None:
    """First major edge at least 5 eV inside the spectrum (None when there is none)."""
    coords = energy.coordinates()
    for edge in edges_in_range(coords[0] + 5.0, coords[-1] - 5.0):
        if edge.major and coords[0] + 5.0 < edge.onset_eV < coords[-1] - 5.0:
            return edge.name
    return None


def params_for_edge(edge: str, energy: Axis, *, model: str, reference: int) -> EelsParams:
    """Parameters with the automatic windows of ``edge`` on ``energy``."""
    return EelsParams(
        edge, auto_background_window(edge, energy), default_signal_window(edge), model, reference
    )


class EelsPanel(QWidget):
    """Spectrum, navigator, controls and profiles for one EELS dataset.

    Signals
    -------
    analysis_finished() : a low-loss or edge result has been shown
    """

    title = "EELS"
    role = "eels"
    analysis_finished = Signal()

    def __init__(
        self, state: SessionBridge, tasks: TaskRunner, undo_stack: QUndoStack, parent=None
    ) -> None:
        super().__init__(parent)
        self.state, self.tasks, self.undo_stack = state, tasks, undo_stack
        self.dataset: Dataset | None = None
        self.low_loss: LowLoss | None = None
        self.edge_result: EdgeAnalysis | None = None
        self.params = EelsParams()
        self.reference_spectrum: np.ndarray | None = None
        self._edge_task: int | None = None
        self.plot = EelsSpectrumPlot()
        self.curve = self.plot.curve
        self.profiles = EelsProfiles()
        self.navigator = Navigator("Probe")
        self.readout = QLabel("Open an EELS spectrum or line scan")
        self.readout.setWordWrap(True)
        self._build_controls()
        splitter = QSplitter()
        splitter.addWidget(self.plot)
        splitter.addWidget(self.profiles)
        splitter.setSizes([600, 400])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.controls)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.navigator)
        layout.addWidget(self.readout)
        self._connect()

    def _build_controls(self) -> None:
        self.edge_combo = QComboBox()
        self.edge_combo.addItem("(no edge)", None)
        for name in EDGES:
            self.edge_combo.addItem(name, name)
        self.model_combo = QComboBox()
        self.model_combo.addItems(MODELS)
        self.reference_spin = QSpinBox()
        self.reference_spin.setPrefix("reference #")
        self.use_current_button = QPushButton("Current as reference")
        self.load_reference_button = QPushButton("Load reference…")
        self.aligned_check = QCheckBox("Aligned")
        self.aligned_check.setChecked(True)
        self.log_check = QCheckBox("Log")
        self.controls = QHBoxLayout()
        for widget in (
            QLabel("Edge"),
            self.edge_combo,
            QLabel("Background"),
            self.model_combo,
            self.reference_spin,
            self.use_current_button,
            self.load_reference_button,
            self.aligned_check,
            self.log_check,
        ):
            self.controls.addWidget(widget)
        self.controls.addStretch(1)

    def _connect(self) -> None:
        self.navigator.index_changed.connect(self.state.set_scan_index)
        self.profiles.index_picked.connect(self.state.set_scan_index)
        self.state.scan_index_changed.connect(self._show_spectrum)
        self.edge_combo.activated.connect(self._on_edge_chosen)
        self.model_combo.activated.connect(
            lambda _: self._change(
                replace(self.params, model=self.model_combo.currentText()), "Background model"
            )
        )
        self.reference_spin.valueChanged.connect(
            lambda value: self._change(replace(self.params, reference=value), "Reference spectrum")
        )
        self.use_current_button.clicked.connect(lambda: self.reference_spin.setValue(self._index()))
        self.load_reference_button.clicked.connect(self._load_reference_dialog)
        self.plot.background_window_changed.connect(
            lambda low, high: self._change(
                replace(self.params, background_window=(low, high)), "Move background window"
            )
        )
        self.plot.signal_window_changed.connect(
            lambda low, high: self._change(
                replace(self.params, signal_window=(low, high)), "Move signal window"
            )
        )
        self.plot.cursor_moved.connect(self._on_cursor)
        self.aligned_check.toggled.connect(lambda _: self._show_spectrum(self._index()))
        self.log_check.toggled.connect(self._set_log)

    def _set_log(self, enabled: bool) -> None:
        self.plot.set_log(enabled)
        self.state.set_view("eels.log", bool(enabled))

    def project_state(self) -> dict:
        """Edge, windows (eV), background model, reference spectrum and the aligned display."""
        p = self.params
        return {
            "edge": p.edge,
            "background_window": p.background_window,
            "signal_window": p.signal_window,
            "model": p.model,
            "reference": p.reference,
            "aligned": self.aligned_check.isChecked(),
        }

    def restore_project_state(self, saved: dict) -> None:
        """Show what was saved: parameters from the panel state, log scale from the session's view."""
        windows = {
            k: tuple(saved[k]) if saved.get(k) else None
            for k in ("background_window", "signal_window")
        }
        self.aligned_check.setChecked(bool(saved.get("aligned", True)))
        self.log_check.setChecked(bool(self.state.view("eels.log")))
        self.set_params(
            EelsParams(
                saved.get("edge"),
                windows["background_window"],
                windows["signal_window"],
                saved.get("model", "power_law"),
                int(saved.get("reference", 0)),
            )
        )

    @property
    def energy(self) -> Axis | None:
        return None if self.dataset is None else self.dataset.signal_axes[0]

    def _index(self) -> int:
        return 0 if self.dataset is None else min(self.state.scan_index, self.dataset.n_items - 1)

    def set_dataset(self, dataset: Dataset) -> None:
        """Show a spectrum, line scan or spectrum image and start its analysis."""
        if self._edge_task is not None:
            self.tasks.cancel(self._edge_task)
        self.dataset, self.low_loss, self.edge_result, self.reference_spectrum = (
            dataset,
            None,
            None,
            None,
        )
        nav = dataset.navigation_axes
        self.navigator.set_axis(nav[0] if len(nav) == 1 else Axis("position", dataset.n_items))
        self.reference_spin.blockSignals(True)
        self.reference_spin.setRange(0, max(dataset.n_items - 1, 0))
        self.reference_spin.setValue(0)
        self.reference_spin.blockSignals(False)
        energy = self.energy
        edge = default_edge(energy) if energy.units == "eV" else None
        self.set_params(
            params_for_edge(edge, energy, model="power_law", reference=0) if edge else EelsParams()
        )
        self.plot.setLabel(
            "bottom", "Energy loss" if energy.units == "eV" else "Channel", units=energy.units
        )
        self.profiles.clear()
        self._show_spectrum(self._index())
        self.plot.autoRange()
        if energy.units != "eV":
            self.readout.setText(
                "No energy calibration: set one (Edit ▸ Set Calibration) to analyse"
            )
            return
        array = dataset.array
        self.tasks.submit(
            lambda: analyse_low_loss(np.asarray(array), energy),
            key="eels-lowloss",
            on_result=self._on_low_loss,
            description="EELS: zero-loss peak",
        )

    def set_params(self, params: EelsParams) -> None:
        """Apply parameters (no undo entry) and recompute the edge analysis."""
        self.params = params
        if params.reference >= 0:
            self.state.session.set_reference_probe(params.reference)
        self.edge_combo.setCurrentIndex(max(self.edge_combo.findData(params.edge), 0))
        self.model_combo.setCurrentText(params.model)
        self.reference_spin.blockSignals(True)
        self.reference_spin.setValue(max(params.reference, 0))
        self.reference_spin.blockSignals(False)
        self.plot.set_windows(params.background_window, params.signal_window)
        coords = self.energy.coordinates() if self.energy is not None else np.zeros(1)
        self.plot.set_markers(edges_in_range(coords[0], coords[-1]), params.edge)
        self._submit_edge()

    def _change(self, params: EelsParams, text: str) -> None:
        if params != self.params:
            self.undo_stack.push(_ParamsCommand(self, self.params, params, text))

    def _on_edge_chosen(self, _row: int) -> None:
        edge = self.edge_combo.currentData()
        if edge is None or self.energy is None:
            self._change(
                EelsParams(model=self.params.model, reference=self.params.reference), "No edge"
            )
            return
        self.edge_combo.setCurrentIndex(max(self.edge_combo.findData(self.params.edge), 0))
        energy, model, reference = self.energy, self.params.model, self.params.reference
        self.tasks.submit(
            lambda: params_for_edge(edge, energy, model=model, reference=reference),
            key="eels-edge-choice",
            on_result=lambda params: self._change(params, f"Edge {edge}"),
            description=f"EELS: windows for {edge}",
        )

    def _on_low_loss(self, result: LowLoss) -> None:
        self.low_loss = result
        self._show_spectrum(self._index())
        self._submit_edge()
        self.analysis_finished.emit()

    def _submit_edge(self) -> None:
        if self.dataset is None or self.low_loss is None or self.params.edge is None:
            return
        dataset, params, low_loss = self.dataset, self.params, self.low_loss
        reference = self.reference_spectrum if params.reference < 0 else params.reference
        self._edge_task = self.tasks.submit(
            lambda: analyse_edge(
                np.asarray(dataset.array),
                dataset.signal_axes[0],
                params.edge,
                reference=reference,
                signal_window=params.signal_window,
                background_window=params.background_window,
                background_model=params.model,
                low_loss=low_loss,
            ),
            key="eels-edge",
            on_result=self._on_edge,
            description=f"EELS: {params.edge}",
        )

    def _on_edge(self, result: EdgeAnalysis) -> None:
        self.edge_result = result
        shift, window = result.shift, result.window
        nav = self.dataset.navigation_axes
        if len(nav) == 2:
            self.profiles.set_maps(shift.shift_eV, window.counts, result.edge)
        else:
            axis = nav[0] if nav else Axis("position", 1)
            self.profiles.set_line(
                axis.coordinates(),
                axis.units,
                np.ravel(shift.shift_eV),
                np.ravel(shift.stderr_eV),
                np.ravel(window.counts),
                result.edge,
            )
        mlls = result.mlls
        self.profiles.set_fractions(
            None if mlls is None else np.ravel(mlls.fractions[..., 0]),
            None if mlls is None else np.ravel(mlls.chi2_reduced),
        )
        self._show_spectrum(self._index())
        self.analysis_finished.emit()

    def _displayed(self, index: int) -> np.ndarray:
        aligned = self.low_loss.aligned if self.low_loss is not None else None
        if aligned is not None and self.aligned_check.isChecked():
            return aligned.array.reshape(-1, aligned.energy.size)[index]
        return self.dataset.frame(index)

    def _show_spectrum(self, index: int) -> None:
        if self.dataset is None:
            return
        index = min(index, self.dataset.n_items - 1)
        energy = self.energy.coordinates()
        self.plot.set_spectrum(energy, self._displayed(index))
        self.navigator.blockSignals(True)
        self.navigator.set_index(index)
        self.navigator.blockSignals(False)
        self.profiles.set_current(index)
        fit = self.edge_result.window.background if self.edge_result is not None else None
        showing_aligned = (
            self.low_loss is not None
            and self.low_loss.aligned is not None
            and self.aligned_check.isChecked()
        )
        if fit is not None and (showing_aligned or self.low_loss.aligned is None):
            start = fit.window_eV[0]
            stop = self.edge_result.window.window_eV[1]
            inside = (energy >= start) & (energy <= stop)
            at_probe = replace(fit, params=fit.params.reshape(-1, fit.params.shape[-1])[index])
            curve = at_probe.evaluate(energy[inside])
            self.plot.set_background(energy[inside], curve)
        else:
            self.plot.set_background(None, None)
        self.readout.setText(self.describe(index))

    def describe(self, index: int) -> str:
        """One-line summary of the results at spectrum ``index``."""
        parts = []
        low = self.low_loss
        if low is not None:
            zlp = low.zlp
            if zlp.found.reshape(-1)[index]:
                parts.append(
                    f"ZLP {zlp.position_eV.reshape(-1)[index]:+.3f} eV, FWHM {zlp.fwhm_eV.reshape(-1)[index]:.3f} eV"
                )
            else:
                parts.append("no ZLP")
            if low.thickness is not None:
                parts.append(f"t/λ {low.thickness.t_over_lambda.reshape(-1)[index]:.3f}")
            if low.plasmon is not None:
                parts.append(f"plasmon {low.plasmon.energy_eV.reshape(-1)[index]:.2f} eV")
        result = self.edge_result
        if result is not None:
            onset = result.onset.onset_eV.reshape(-1)[index]
            shift = result.shift.shift_eV.reshape(-1)[index]
            err = result.shift.stderr_eV.reshape(-1)[index]
            chi2 = result.window.background.chi2_reduced.reshape(-1)[index]
            parts.append(
                f"{result.edge} onset {onset:.2f} eV, shift {shift:+.3f} ± {err:.3f} eV, "
                f"background χ²ᵣ {chi2:.2f}"
            )
        return " · ".join(parts)

    def _on_cursor(self, energy_eV: float) -> None:
        if self.dataset is None:
            return
        x, y = self.curve.getData()
        if x is None or not len(x):
            return
        counts = float(np.interp(energy_eV, x, y))
        self.state.report_cursor(f"E = {energy_eV:.2f} eV, {counts:.4g} counts")

    def _load_reference_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Reference spectrum", "", "Spectra (*.dm3 *.dm4 *.msa *.hspy *.emd)"
        )
        if path:
            self.load_reference(path)

    def load_reference(self, path: str) -> None:
        """Use a spectrum from ``path`` (same channels as the data) as the shift reference."""
        from insitu_tem.io.load import load

        def read() -> np.ndarray:
            reference = load(path)
            if reference.kind != "spectrum" or reference.shape[-1] != self.energy.size:
                raise ValueError(
                    f"{path}: the reference must be one spectrum of {self.energy.size} channels"
                )
            return np.asarray(reference.array, float)

        self.tasks.submit(
            read, key="eels-reference", on_result=self._on_reference, description="EELS: reference"
        )

    def _on_reference(self, spectrum: np.ndarray) -> None:
        self.reference_spectrum = spectrum
        self._change(replace(self.params, reference=-1), "Loaded reference")
