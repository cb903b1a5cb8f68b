"""The EELS panel's "Elements" box: the elements whose edges are marked on the spectrum (besides
the chosen edge's), typed as symbols; each edit is an undoable step kept in the project (the
view key ``eels.elements``, :mod:`insitu_tem.figures.eels_markers`)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLineEdit

from insitu_tem.figures.eels_markers import parse_elements
from insitu_tem.workflows.eds_quantify import check_elements

PLACEHOLDER = "symbols"
"""What the empty box shows: what to type, naming no element (a list of symbols in grey read as
elements the program had found, e.g. W on an SrTiO3 spectrum)."""
TIP = (
    "Elements whose edges are marked on the spectrum, e.g. W, O, Li (the chosen edge's element "
    "is always marked; formulas such as LixWO3 work); with EDS data, elements whose X-ray lines "
    "are always reported, found or not; opens with those the file names; saved in the project, "
    "Edit ▸ Undo"
)


class ElementsEdit(QLineEdit):
    """A line of element symbols.

    Signals
    -------
    elements_edited(list) : the user finished typing a new list of symbols
    rejected(str) : what the user typed is not a list of element symbols (why, naming the first
        word that is not; the box shows the list again)
    """

    elements_edited = Signal(list)
    rejected = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(PLACEHOLDER)
        self.setToolTip(TIP)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance(PLACEHOLDER) + 16)
        self.setMaximumWidth(140)
        self._shown: list[str] = []
        self.editingFinished.connect(self._edited)

    @property
    def elements(self) -> list[str]:
        """The symbols shown."""
        return list(self._shown)

    def show_elements(self, symbols: list[str]) -> None:
        """Show ``symbols`` (the project's list) without emitting."""
        self._shown = list(symbols)
        self.setText(", ".join(self._shown))

    def _edited(self) -> None:
        try:
            symbols = parse_elements(self.text())
            check_elements(symbols)
        except ValueError as error:
            self.setText(", ".join(self._shown))
            self.rejected.emit(f"Elements: {error}")
            return
        if symbols != self._shown:
            self.elements_edited.emit(symbols)
        else:
            self.setText(", ".join(self._shown))
