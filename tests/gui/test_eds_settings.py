"""The EDS form of the EELS panel as a microscopist finishes with it: the identification settings
(detector resolution, false lines allowed) typed in the panel re-run the identification in the
worker and the values used are shown; the table gives each present element's Cliff–Lorimer at.%
± 1σ; scrubbing the probe identifies the spectrum it rests on, once; the table exports as the
command line's JSON (or CSV) and the line maps as calibrated TIFFs, never over a raw file."""

import json
from argparse import Namespace

import numpy as np
import pytest
import tifffile
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QFileDialog

from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.panels.eels.panel import EelsPanel
from tests.gui.test_eds_panel import (
    COLS,
    FE_COUNTS,
    ROWS,
    SI_COUNTS,
    eds_tasks,
    identified,
    spectrum_image,
)
from tests.gui.test_eels_panel import open_in

pytestmark = pytest.mark.slow
__all__ = ["eds_tasks"]


@pytest.fixture
def panel(qtbot, eds_tasks):
    undo = QUndoStack()
    widget = EelsPanel(SessionBridge(), eds_tasks, undo)
    qtbot.addWidget(widget)
    widget.resize(1400, 800)
    widget.show()
    yield widget
    qtbot.waitUntil(eds_tasks.is_idle, timeout=60000)


def type_into(qtbot, box, text: str) -> None:
    """Select the spin box's text, type ``text`` and press Enter, as a user does."""
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Return)


def test_typed_settings_rerun_the_identification_and_the_values_used_are_shown(qtbot, panel):
    open_in(panel, spectrum_image())
    identified(qtbot, panel)
    settings = panel.eds_view.settings
    assert settings.resolution.text() == "measured"
    assert "(measured)" in settings.used.text() and "0.01 false" in settings.used.text()
    before = panel.eds.result_value()
    type_into(qtbot, settings.resolution, "150")
    identified(qtbot, panel)
    value = panel.eds.result_value()
    assert value["resolution_mn_ka_ev"] == 150.0 and value["resolution_source"] == "given"
    assert "FWHM 150 eV (given)" in settings.used.text() and "150 eV" in panel.readout.text()
    type_into(qtbot, settings.false_alarm, "0.0001")
    identified(qtbot, panel)
    value = panel.eds.result_value()
    assert value["false_alarm_per_spectrum"] == pytest.approx(1e-4)
    assert value["threshold_sigma"] > before["threshold_sigma"]
    assert "0.0001 false/spectrum" in settings.used.text()
    assert panel.tasks.eels_child.pid is not None, "identified in the worker process"
    panel.undo_stack.undo()
    panel.undo_stack.undo()
    rows = identified(qtbot, panel)
    assert settings.resolution.text() == "measured" and "(measured)" in settings.used.text()
    assert panel.eds.result_value()["threshold_sigma"] == before["threshold_sigma"]
    assert rows["Fe"][2] == "present"


def test_the_table_gives_the_cliff_lorimer_atomic_percent_of_the_present_elements(
    qtbot, panel, monkeypatch
):
    open_in(panel, spectrum_image())
    rows = identified(qtbot, panel)
    before_fe = rows["Fe"][3]
    si, si_sigma = (float(v) for v in rows["Si"][4].split(" ± "))
    fe, fe_sigma = (float(v) for v in rows["Fe"][4].split(" ± "))
    assert si + fe == pytest.approx(100.0, abs=0.2)
    moles = SI_COUNTS * ROWS * COLS / 2 / 28.0855, FE_COUNTS * ROWS * COLS / 55.845
    expected = 100.0 * moles[0] / sum(moles)
    assert abs(si - expected) < 3 * si_sigma and 0.1 < si_sigma < 3.0
    assert all(row[4] == "" for row in rows.values() if row[2] != "present")
    header = panel.eds_view.table.horizontalHeaderItem(4)
    assert header.text() == "at.% ± 1σ" and "k-factor 1" in header.toolTip()
    box = panel.eds_view.settings.kfactors
    box.setFocus()
    qtbot.keyClicks(box, "Fe=abc")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert panel.readout.text().startswith("k-factors: 'Fe=abc': type ELEMENT=k pairs")
    assert panel.state.session.parameters("eds.identify") == {}
    worker_calls = []
    run = panel.tasks.eels_child.run
    monkeypatch.setattr(
        panel.tasks.eels_child,
        "run",
        lambda fn, *a, **k: worker_calls.append(fn) or run(fn, *a, **k),
    )
    box.clear()
    qtbot.keyClicks(box, "Fe=1.3")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    rows = identified(qtbot, panel)
    si_k, _ = (float(v) for v in rows["Si"][4].split(" ± "))
    assert si_k / (100.0 - si_k) == pytest.approx(si / fe / 1.3, rel=2e-3)
    assert panel.eds.result_value()["composition"]["kfactors"] == {"Si": 1.0, "Fe": 1.3}
    assert worker_calls == [], "new k-factors keep the identification, only the composition runs"
    assert rows["Fe"][3] == before_fe, "the identification's numbers are the same"


def test_scrubbing_the_probe_identifies_the_spectrum_it_rests_on_once(qtbot, panel, monkeypatch):
    dataset = spectrum_image()
    open_in(panel, dataset)
    identified(qtbot, panel)
    view = panel.eds_view
    view.source_combo.setCurrentIndex(view.source_combo.findData("probe"))
    view.source_combo.activated.emit(view.source_combo.currentIndex())
    identified(qtbot, panel)
    submitted = []
    submit = panel.tasks.submit

    def counted(fn, **options):
        submitted.append(options.get("description", ""))
        return submit(fn, **options)

    monkeypatch.setattr(panel.tasks, "submit", counted)
    panel.navigator.slider.setFocus()
    for _ in range(12):
        qtbot.keyClick(panel.navigator.slider, Qt.Key.Key_Right)
    rows = identified(qtbot, panel)
    assert submitted.count("EDS: identifying X-ray lines") == 1
    assert view.summary.text().startswith("The spectrum at probe 13,")
    assert np.array_equal(panel.plot.curve.getOriginalDataset()[1], dataset.array[1, 4])
    assert rows["Fe"][2] == "present"


def test_the_table_exports_as_the_command_line_writes_it(qtbot, panel, monkeypatch, tmp_path):
    from insitu_tem.cli.commands.eds import identify

    dataset = spectrum_image()
    open_in(panel, dataset)
    identified(qtbot, panel)
    target = tmp_path / "table.json"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "JSON (*.json)")
    )
    qtbot.mouseClick(panel.eds_view.settings.table_button, Qt.MouseButton.LeftButton)
    document = json.loads(target.read_text())
    counts = dataset.array.sum(axis=(0, 1), dtype=np.float64)
    args = Namespace(resolution=None, false_alarm=0.01)
    energies = dataset.axes[-1].coordinates()
    expected = identify(counts, energies, 200.0, args, (), "the sum of 48 spectra")
    expected = json.loads(json.dumps(expected))
    assert document["identification"] == expected["identification"]
    assert document["identified"] == expected["identified"]
    quantification = document["quantification"]
    assert set(quantification["atomic_percent"]) == {"Si", "Fe"} == set(document["elements"])
    assert quantification["note"].startswith("all k-factors 1")
    assert f"to {target}" in panel.readout.text()
    table = tmp_path / "table.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(table), "CSV"))
    qtbot.mouseClick(panel.eds_view.settings.table_button, Qt.MouseButton.LeftButton)
    header, *lines = table.read_text().splitlines()
    assert header.startswith("element,status,line,line_energy_ev,net_counts,net_counts_sigma")
    assert len(lines) == panel.eds_view.table.rowCount()


def test_the_line_maps_export_as_calibrated_tiffs_never_over_a_raw_file(
    qtbot, panel, monkeypatch, tmp_path
):
    open_in(panel, spectrum_image())
    identified(qtbot, panel)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path))
    qtbot.mouseClick(panel.eds_view.settings.maps_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "line maps" in panel.readout.text(), timeout=30000)
    assert {p.name for p in tmp_path.iterdir()} == {
        "Si_Ka.tif",
        "Si_Ka_sigma.tif",
        "Fe_Ka.tif",
        "Fe_Ka_sigma.tif",
    }
    with tifffile.TiffFile(tmp_path / "Si_Ka.tif") as tif:
        silicon = tif.asarray()
        pixels_per_nm = tif.pages[0].tags["XResolution"].value
        unit = tif.imagej_metadata["unit"]
    assert silicon.shape == (ROWS, COLS) and silicon.dtype == np.float32
    assert pixels_per_nm[0] / pixels_per_nm[1] == pytest.approx(0.5) and unit == "nm"
    assert silicon[:, : COLS // 2].mean() > 0.8 * SI_COUNTS > 10 * abs(silicon[:, 4:].mean())
    raw = tmp_path / "scan.dm3"
    raw.write_bytes(b"\x00\x00\x00\x03raw")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(raw), "JSON"))
    qtbot.mouseClick(panel.eds_view.settings.table_button, Qt.MouseButton.LeftButton)
    assert raw.read_bytes() == b"\x00\x00\x00\x03raw"
    assert panel.readout.text().startswith("Export table: scan.dm3: exists and is raw data")
    assert "--force" not in panel.readout.text()
