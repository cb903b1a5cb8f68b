"""The Export buttons of the EELS panel's EDS form: the table and composition of the
identification shown (JSON as ``insitu-tem eds --identify`` writes it, or CSV) and the line
maps of the elements present (float32 TIFFs with the scan's calibration). Exporting changes
nothing in the session (nothing to undo); every file goes through the output guard
(:func:`~insitu_tem.io.outputs.output_file`): never over the file open, an input or any
microscope data file, written through a temporary name."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog

from insitu_tem.core.model import DataError
from insitu_tem.workflows import eds_export

if TYPE_CHECKING:
    from insitu_tem.gui.panels.eels.eds_mode import EdsMode

TABLE_FILTERS = "JSON, as insitu-tem eds --identify (*.json);;CSV table (*.csv)"


class EdsExports(QObject):
    """Asks where to write and writes the EDS table or maps of ``mode``'s identification.

    Signals
    -------
    done(str) : what was written, or why nothing was (one sentence)
    """

    done = Signal(str)

    def __init__(self, mode: "EdsMode") -> None:
        super().__init__(mode)
        self.mode = mode
        mode.view.settings.export_table.connect(self.table_dialog)
        mode.view.settings.export_maps.connect(self.maps_dialog)

    def _value(self, what: str) -> dict | None:
        value = self.mode.result_value()
        if value is None:
            self.done.emit(f"Export {what}: wait for the identification shown to finish")
        return value

    def table_dialog(self) -> None:
        """Export table…: a JSON or CSV file the user picks."""
        if self._value("table") is None:
            return
        path, chosen = QFileDialog.getSaveFileName(
            self.mode.view, "Export the EDS table", "", TABLE_FILTERS
        )
        if path:
            self.write_table(path, csv=chosen.startswith("CSV") or path.lower().endswith(".csv"))

    def write_table(self, path: str, *, csv: bool = False) -> None:
        """Write the identification shown to ``path``: CSV (``csv``) or JSON."""
        value = self._value("table")
        if value is None:
            return
        try:
            if csv:
                eds_export.write_csv(path, value)
            else:
                document = eds_export.identify_document(value, self.mode.file_name())
                eds_export.write_json(path, document)
        except (DataError, OSError) as error:
            self.done.emit(f"Export table: {_why(path, error)}")
            return
        self.done.emit(f"Exported the EDS table of {self.mode.shown_region()} to {path}")

    def maps_dialog(self) -> None:
        """Export maps…: a folder the user picks."""
        if self._value("maps") is None:
            return
        folder = QFileDialog.getExistingDirectory(self.mode.view, "Export the EDS line maps")
        if folder:
            self.write_maps(folder)

    def write_maps(self, folder: str) -> None:
        """Write the maps of the present elements' lines and their 1σ into ``folder`` (in the
        background), with the windows the composition used."""
        value = self._value("maps")
        if value is None:
            return
        dataset = self.mode.dataset

        def written(paths) -> None:
            self.done.emit(f"Exported {len(paths)} line maps (net counts and 1σ) to {folder}")

        def failed(error: BaseException) -> None:
            if not isinstance(error, (DataError, OSError)):
                self.mode.tasks.report(error, context="Export maps")
            self.done.emit(f"Export maps: {_why(folder, error)}")

        self.mode.tasks.submit(
            lambda: eds_export.write_line_maps(folder, dataset, value),
            on_result=written,
            on_error=failed,
            description="EDS: writing the line maps",
        )


def _why(path: str, error: BaseException) -> str:
    """``path: why`` in one sentence."""
    where = getattr(error, "filename", None) or path
    return f"{Path(where).name}: {getattr(error, 'strerror', None) or error}"
