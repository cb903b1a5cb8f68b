"""The measuring tools on the FFT panel and the NBD pattern, driven with the mouse: in reciprocal
space the ruler reads 1/nm and the spacing d in Å (a ruler from the centre of the power spectrum
to the WO3 (0 2 0) reflection reads its 3.77 Å), region statistics are in calibrated units, and an
NBD pattern shown on a log scale is measured in counts."""

from __future__ import annotations


import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QMainWindow

from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.panels.fft.panel import FftPanel
from insitu_tem.gui.panels.nbd.panel import NbdPanel
from insitu_tem.gui.tasks import TaskRunner
from insitu_tem.io.load import load
from insitu_tem.samples import hrtem
from tests.gui.test_measure_tools import numbers_after
from tests.gui.user_actions import drag_on_view


def in_window(qtbot, panel, size):
    """The panel as the central widget of a main window with a status bar, shown."""
    window = QMainWindow()
    window.setCentralWidget(panel)
    window.statusBar()
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    return window


def ruler_g_and_d(text: str) -> tuple[float, float]:
    """|g| (1/nm) and d (Å) of the ruler's readout line."""
    line = next(line for line in text.splitlines() if line.startswith("ruler:"))
    return float(line.split("ruler: ")[1].split(" 1/nm")[0]), float(
        line.split("(d = ")[1].split(" Å")[0]
    )


def drag_end(tools, name: str, k: int, target: QPointF) -> None:
    roi = tools.items[name][0]
    drag_on_view(tools.view, roi.mapToParent(roi.getHandles()[k].pos()), target)


@pytest.fixture
def fft(qtbot, reporter, tmp_path):
    state, tasks = SessionBridge(), TaskRunner(reporter)
    panel = FftPanel(state, tasks, QUndoStack())
    window = in_window(qtbot, panel, (1500, 1000))
    movie_path, _ = hrtem.write(tmp_path)
    with qtbot.waitSignal(panel.measurement_shown, timeout=30000):
        state.set_dataset("hrtem", load(movie_path))
    qtbot.waitUntil(tasks.is_idle, timeout=30000)
    yield panel, window
    tasks.cancel()
    tasks.wait_for_done(5000)


def test_a_ruler_on_the_power_spectrum_reads_g_and_the_lattice_spacing(qtbot, fft):
    panel, window = fft
    tools = panel.measure
    tools.target.setCurrentText("FFT")
    assert tools.view is panel.fft_view
    qtbot.mouseClick(tools.buttons["Ruler"], Qt.MouseButton.LeftButton)
    assert window.statusBar().currentMessage().startswith("Ruler: drag either end")
    measurement = panel.jobs.measurement
    spot = next(
        s for s, (_, hkl) in zip(measurement.spots, measurement.assignments) if hkl == (0, 2, 0)
    )
    drag_end(tools, "Ruler", 0, QPointF(0.0, 0.0))
    drag_end(tools, "Ruler", 1, QPointF(*panel.spots.view_position(spot)))
    text = tools.result.text()
    assert "1/nm (d = " in text and "Å)" in text
    g, d = ruler_g_and_d(text)
    assert d == pytest.approx(spot.d_A, rel=0.02) and d == pytest.approx(3.77, rel=0.03)
    assert g == pytest.approx(10.0 / d, rel=1e-3)


def test_region_statistics_on_the_hrtem_image_in_nm2(qtbot, fft):
    panel, _ = fft
    tools, view = panel.measure, panel.image_view
    qtbot.mouseClick(tools.buttons["Region"], Qt.MouseButton.LeftButton)
    assert tools.view is view
    roi = tools.items["Region"][0]
    top, left = (int(np.ceil(v)) for v in view.data_to_index(roi.pos()))
    corner = view.index_to_data(top + 29.5, left + 39.5)
    drag_on_view(view, roi.mapToParent(roi.getHandles()[0].pos()), corner)
    assert tools.region_bounds() == (top, left, top + 30, left + 40)
    block = view.measured_frame[top : top + 30, left : left + 40]
    st, scale = tools.statistics, view.axes[1].scale
    assert view.axes[1].units == "nm" and st.area_units == "nm²"
    assert st.n_pixels == 1200 and st.area == pytest.approx(1200 * scale**2)
    assert (st.mean, st.std) == pytest.approx((block.mean(), block.std(ddof=1)))
    mean, std = numbers_after(tools.result.text(), "region")[:2]
    assert (mean, std) == pytest.approx((block.mean(), block.std(ddof=1)), rel=5e-3)


@pytest.fixture
def nbd(qtbot, reporter, sample_data):
    path = sample_data / "nbd_linescan.hspy"
    if not path.exists():
        pytest.skip("sample_data/nbd_linescan.hspy not generated")
    state, tasks = SessionBridge(), TaskRunner(reporter)
    panel = NbdPanel(state, tasks, QUndoStack())
    window = in_window(qtbot, panel, (1400, 900))
    state.set_dataset("nbd", load(path))
    with qtbot.waitSignal(panel.analysis_finished, timeout=60000):
        panel.set_dataset(state.dataset("nbd"))
    qtbot.waitUntil(tasks.is_idle, timeout=60000)
    yield panel
    tasks.cancel()
    tasks.wait_for_done(10000)
    window.close()


def test_on_the_nbd_pattern_the_ruler_reads_1_per_nm_and_a_region_counts(qtbot, nbd):
    panel, view = nbd, nbd.view
    bar = panel.tabs.tabBar()
    measure_tab = [bar.tabText(i) for i in range(bar.count())].index("Measure")
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(measure_tab).center())
    assert panel.measure.isVisible()
    tools = panel.measure
    assert view.axes[1].units == "1/nm" and view.mode == "log"
    qtbot.mouseClick(tools.buttons["Ruler"], Qt.MouseButton.LeftButton)
    centre = np.asarray(panel.result_value()["centre_px"][panel.current_index()], float)
    drag_end(tools, "Ruler", 0, view.index_to_data(*centre))
    drag_end(tools, "Ruler", 1, view.index_to_data(centre[0], centre[1] + 40))
    g, d = ruler_g_and_d(tools.result.text())
    scale = view.axes[1].scale
    assert g == pytest.approx(40 * scale, abs=0.2 * scale) and d == pytest.approx(10 / g, rel=2e-3)
    qtbot.mouseClick(tools.buttons["Region"], Qt.MouseButton.LeftButton)
    r0, c0, r1, c1 = tools.region_bounds()
    raw = np.asarray(panel.patterns[panel.current_index()], float)[r0:r1, c0:c1]
    st = tools.statistics
    assert raw.size > 100 and st.n_pixels == raw.size
    assert st.total == pytest.approx(raw.sum()) and st.area_units == "1/nm²"
    assert "region (counts)" in tools.result.text()
