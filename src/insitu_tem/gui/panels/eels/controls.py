"""The EELS panel's row of controls: the edge and its background model, the reference the
chemical shift is measured against, the aligned/log view switches, the elements to mark and
(for EDS data, instead of the edge controls) the X-ray identification settings."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton, QSpinBox

from insitu_tem.analysis.eels import EDGES, MODELS
from insitu_tem.figures.probe_numbers import FIRST_PROBE, probe_index, probe_number
from insitu_tem.gui.panels.eels.elements_edit import ElementsEdit


class EelsControls(QHBoxLayout):
    """The widgets of the row, laid out left to right; ``settings`` (the EDS identification
    settings) ends it. The reference spin box shows probe numbers (from :data:`FIRST_PROBE`).

    Signals
    -------
    reference_picked(int) : the user chose the reference probe (0-based index)
    """

    reference_picked = Signal(int)

    def __init__(self, settings) -> None:
        super().__init__()
        self.settings = settings
        self.edge_combo = QComboBox()
        self.edge_combo.addItem("(no edge)", None)
        self.edge_combo.setToolTip("Edge measured at every probe: onset, chemical shift, window")
        for name in EDGES:
            self.edge_combo.addItem(name, name)
        self.model_combo = QComboBox()
        self.model_combo.addItems(MODELS)
        self.model_combo.setToolTip("Background model fitted before the edge (power law: A·E^−r)")
        self.reference_spin = QSpinBox()
        self.reference_spin.setPrefix("reference #")
        self.reference_spin.setToolTip(
            f"probe (numbered from {FIRST_PROBE}) the chemical shift is measured against "
            "(default: the last, the pristine end)"
        )
        self.set_probes(1)
        self.reference_spin.valueChanged.connect(
            lambda number: self.reference_picked.emit(probe_index(number))
        )
        self.use_current_button = QPushButton("Current as reference")
        self.use_current_button.setToolTip(
            "Measure chemical shifts (eV) against the spectrum at the current probe"
        )
        self.load_reference_button = QPushButton("Load reference…")
        self.load_reference_button.setToolTip(
            "Measure chemical shifts (eV) against a reference spectrum file (same energy channels)"
        )
        self.aligned_check = QCheckBox("Aligned")
        self.aligned_check.setChecked(True)
        self.aligned_check.setToolTip("spectra moved so that every zero-loss peak is at 0 eV")
        self.log_check = QCheckBox("Log")
        self.log_check.setToolTip("Logarithmic counts axis")
        self.elements_edit = ElementsEdit()
        self.edge_label, self.background_label = QLabel("Edge"), QLabel("Background")
        for widget in (
            self.edge_label,
            self.edge_combo,
            self.background_label,
            self.model_combo,
            self.reference_spin,
            self.use_current_button,
            self.load_reference_button,
            self.aligned_check,
            self.log_check,
            QLabel("Elements"),
            self.elements_edit,
            settings,
        ):
            self.addWidget(widget)
        self.addStretch(1)

    def show_edge_controls(self, shown: bool) -> None:
        """The edge controls (EELS data), else the X-ray settings (EDS data)."""
        for widget in (
            self.edge_label,
            self.background_label,
            self.edge_combo,
            self.model_combo,
            self.reference_spin,
            self.use_current_button,
            self.load_reference_button,
            self.aligned_check,
        ):
            widget.setVisible(shown)
        self.settings.setVisible(not shown)

    def clear(self) -> None:
        """As before any data: one probe, no edge, the first model, no elements."""
        self.set_probes(1)
        self.show_parameters(None, self.model_combo.itemText(0), 0)
        self.elements_edit.show_elements([])

    def set_probes(self, count: int) -> None:
        """Range the reference over ``count`` probes."""
        self.reference_spin.blockSignals(True)
        self.reference_spin.setRange(FIRST_PROBE, probe_number(max(count - 1, 0)))
        self.reference_spin.blockSignals(False)

    def show_parameters(self, edge: str | None, model: str, reference: int) -> None:
        """Show the analysis parameters: ``edge``, background ``model``, reference probe
        ``reference`` (0-based)."""
        self.edge_combo.setCurrentIndex(max(self.edge_combo.findData(edge), 0))
        self.model_combo.setCurrentText(model)
        self.reference_spin.blockSignals(True)
        self.reference_spin.setValue(probe_number(reference))
        self.reference_spin.blockSignals(False)

    def pick_reference(self, index: int) -> None:
        """Choose probe ``index`` (0-based) as the reference, as if typed."""
        self.reference_spin.setValue(probe_number(index))
