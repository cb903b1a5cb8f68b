"""The EELS spectrum opens showing the whole zero-loss peak in linear counts, and shows it again
after the counts axis goes logarithmic and back."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from insitu_tem.core.model import Axis, Dataset
from insitu_tem.io.load import load
from tests.gui.test_eels_panel import open_in, panel  # noqa: F401 - the panel fixture


def low_loss(peak: float) -> Dataset:
    """An aluminium-like low-loss spectrum: a ZLP of ``peak`` counts, plasmons at 15 and 30 eV
    about a thousandth of it, and a dark-subtracted read noise of 100 counts (some counts
    negative, as in AL-DF)."""
    energy = -3.6 + 0.02 * np.arange(2048)
    model = peak * np.exp(-0.5 * (energy / 0.07) ** 2) + 1e-3 * peak * (
        np.exp(-0.5 * ((energy - 15) / 0.8) ** 2) + 0.1 * np.exp(-0.5 * ((energy - 30) / 1.2) ** 2)
    )
    rng = np.random.default_rng(4)
    spectrum = rng.poisson(model) + rng.normal(0.0, 100.0, energy.size)
    return Dataset("spectrum", spectrum.astype(np.float32), (Axis("E", 2048, 0.02, -3.6, "eV"),))


def shown_top(plot) -> float:
    QApplication.processEvents()
    return plot.getPlotItem().vb.viewRange()[1][1]


def test_a_zlp_of_4e8_counts_is_shown_whole_linear_and_after_log(qtbot, panel):  # noqa: F811
    dataset = low_loss(4.3e8)
    top = float(dataset.array.max())
    open_in(panel, dataset)
    assert top <= shown_top(panel.plot) < 1.2 * top
    qtbot.mouseClick(panel.controls.log_check, Qt.MouseButton.LeftButton)
    assert np.log10(top) <= shown_top(panel.plot) < np.log10(top) + 0.5
    qtbot.mouseClick(panel.controls.log_check, Qt.MouseButton.LeftButton)
    assert top <= shown_top(panel.plot) < 1.2 * top


def test_the_aluminium_low_loss_file_opens_with_its_zlp_peak_in_view(panel, realdata):  # noqa: F811
    dataset = load(realdata("AL-DFoffset0.00.dm3"))
    open_in(panel, dataset)
    assert shown_top(panel.plot) >= float(np.max(dataset.array))
    assert panel.plot.getPlotItem().vb.viewRange()[1][0] == pytest.approx(0.0, abs=0.05 * 4.3e8)
