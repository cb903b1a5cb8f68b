"""The dialog that asks which signal of a multi-signal file to open.

Velox, EMD and HyperSpy files often hold several signals (an EELS spectrum image with its
HAADF, EDS spectra and maps); the dialog lists them in a microscopist's words — title, kind,
size, calibration and the panel that shows it — with the one to open first selected (a recorded
signal before one computed from it, :func:`~insitu_tem.io.signal_summaries.preferred_signal`).
Enter (or a double click) opens the selection, Esc cancels and opens nothing. The title names
the detector when the file does (Velox: six "EDS" spectra, one per UltraX detector).
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from insitu_tem.core.model import Axis
from insitu_tem.io.signal_summaries import SignalSummary

SIGNAL_OPTION_TIP = "What to give --signal on the command line: signals count from 0 there"
COLUMNS = ("--signal", "Signal", "Kind", "Size", "Calibration", "Opens in")


def _number(value: float) -> str:
    return f"{value:.4g}".replace("-", "−")


def kind_words(summary: SignalSummary) -> str:
    """What the signal is, as a microscopist says it: "EELS spectrum image", "image", "movie",
    "diffraction pattern", "EDS spectrum", ...; "cannot be opened" when it cannot."""
    tag = summary.signal_type.upper()
    spectrum = "EDS" if tag.startswith("EDS") else "EELS" if tag == "EELS" else ""
    navigation = len(summary.axes) - (1 if summary.kind.startswith("spectrum") else 2)
    words = {
        "image": "image",
        "movie": "movie",
        "pattern": "diffraction pattern",
        "pattern_series": "4D-STEM scan" if navigation == 2 else "diffraction pattern series",
        "spectrum": "spectrum",
        "spectrum_series": "spectrum image" if navigation == 2 else "line scan",
    }.get(summary.kind, "cannot be opened")
    if any(note.startswith("complex data") for note in summary.notes):
        words += " (complex)"
    return f"{spectrum} {words}" if spectrum and summary.kind.startswith("spectrum") else words


def title_words(summary: SignalSummary) -> str:
    """Its title, with the detector that recorded it when the file names one and the title does
    not: "EDS (UltraX3)", "a (DF-S)"."""
    title = summary.title or "(untitled)"
    if summary.detector and summary.detector.lower() not in title.lower():
        return f"{title} ({summary.detector})"
    return title


def size_words(summary: SignalSummary) -> str:
    """Its size: "128 × 128 px", "16 × 20 probes × 2048 channels", "6 frames of 32 × 32 px"."""
    sizes = [a.size for a in summary.axes]
    if not summary.kind:
        return " × ".join(map(str, sizes))
    if summary.kind.startswith("spectrum"):
        probes = " × ".join(map(str, sizes[:-1]))
        return (f"{probes} probes × " if probes else "") + f"{sizes[-1]} channels"
    frame = f"{sizes[-2]} × {sizes[-1]} px"
    if summary.kind == "movie":
        return f"{sizes[0]} frames of {frame}"
    probes = " × ".join(map(str, sizes[:-2]))
    return f"{probes} probes of {frame}" if probes else frame


def _step(axis: Axis, per: str) -> str:
    if "/" in axis.units:
        return f"{_number(axis.scale)} {axis.units} per {per}"
    return f"{_number(axis.scale)} {axis.units}/{per}"


def _energy_range(energy: Axis, *, xray: bool) -> str:
    """ "−21.5 to 324.8 eV, 0.1692 eV/channel"; X-ray energies in keV (channel width in eV)."""
    last = energy.offset + energy.scale * (energy.size - 1)
    if xray and energy.units == "eV":
        span = f"{_number(energy.offset / 1e3)} to {_number(last / 1e3)} keV"
    else:
        span = f"{_number(energy.offset)} to {_number(last)} {energy.units}"
    return f"{span}, {_step(energy, 'channel')}"


def calibration_words(summary: SignalSummary) -> str:
    """Its calibration: "158.7 nm/px", "−21.5 to 325 eV, 0.1692 eV/channel; 158.7 nm/probe",
    "uncalibrated"."""
    if not summary.kind:
        return summary.problem
    if summary.kind.startswith("spectrum"):
        navigation, (energy,) = summary.axes[:-1], summary.axes[-1:]
        words = ["uncalibrated channels"]
        if energy.calibrated:
            words = [_energy_range(energy, xray=summary.signal_type.upper().startswith("EDS"))]
    else:
        navigation, pixel = summary.axes[:-2], summary.axes[-1]
        words = [_step(pixel, "px") if pixel.calibrated else "uncalibrated px"]
    for axis in navigation[-1:]:
        if axis.calibrated:
            words.append(_step(axis, "frame" if summary.kind == "movie" else "probe"))
    return "; ".join(words)


class SignalChooser(QDialog):
    """Lists the signals of one file; the user picks one to open.

    Parameters
    ----------
    name : str
        The file's name, for the title and the question.
    summaries : sequence of SignalSummary
        Every signal of the file, in file order (:func:`insitu_tem.io.load.load_or_list`).
    panels : mapping of str to str
        Dataset kind -> title of the panel that shows it.
    default : int
        Index of the signal selected at first (:func:`~insitu_tem.io.load.preferred_signal`);
        the first that can be opened when that one cannot.
    parent : QWidget, optional

    Signals
    -------
    chosen(int) : the index of the signal to open (Enter, Open or a double click)
    """

    chosen = Signal(int)

    def __init__(
        self,
        name: str,
        summaries,
        *,
        panels: Mapping[str, str],
        default: int = 0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Open which signal? — {name}")
        self.summaries = tuple(summaries)
        question = QLabel(
            f"{name} holds {len(self.summaries)} signals. Choose the one to open (on the "
            "command line, give --signal the number in the first column, counted from 0)."
        )
        question.setWordWrap(True)
        self.table = QTreeWidget()
        self.table.setHeaderLabels(COLUMNS)
        self.table.headerItem().setToolTip(0, SIGNAL_OPTION_TIP)
        self.table.setRootIsDecorated(False)
        self.table.setUniformRowHeights(True)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for summary in self.summaries:
            self.table.addTopLevelItem(self._row(summary, panels))
        header = self.table.header()
        header.setStretchLastSection(False)
        for column in range(len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.open_button = self.buttons.button(QDialogButtonBox.StandardButton.Open)
        self.open_button.setDefault(True)
        self.table.itemDoubleClicked.connect(lambda item, _column: self._double_clicked(item))
        self.table.currentItemChanged.connect(self._enable_open)
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        self._select(default)
        self.table.setFocus()
        width = sum(header.sectionSize(c) for c in range(len(COLUMNS))) + 48
        rows = (len(self.summaries) + 1) * max(self.table.sizeHintForRow(0), 16)
        self.resize(min(max(width, 560), 1100), min(120 + rows, 600))

    @staticmethod
    def _row(summary: SignalSummary, panels: Mapping[str, str]) -> QTreeWidgetItem:
        item = QTreeWidgetItem(
            [
                str(summary.index),
                title_words(summary),
                kind_words(summary),
                size_words(summary),
                calibration_words(summary),
                panels.get(summary.kind, ""),
            ]
        )
        item.setData(0, Qt.ItemDataRole.UserRole, summary.index)
        if summary.problem:
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
        tip = summary.problem or "; ".join(summary.notes)
        for column in range(len(COLUMNS) if tip else 0):
            item.setToolTip(column, tip)
        return item

    def _select(self, default: int) -> None:
        rows = [self.table.topLevelItem(i) for i in range(self.table.topLevelItemCount())]
        openable = [item for item in rows if not item.isDisabled()]
        if not openable:
            self._enable_open(None)
            return
        preferred = [item for item in openable if item.data(0, Qt.ItemDataRole.UserRole) == default]
        self.table.setCurrentItem((preferred or openable)[0])

    def _enable_open(self, item, *_args) -> None:
        self.open_button.setEnabled(item is not None and not item.isDisabled())

    def _double_clicked(self, item: QTreeWidgetItem) -> None:
        if not item.isDisabled():
            self.table.setCurrentItem(item)
            self.accept()

    def selected(self) -> int | None:
        """Index (in the file) of the selected signal; None when nothing can be opened."""
        item = self.table.currentItem()
        if item is None or item.isDisabled():
            return None
        return int(item.data(0, Qt.ItemDataRole.UserRole))

    def accept(self) -> None:
        """Open the selected signal (nothing happens while none that can be opened is
        selected)."""
        index = self.selected()
        if index is None:
            return
        super().accept()
        self.chosen.emit(index)
