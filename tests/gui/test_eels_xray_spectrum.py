"""An EDS spectrum (X-ray energy, tagged EDS/EDS_TEM by its reader) opened in the EELS panel is
plotted on an X-ray energy axis in keV with its identified X-ray lines marked, no EELS edge
markers, windows or analysis, and the readout says what was identified."""

import zipfile

import numpy as np
from PySide6.QtWidgets import QApplication

from insitu_tem.core.model import Axis, Dataset
from insitu_tem.io.kinds import is_xray_spectrum
from insitu_tem.io.load import load
from tests.gui.test_eds_panel import eds_tasks, panel  # noqa: F401 - fixtures
from tests.gui.test_eels_panel import open_in


def eds_spectrum(signal_type: str = "EDS_TEM") -> Dataset:
    energy = Axis("E", 2048, 10.0, -200.0, "eV")
    x = energy.coordinates()
    counts = 50.0 + 4e3 * np.exp(-0.5 * ((x - 8040.0) / 60.0) ** 2)
    return Dataset("spectrum", counts, (energy,), {"signal_type": signal_type})


def assert_shown_as_xray(qtbot, panel):  # noqa: F811
    qtbot.waitUntil(
        lambda: panel.tasks.is_idle() and panel.eds.result_value() is not None, timeout=60000
    )
    QApplication.processEvents()
    label = panel.plot.getAxis("bottom").labelString()
    assert "X-ray energy" in label and "keV" in label and "loss" not in label, label
    findings = panel.eds.result_value()["findings"]
    named = {f["line_labels"][0] for f in findings}
    assert all(label.split("?")[0].split(" (")[0] in named for label in panel.plot.marker_labels())
    assert (
        not panel.controls.edge_combo.isVisible()
        and panel.controls.edge_combo.currentData() is None
    )
    assert not panel.plot.background_region.isVisible()
    assert not panel.plot.signal_region.isVisible()
    assert panel.readout.text().startswith(panel.eds.file_name() + ": ")
    assert " present" in panel.readout.text() or "no lines identified" in panel.readout.text()
    assert panel.result_value() is None


def test_synthetic_eds_spectrum_is_not_plotted_as_energy_loss(qtbot, panel):  # noqa: F811
    open_in(panel, eds_spectrum())
    assert_shown_as_xray(qtbot, panel)
    assert any(label.startswith("Cu Kα") for label in panel.plot.marker_labels())
    panel.analysis.change("Edge", edge="Cu-L23")
    assert_shown_as_xray(qtbot, panel)
    assert any(label.startswith("Cu Kα") for label in panel.plot.marker_labels())


def test_eels_spectrum_after_eds_is_energy_loss_again(qtbot, panel):  # noqa: F811
    open_in(panel, eds_spectrum())
    assert_shown_as_xray(qtbot, panel)
    energy = Axis("E", 1024, 0.1, -5.0, "eV")
    open_in(panel, Dataset("spectrum", np.ones(1024), (energy,), {"signal_type": "EELS"}))
    assert "Energy loss" in panel.plot.getAxis("bottom").labelString()
    assert panel.controls.edge_combo.isVisible()


def test_velox_eds_spectrum_is_shown_as_xray_energy(qtbot, panel, realdata, tmp_path):  # noqa: F811
    with zipfile.ZipFile(realdata("velox_EELS_EDS.zip")) as archive:
        archive.extractall(tmp_path)
    (path,) = tmp_path.glob("*.emd")
    eds, eels = load(path, signal=0), load(path, signal=16)
    assert is_xray_spectrum(eds) and not is_xray_spectrum(eels)
    open_in(panel, eds)
    assert_shown_as_xray(qtbot, panel)
