"""Table of FFT spots: spacing in Å and nm, reciprocal length, direction, SNR, hkl, phase."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QTableWidget, QTableWidgetItem

from ...analysis.lattice_report import LatticeMeasurement

HEADERS = ("d (Å)", "d (nm)", "g (1/Å)", "angle (°)", "SNR", "hkl", "phase")


def format_hkl(hkl) -> str:
    return "" if hkl is None else "(" + " ".join(str(v) for v in hkl) + ")"


class FftSpotTable(QTableWidget):
    """One row per spot (strongest first); ``px`` columns when the image is uncalibrated."""

    def __init__(self, parent=None) -> None:
        super().__init__(0, len(HEADERS), parent)
        self.setHorizontalHeaderLabels(HEADERS)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().setDefaultSectionSize(18)
        self.horizontalHeader().setStretchLastSection(True)

    def set_measurement(self, measurement: LatticeMeasurement, *, calibrated: bool) -> None:
        spots = measurement.spots
        self.setRowCount(len(spots))
        self.setHorizontalHeaderLabels(HEADERS if calibrated else ("d (px)", "", "g (1/px)") + HEADERS[3:])
        for row, (spot, (phase, hkl)) in enumerate(zip(spots, measurement.assignments)):
            if calibrated:
                values = (f"{spot.d_A:.4f}", f"{spot.d_nm:.5f}", f"{spot.g_per_A:.5f}")
            else:
                values = (f"{spot.d_nm:.3f}", "", f"{spot.g_per_nm:.5f}")
            values += (f"{spot.angle_deg:.2f}", f"{spot.snr:.0f}", format_hkl(hkl), phase or "")
            for column, text in enumerate(values):
                self.setItem(row, column, QTableWidgetItem(text))

    def column_texts(self, column: int) -> list[str]:
        return [self.item(row, column).text() for row in range(self.rowCount())]
