"""The current NBD profile with its rings and fitted simulated ring profiles, and its ePDF G(r)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from insitu_tem.figures.nbd_profile import Q_MIN_SHOWN, overlay_label
from insitu_tem.figures.overlay_colours import RING_OVERLAYS
from insitu_tem.gui.widgets.legend_placement import LegendPlacement
from insitu_tem.gui.widgets.plot_factory import plot_widget
from insitu_tem.gui.widgets.plot_hint import PlotHint

EMPTY = "Open NBD patterns to see the radial profile I(q)\nof the pattern in view and its rings"
EMPTY_PDF = "The ePDF G(r) of the profile above shows here"
UNCALIBRATED = (
    "The radial profile is drawn against q = 1/d:\ncalibrate the patterns (Calibrate on "
    "strongest ring,\nor Edit ▸ Set Calibration in 1/nm)"
)
LONE = (
    "The simulated rings and the ePDF are fitted on the profiles of a scan (three patterns or more)"
)


class NbdProfilePlots(QWidget):
    """Measured I(q) with ring markers and simulated overlays; G(r) below."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.profile_plot = plot_widget()
        self.profile_plot.setLabel("bottom", "q = 1/d (1/Å)")
        self.profile_plot.setLabel("left", "Intensity (counts/px)")
        self.profile_plot.addLegend(offset=(-5, 5))
        self.legend_placement = LegendPlacement(self.profile_plot.getPlotItem(), columns=(1, 2))
        self.measured = pg.PlotDataItem(pen=pg.mkPen("#e0e0e0", width=1.5), name="measured")
        self.profile_plot.addItem(self.measured)
        self.ring_lines: list[pg.InfiniteLine] = []
        self.overlay_curves: list[pg.PlotDataItem] = []
        self.pdf_plot = plot_widget()
        self.pdf_plot.setLabel("bottom", "r (Å)")
        self.pdf_plot.setLabel("left", "G(r) (1/Å²)")
        self.pdf_curve = pg.PlotDataItem(pen=pg.mkPen("#7fd67f", width=1.5))
        self.pdf_plot.addItem(self.pdf_curve)
        self.pdf_note = QLabel()
        self.pdf_note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.profile_plot, 3)
        layout.addWidget(self.pdf_plot, 2)
        layout.addWidget(self.pdf_note)
        self.hint = PlotHint(self.profile_plot.getPlotItem(), EMPTY)
        self.pdf_hint = PlotHint(self.pdf_plot.getPlotItem(), EMPTY_PDF)

    def show_empty(self, text: str = EMPTY) -> None:
        """No profile to draw: both plots empty, ``text`` saying why (or how to get one)."""
        self.measured.setData([], [])
        self.show_profile_rings(())
        self.show_overlays(())
        self.show_pdf(None)
        self.hint.set_empty(True, text=text)

    def show_lone(self, value: dict) -> None:
        """The radial profile of a lone pattern (an "nbd.pattern" result): no rings nor ePDF,
        which are fitted on a scan's profiles; none, and why, without a calibration or a
        measured centre."""
        if value.get("q_per_A") is None:
            self.show_empty(UNCALIBRATED)
            return
        if not value.get("centre_ok", True):
            why = value.get("centre_reason") or "no reason given"
            self.show_empty(f"No radial profile: the centre is not measured\n({why})")
            return
        self.show_profile(value["q_per_A"], value["profile"])
        self.show_overlays(())
        self.show_pdf(None, LONE)

    def show_profile(self, q_per_A, intensity, ring_q=()) -> None:
        """Measured profile beyond the direct beam (q > Q_MIN_SHOWN) and a dashed line at every
        ring."""
        q = np.asarray(q_per_A, float)
        shown = q > Q_MIN_SHOWN
        self.measured.setData(q[shown], np.asarray(intensity, float)[shown], connect="finite")
        self.hint.set_empty(False)
        self.show_profile_rings(ring_q)

    def show_profile_rings(self, ring_q) -> None:
        """A dashed line at every ring of ``ring_q`` (1/Å)."""
        for line in self.ring_lines:
            self.profile_plot.removeItem(line)
        self.ring_lines = []
        for q in ring_q:
            line = pg.InfiniteLine(
                pos=float(q),
                angle=90,
                movable=False,
                pen=pg.mkPen("#ffd040", style=pg.QtCore.Qt.PenStyle.DashLine),
            )
            self.profile_plot.addItem(line)
            self.ring_lines.append(line)

    def show_overlays(self, overlays) -> None:
        """Fitted simulated profiles (the "overlays" of a "nbd.rings" result), labelled with their
        R factor."""
        for curve in self.overlay_curves:
            self.profile_plot.removeItem(curve)
            self.profile_plot.getPlotItem().legend.removeItem(curve)
        self.overlay_curves = []
        for i, overlay in enumerate(overlays):
            if not overlay["ok"]:
                continue
            curve = pg.PlotDataItem(
                np.asarray(overlay["q_per_A"], float),
                np.asarray(overlay["fitted"], float),
                name=overlay_label(overlay),
                pen=pg.mkPen(RING_OVERLAYS[i % len(RING_OVERLAYS)], width=1.2),
            )
            self.profile_plot.addItem(curve)
            self.overlay_curves.append(curve)

    def show_pdf(self, pdf: dict | None, message: str = "") -> None:
        """G(r) of the current profile (the "pdf" of a "nbd.rings" result) with its note, or
        the message saying why there is none."""
        self.pdf_hint.set_empty(pdf is None, text="" if message else EMPTY_PDF)
        if pdf is None:
            self.pdf_curve.setData([], [])
        else:
            self.pdf_curve.setData(np.asarray(pdf["r_A"], float), np.asarray(pdf["G_r"], float))
        self.pdf_note.setText(message)
