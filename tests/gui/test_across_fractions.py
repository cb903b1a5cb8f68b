"""The across-the-front panel plots the phase fractions it has, with their ±1σ, in one profile."""

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QUndoStack

from insitu_tem.core.session import Session
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.panels.across.panel import AcrossPanel
from insitu_tem.gui.tasks import TaskRunner
from insitu_tem.workflows.across_front import AcrossFront


def _panel(qtbot, reporter) -> AcrossPanel:
    panel = AcrossPanel(SessionBridge(Session(checksums=False)), TaskRunner(reporter), QUndoStack())
    qtbot.addWidget(panel)
    panel.resize(600, 900)
    return panel


def test_phase_fractions_share_one_profile_with_legend_and_error_bars(qtbot, reporter):
    panel = _panel(qtbot, reporter)
    distance = np.array([-10.0, 0.0, 10.0])
    columns = {
        "lattice_strain": np.array([0.0, 0.001, 0.002]),
        "fraction_WO3": np.array([1.0, 0.5, 0.0]),
        "fraction_WO3_stderr": np.array([0.02, 0.05, 0.02]),
        "fraction_LixWO3": np.array([0.0, 0.5, 1.0]),
        "fraction_LixWO3_stderr": np.array([0.02, 0.05, 0.02]),
        "fraction_free 1": np.array([0.0, 0.2, 0.0]),
    }
    panel.show_result(AcrossFront(distance, 100.0, columns, dict.fromkeys(columns, "")))
    assert len(panel._plot_items) == 2
    fractions = panel._plot_items[1]
    assert fractions.getAxis("left").labelText == "fraction"
    names = [label.text for _, label in fractions.legend.items]
    assert names == ["WO3", "LixWO3", "intermediate 1"]
    bars = [item for item in fractions.items if isinstance(item, pg.ErrorBarItem)]
    assert len(bars) == 2
    assert np.allclose(bars[0].opts["height"], 2 * columns["fraction_WO3_stderr"])


def test_no_fraction_profile_without_fractions(qtbot, reporter):
    panel = _panel(qtbot, reporter)
    distance = np.array([-10.0, 0.0, 10.0])
    columns = {"W_O23_shift": np.array([0.0, -0.5, -1.0])}
    panel.show_result(AcrossFront(distance, 100.0, columns, {"W_O23_shift": "eV"}))
    labels = [plot.getAxis("left").labelText for plot in panel._plot_items]
    assert labels == ["W O2,3 shift"]
