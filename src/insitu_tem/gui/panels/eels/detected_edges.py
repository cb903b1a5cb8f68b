"""The edges the EELS panel marks without the user naming their element: those detected in the
session's EELS data (:func:`insitu_tem.analysis.eels.edge_choice.detected_edges`), found off the GUI
thread once per data and calibration."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, Signal

from insitu_tem.analysis.eels import EDGES
from insitu_tem.core.model import Dataset
from insitu_tem.gui.tasks import TaskRunner
from insitu_tem.analysis.eels.edge_choice import detected_edges

TASK_KEY = "eels-detected-edges"


class DetectedEdges(QObject):
    """Detected edges per data fingerprint.

    Signals
    -------
    found() : the edges of the data last requested are known
    """

    found = Signal()

    def __init__(self, tasks: TaskRunner, parent=None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self._edges: dict[str, tuple[str, ...]] = {}
        self._current = ""

    def request(self, dataset: Dataset, fingerprint: str) -> None:
        """Find the edges of ``dataset`` (identified by ``fingerprint``) unless known."""
        self._current = fingerprint
        if fingerprint in self._edges:
            self.found.emit()
            return

        def keep(edges: tuple[str, ...]) -> None:
            if not shiboken6.isValid(self):
                return
            self._edges[fingerprint] = edges
            if fingerprint == self._current:
                self.found.emit()

        self.tasks.submit(
            lambda: detected_edges(dataset),
            key=TASK_KEY,
            on_result=keep,
            description="EELS: which edges the spectra show",
        )

    def clear(self) -> None:
        """No EELS data (what was found is kept for data opened again)."""
        self._current = ""
        self.tasks.cancel_keys((TASK_KEY,))

    def elements(self) -> list[str]:
        """Elements of the edges detected in the data last requested ([] until known)."""
        names = self._edges.get(self._current, ())
        return list(dict.fromkeys(EDGES[name].element for name in names))
