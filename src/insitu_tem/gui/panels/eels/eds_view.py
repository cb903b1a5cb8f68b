"""The EELS panel's side view for EDS (X-ray) data: which spectrum is shown and identified (the
sum of every spectrum, one probe's, or a region's drawn on the map), the table of identified
elements (element, line, status, net counts ± 1σ, why) and the map view (total counts, or the
net counts of the line whose row the user clicked; the pixel under the cursor read with its
1σ)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from insitu_tem.figures.probe_numbers import scan_place
from insitu_tem.core.uncertainty_text import value_with_sigma
from insitu_tem.figures.eds_display import central_box, threshold_text
from insitu_tem.gui.panels.eels.eds_settings import EdsSettings
from insitu_tem.gui.widgets.not_measured import NotMeasuredLayer, missing_text, show_map
from insitu_tem.gui.widgets.plot_factory import plot_widget

SOURCES = (
    ("Sum of all spectra", "sum"),
    ("Probe", "probe"),
    ("Region (drawn on the map)", "region"),
)
"""The spectrum choices: label and key."""
COLUMNS = ("Element", "Line", "Status", "Net counts ± 1σ", "at.% ± 1σ", "Why / alternatives")
COMPOSITION_TIP = (
    "Cliff–Lorimer atomic percent of the elements present, from their main line's fitted net "
    "counts ± 1σ (the table's, as insitu-tem eds --identify) and the k-factors typed "
    "above (1 for the others: with every k-factor 1, relative line intensities, not a "
    "composition); no absorption correction"
)
STATUS_COLOURS = {"present": "#7fd67f", "ambiguous": "#ffa040", "not detected": "#9a9a9a"}
"""Colour of each status, in the table and of the line markers on the spectrum."""
NOT_FINITE = "the spectrum's counts in the line's windows are not finite numbers"
"""Why a probe of a map has no value."""
SIDE_BY_SIDE_FROM = 1.3
"""Width over height from which the map is beside the table instead of below it."""


class EdsView(QWidget):
    """Spectrum choice, identified lines and map of an EDS spectrum image.

    Signals
    -------
    source_changed(str) : the user chose "sum", "probe" or "region"
    line_chosen(str) : the user clicked the row of a line (``"Fe_Ka"``)
    region_drawn(list) : the user moved the region, [row0, row1, col0, col1] (half-open, px)
    probe_picked(int) : the user clicked a map pixel (flattened index)
    cursor_text(str) : the map pixel under the cursor with its value ± 1σ
    """

    source_changed = Signal(str)
    line_chosen = Signal(str)
    region_drawn = Signal(list)
    probe_picked = Signal(int)
    cursor_text = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source_combo = QComboBox()
        for label, key in SOURCES:
            self.source_combo.addItem(label, key)
        self.source_combo.setToolTip(
            "Spectrum shown and identified: the sum of the spectrum image (default), the "
            "spectrum at the current probe, or the sum over a rectangle drawn on the map"
        )
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.settings = EdsSettings()  # shown in the panel's row of controls: it needs the width
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.horizontalHeaderItem(COLUMNS.index("at.% ± 1σ")).setToolTip(COMPOSITION_TIP)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for column in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setToolTip("Click a line to map its net counts over the spectrum image")
        self.map_plot = plot_widget()
        self.map_plot.setAspectLocked(True)
        self.map_plot.getPlotItem().invertY(True)
        self.map_plot.setLabel("bottom", "scan x (px)")
        self.map_plot.setLabel("left", "scan y (px)")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.map_plot.addItem(self.image)
        self.missing = NotMeasuredLayer()
        self.map_plot.addItem(self.missing)
        self.roi = pg.RectROI((0, 0), (1, 1), pen=pg.mkPen("#ffcc33", width=2))
        self.roi.setZValue(10)
        self.roi.setVisible(False)
        self.map_plot.addItem(self.roi)
        self._map: tuple[str, np.ndarray, np.ndarray | None] | None = None
        self._scan = (1, 1)
        self._build()
        self._connect()

    def _build(self) -> None:
        top = QHBoxLayout()
        top.addWidget(QLabel("Spectrum"))
        top.addWidget(self.source_combo, 1)
        upper = QWidget()
        column = QVBoxLayout(upper)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(top)
        column.addWidget(self.summary)
        column.addWidget(self.table, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(upper)
        self.splitter.addWidget(self.map_plot)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        """The map beside the table in a wide, short view, below it in a tall one (the map is
        square: it gets the longer side's room)."""
        super().resizeEvent(event)
        size = event.size()
        wide = size.width() > SIDE_BY_SIDE_FROM * size.height()
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if orientation != self.splitter.orientation():
            self.splitter.setOrientation(orientation)
            length = size.width() if wide else size.height()
            self.splitter.setSizes([3 * length // 5, length - 3 * length // 5])

    def _connect(self) -> None:
        self.source_combo.activated.connect(
            lambda _: self.source_changed.emit(self.source_combo.currentData())
        )
        self.table.cellClicked.connect(self._row_clicked)
        self.roi.sigRegionChangeFinished.connect(lambda _roi: self.region_drawn.emit(self.box()))
        scene = self.map_plot.scene()
        scene.sigMouseClicked.connect(self._clicked)
        scene.sigMouseMoved.connect(self._hovered)

    @property
    def source(self) -> str:
        """ "sum", "probe" or "region"."""
        return self.source_combo.currentData()

    def set_source(self, key: str, *, scan: bool) -> None:
        """Show choice ``key`` without emitting; a probe or a region only for a ``scan``."""
        for index, (_, name) in enumerate(SOURCES):
            item = self.source_combo.model().item(index)
            item.setEnabled(scan or name == "sum")
        self.source_combo.blockSignals(True)
        self.source_combo.setCurrentIndex(self.source_combo.findData(key if scan else "sum"))
        self.source_combo.blockSignals(False)
        self.roi.setVisible(self.source == "region" and self._map is not None)

    def box(self) -> list[int]:
        """The region drawn, [row0, row1, col0, col1] (half-open, scan px), inside the map."""
        rows, cols = self._scan
        x, y = self.roi.pos()
        width, height = self.roi.size()
        col0 = int(np.clip(round(x), 0, cols - 1))
        row0 = int(np.clip(round(y), 0, rows - 1))
        col1 = int(np.clip(round(x + width), col0 + 1, cols))
        row1 = int(np.clip(round(y + height), row0 + 1, rows))
        return [row0, row1, col0, col1]

    def place_region(self, box: list[int]) -> None:
        """Draw the region [row0, row1, col0, col1] without emitting."""
        row0, row1, col0, col1 = box
        self.roi.blockSignals(True)
        self.roi.setPos((col0, row0), finish=False)
        self.roi.setSize((col1 - col0, row1 - row0), finish=False)
        self.roi.blockSignals(False)

    def show_busy(self, text: str) -> None:
        """Say what is being computed; the table is emptied."""
        self.summary.setText(text)
        self.table.setRowCount(0)

    def show_identification(self, value: dict, what: str) -> None:
        """Fill the summary and the table from an "eds.identify" result value of the spectrum
        ``what`` ("the spectrum at probe 13")."""
        if not value["ok"]:
            self.show_busy(f"{what}: no lines identified — {value['reason']}")
            return
        findings = value["findings"]
        counts = {s: sum(f["status"] == s for f in findings) for s in STATUS_COLOURS}
        self.summary.setText(
            f"{_capital(what)}, {value['total_counts']:,.0f} counts: "
            f"{counts['present']} present, {counts['ambiguous']} ambiguous, "
            f"{counts['not detected']} not detected"
        )
        self.summary.setToolTip(threshold_text(value))
        self.table.setRowCount(len(findings))
        composition = value.get("composition") or {}
        for row, finding in enumerate(findings):
            for column, text in enumerate(row_texts(finding, composition)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if column == 2:
                    item.setForeground(pg.mkColor(STATUS_COLOURS[finding["status"]]))
                if column == 0:
                    item.setData(Qt.ItemDataRole.UserRole, (finding["lines"] or [""])[0])
                if column == COLUMNS.index("at.% ± 1σ") and text:
                    item.setToolTip(
                        "; ".join(filter(None, (COMPOSITION_TIP, composition.get("reason"))))
                    )
                self.table.setItem(row, column, item)

    def rows(self) -> list[tuple[str, ...]]:
        """The table as the user reads it, row by row."""
        return [
            tuple(self.table.item(row, c).text() for c in range(len(COLUMNS)))
            for row in range(self.table.rowCount())
        ]

    def _row_clicked(self, row: int, _column: int) -> None:
        line = self.table.item(row, 0).data(Qt.ItemDataRole.UserRole)
        if line:
            self.line_chosen.emit(line)

    def show_map(self, title: str, values: np.ndarray, sigma: np.ndarray | None = None) -> None:
        """Show ``values`` (scan rows, scan columns) titled ``title``; ``sigma`` read at the
        cursor."""
        first = self._map is None or self._map[1].shape != values.shape
        self._map = (title, np.asarray(values, float), sigma)
        missing = show_map(self.image, self.missing, self._map[1])
        self.map_plot.setTitle(title + missing_text(missing, NOT_FINITE))
        if first:
            self.map_plot.autoRange()
        self.roi.setVisible(self.source == "region")

    def set_scan(self, rows: int, cols: int) -> None:
        """A spectrum image of ``rows`` × ``cols`` probes: regions are drawn within it, the
        first over its central half."""
        self._scan = (rows, cols)
        self.place_region(central_box(rows, cols))

    def clear_map(self, title: str = "") -> None:
        """No map (a lone spectrum or a line scan): ``title`` says why."""
        self._map = None
        self.image.clear()
        self.missing.clear()
        self.roi.setVisible(False)
        self.map_plot.setTitle(title)

    @property
    def map_title(self) -> str:
        return "" if self._map is None else self._map[0]

    def map_text(self, row: int, col: int) -> str:
        """The map pixel (row, col) with its 1σ where the map has one."""
        title, values, sigma = self._map
        value = float(values[row, col])
        error = None if sigma is None else float(sigma[row, col])
        quoted = (
            f"not measured ({NOT_FINITE})"
            if not np.isfinite(value)
            else f"{value:.4g}"
            if error is None or not np.isfinite(error)
            else value_with_sigma(value, error)
        )
        return f"scan ({scan_place(row, col)}): {title} {quoted}"

    def _pixel(self, scene_position) -> tuple[int, int] | None:
        if self._map is None:
            return None
        point = self.map_plot.getPlotItem().vb.mapSceneToView(scene_position)
        row, col = int(np.floor(point.y())), int(np.floor(point.x()))
        rows, cols = self._map[1].shape
        return (row, col) if 0 <= row < rows and 0 <= col < cols else None

    def _hovered(self, position) -> None:
        pixel = self._pixel(position)
        if pixel is not None:
            self.cursor_text.emit(self.map_text(*pixel))

    def _clicked(self, event) -> None:
        pixel = self._pixel(event.scenePos())
        if pixel is not None and self.source != "region":
            self.probe_picked.emit(pixel[0] * self._map[1].shape[1] + pixel[1])


def row_texts(finding: dict, composition: dict | None = None) -> tuple[str, ...]:
    """Element, line (name and energy, keV), status, net counts ± 1σ, at. % ± 1σ (from
    ``composition``, the "composition" of the result value) and why (the alternatives of an
    ambiguous line, the detection limit of one not detected) of one finding."""
    labels, energy = finding.get("line_labels") or [""], finding.get("line_energy_ev")
    line = labels[0] if energy is None else f"{labels[0]} ({energy / 1000:.3f} keV)"
    sigma = finding["net_counts_sigma"]
    net = (
        f"{finding['net_counts']:.0f} (1σ not measured)"
        if sigma is None
        else value_with_sigma(finding["net_counts"], sigma)
    )
    why = finding["note"]
    if finding["alternatives"]:
        why = f"or {' / '.join(finding['alternatives'])}" + (f"; {why}" if why else "")
    return finding["element"], line, finding["status"], net, atomic_text(finding, composition), why


def atomic_text(finding: dict, composition: dict | None) -> str:
    """The at. % ± 1σ of ``finding``'s element in ``composition``; "" for an element not
    present (not quantified), "not measured" where the composition has no number."""
    element = finding["element"]
    if finding["status"] != "present" or not composition:
        return ""
    value = (composition.get("atomic_percent") or {}).get(element)
    sigma = (composition.get("atomic_percent_sigma") or {}).get(element)
    if value is None:
        return "not measured"
    text = f"{value:.3g}" if sigma is None else value_with_sigma(value, sigma)
    return text + (" (overlap)" if element in composition.get("overlapped", ()) else "")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
