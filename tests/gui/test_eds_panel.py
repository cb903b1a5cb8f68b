"""An EDS spectrum image opened in the EELS panel, as a user sees it: the summed spectrum on an
X-ray energy axis in keV, its identified lines marked and named, the table of elements with net
counts ± 1σ, a line's map after a click on its row, typed elements reported (a typo refused in
one sentence), a region's sum on request, each identification computed once."""

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt

from PySide6.QtGui import QUndoStack

from insitu_tem.core.model import Axis, Dataset
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.errors import RecordingReporter
from insitu_tem.gui.panels.eels.panel import EelsPanel
from insitu_tem.gui.tasks import TaskRunner
from insitu_tem.io.load import load
from tests.gui.test_eels_panel import open_in

# The element identification of a real .bcf's sum takes ~10 s alone (266 bounded fits), several
# times that on a loaded 2-core machine beside the other xdist worker.
IDENTIFY_MS = 180_000

pytestmark = pytest.mark.slow

ROWS, COLS = 6, 8
SI_COUNTS, FE_COUNTS = 400.0, 300.0
"""Si Kα counts per probe in the left half of the scan, Fe Kα counts per probe everywhere."""


@pytest.fixture(scope="module")
def eds_tasks(qapp):
    """One task runner for the module: its worker process imports the X-ray line database once
    (seconds), not once per test."""
    tasks = TaskRunner(RecordingReporter())
    yield tasks
    tasks.cancel()
    tasks.wait_for_done(5000)


@pytest.fixture
def panel(qtbot, eds_tasks):
    """The EELS panel of a fresh session on the module's task runner."""
    widget = EelsPanel(SessionBridge(), eds_tasks, QUndoStack())
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    yield widget
    qtbot.waitUntil(eds_tasks.is_idle, timeout=60000)


def _line(x, energy_ev, fwhm_ev, counts):
    sigma = fwhm_ev / 2.3548
    return counts * 10.0 * np.exp(-0.5 * ((x - energy_ev) / sigma) ** 2) / (sigma * 2.5066)


def spectrum_image(seed: int = 7) -> Dataset:
    """6 × 8 probes, 1024 channels of 10 eV: a smooth continuum, Fe Kα/Kβ everywhere, Si Kα in
    the left four columns (exspy's line energies, a 130 eV detector), Poisson counts."""
    energy = Axis("E", 1024, 10.0, 0.0, "eV")
    x = energy.coordinates()
    mean = np.empty((ROWS, COLS, x.size))
    mean[:] = 4.0 * np.exp(-x / 6000.0) * (1.0 - np.exp(-x / 500.0))
    mean += _line(x, 6403.8, 135.0, FE_COUNTS) + _line(x, 7058.0, 140.0, 0.13 * FE_COUNTS)
    mean[:, : COLS // 2] += _line(x, 1739.8, 80.0, SI_COUNTS)
    counts = np.random.default_rng(seed).poisson(mean).astype(np.float32)
    axes = (Axis("scan_y", ROWS, 2.0, 0.0, "nm"), Axis("scan_x", COLS, 2.0, 0.0, "nm"), energy)
    return Dataset(
        "spectrum_series", counts, axes, {"signal_type": "EDS_TEM", "beam_energy_kV": 200.0}
    )


def identified(qtbot, panel):
    qtbot.waitUntil(
        lambda: panel.tasks.is_idle() and panel.eds.result_value() is not None,
        timeout=IDENTIFY_MS,
    )
    return {row[0]: row for row in panel.eds_view.rows()}


def click_row(qtbot, table, row: int) -> None:
    rect = table.visualRect(table.model().index(row, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_the_summed_spectrum_is_shown_in_kev_with_its_lines_named(qtbot, panel):
    dataset = spectrum_image()
    open_in(panel, dataset)
    rows = identified(qtbot, panel)
    assert panel.plot.getAxis("bottom").labelString().count("X-ray energy (keV)") == 1
    x, y = panel.plot.curve.getOriginalDataset()
    assert x[-1] == pytest.approx(10.23) and np.array_equal(y, dataset.array.sum(axis=(0, 1)))
    assert {"Si Kα", "Fe Kα"} <= set(panel.plot.marker_labels())
    assert rows["Si"][1:3] == ("Si Kα (1.740 keV)", "present")
    assert rows["Fe"][2] == "present"
    net, sigma = (float(v) for v in rows["Fe"][3].split(" ± "))
    assert abs(net - FE_COUNTS * ROWS * COLS) < 3 * sigma
    assert "the sum of 48 spectra" in panel.eds_view.summary.text().lower()
    assert "present" in panel.readout.text() and "map" in panel.readout.text()
    assert panel.tasks.eels_child.pid is not None, "identified in the worker process"
    assert not panel.state.session.parameters("eels.default_edge"), "no EELS edge searched"
    edge_controls = (
        panel.controls.edge_label,
        panel.controls.edge_combo,
        panel.controls.reference_spin,
    )
    assert not any(widget.isVisible() for widget in edge_controls), "no EELS edge to choose"
    assert panel.controls.elements_edit.isVisible() and panel.controls.log_check.isVisible()
    panel.clear_dataset()
    assert all(widget.isVisible() for widget in edge_controls)


def test_clicking_a_row_maps_its_line(qtbot, panel):
    open_in(panel, spectrum_image())
    identified(qtbot, panel)
    table = panel.eds_view.table
    row = [table.item(r, 0).text() for r in range(table.rowCount())].index("Si")
    click_row(qtbot, table, row)
    qtbot.waitUntil(lambda: panel.eds_view.map_title.startswith("Si Kα"), timeout=30000)
    image = panel.eds_view.image.image
    assert image.shape == (ROWS, COLS)
    assert image[:, : COLS // 2].mean() > 0.8 * SI_COUNTS > 10 * abs(image[:, COLS // 2 :].mean())
    assert "±" in panel.eds_view.map_text(0, 0)


def test_clicking_a_marker_maps_its_line(qtbot, panel):
    open_in(panel, spectrum_image())
    identified(qtbot, panel)
    plot = panel.plot
    (marker,) = [
        m for m in plot.markers if getattr(m, "label", None) and "Fe Kα" in m.label.toPlainText()
    ]
    vb = plot.getPlotItem().vb
    low, high = vb.viewRange()[1]
    scene = vb.mapViewToScene(pg.Point(marker.value(), low + 0.1 * (high - low)))
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=plot.mapFromScene(scene))
    qtbot.waitUntil(lambda: panel.eds_view.map_title.startswith("Fe Kα"), timeout=30000)
    assert panel.eds_view.image.image.mean() > 0.8 * FE_COUNTS


def test_typed_elements_are_reported_and_a_typo_is_refused(qtbot, panel):
    open_in(panel, spectrum_image())
    identified(qtbot, panel)
    box = panel.controls.elements_edit
    box.setText("Si, Xx")
    box.editingFinished.emit()
    assert (
        panel.readout.text() == "Elements: 'Xx' is not an element; type symbols such as Fe, O, Si"
    )
    assert box.text() == ""
    box.setText("Fe, Si, Zn")
    box.editingFinished.emit()
    rows = identified(qtbot, panel)
    assert rows["Zn"][2] == "not detected" and "detection limit" in rows["Zn"][5]
    assert any(label.startswith("Zn") and "not detected" in label for label in _all_labels(panel))


def _all_labels(panel):
    return panel.plot.marker_labels() + panel.plot.hidden_labels()


def test_a_region_is_identified_once_and_the_sum_comes_back_at_once(qtbot, panel):
    open_in(panel, spectrum_image())
    identified(qtbot, panel)
    view = panel.eds_view
    view.source_combo.setCurrentIndex(view.source_combo.findData("region"))
    view.source_combo.activated.emit(view.source_combo.currentIndex())
    view.place_region([0, ROWS, COLS // 2, COLS])
    view.region_drawn.emit(view.box())
    rows = identified(qtbot, panel)
    assert "columns 5–8" in view.summary.text()
    assert "Si" not in rows and rows["Fe"][2] == "present"
    view.source_combo.setCurrentIndex(view.source_combo.findData("sum"))
    view.source_combo.activated.emit(view.source_combo.currentIndex())
    assert panel.tasks.is_idle() and "Si" in {row[0] for row in view.rows()}


def test_the_probe_spectrum_follows_the_navigator(qtbot, panel):
    dataset = spectrum_image()
    open_in(panel, dataset)
    identified(qtbot, panel)
    view = panel.eds_view
    view.source_combo.setCurrentIndex(view.source_combo.findData("probe"))
    view.source_combo.activated.emit(view.source_combo.currentIndex())
    panel.navigator.set_index(2 * COLS + 6)
    rows = identified(qtbot, panel)
    assert view.summary.text().startswith(f"The spectrum at probe {2 * COLS + 7},")
    assert np.array_equal(panel.plot.curve.getOriginalDataset()[1], dataset.array[2, 6])
    assert rows["Fe"][2] == "present" and "Si" not in rows


def test_ambiguous_lines_are_dashed_and_name_their_alternatives():
    from insitu_tem.gui.panels.eels.eds_mode import STYLES, marker_lines

    finding = {
        "element": "S",
        "status": "ambiguous",
        "line_labels": ["S Kα", "S Kβ"],
        "line_energies_ev": [2307.8, 2464.0],
        "lines": ["S_Ka", "S_Kb"],
        "alternatives": ["Mo Lα", "Pb Mα"],
    }
    main, secondary = marker_lines(finding, "#ffa040", STYLES["ambiguous"])
    assert main[0] == pytest.approx(2.3078)
    assert main[1:] == ("S Kα? (or Mo Lα / Pb Mα)", "#ffa040", Qt.PenStyle.DashLine, "S_Ka")
    assert secondary[1] == "" and secondary[3] == Qt.PenStyle.DashLine


def test_real_bcf_sum_names_its_elements(qtbot, panel, realdata):
    open_in(panel, load(realdata("edstomo_idp/0.bcf"), signal=1))
    rows = identified(qtbot, panel)
    assert {"O", "Si", "Fe", "Cu", "Pt"} <= {e for e, row in rows.items() if row[2] == "present"}
    assert rows["S"][2] == "not detected"
    assert "the sum of 65536 spectra" in panel.eds_view.summary.text().lower()


def test_the_panel_fits_the_lines_at_the_resolution_the_command_line_measures(qtbot, panel):
    """The same spectrum gives the same numbers on screen as from ``insitu-tem eds``: the
    detector FWHM is measured on the spectrum (not assumed 130 eV) and said in the readout."""
    from insitu_tem.analysis.eds.identify import identify_lines

    dataset = spectrum_image()
    open_in(panel, dataset)
    rows = identified(qtbot, panel)
    energies = dataset.axes[-1].coordinates()
    expected = identify_lines(
        dataset.array.sum(axis=(0, 1), dtype=np.float64), energies, beam_energy_kv=200.0
    )
    value = panel.eds.result_value()
    assert value["resolution_mn_ka_ev"] == pytest.approx(expected.resolution_mn_ka_ev, rel=1e-9)
    assert abs(expected.resolution_mn_ka_ev - 130.0) > 1.0
    fe = next(f for f in expected.findings if f.element == "Fe")
    shown = next(f for f in value["findings"] if f["element"] == "Fe")
    assert rows["Fe"][2] == "present" and shown["net_counts"] == pytest.approx(fe.net_counts)
    assert "FWHM at Mn Kα" in panel.readout.text() and "measured on" in panel.readout.text()


def test_a_probe_without_counts_is_painted_blue_and_read_as_not_measured(qtbot, panel):
    dataset = spectrum_image()
    dataset.array[5, 1, :] = np.nan
    open_in(panel, dataset)
    qtbot.waitUntil(lambda: panel.tasks.is_idle() and "NaN" in panel.eds_view.summary.text())
    view = panel.eds_view
    view.source_combo.setCurrentIndex(view.source_combo.findData("region"))
    view.source_combo.activated.emit(view.source_combo.currentIndex())
    view.place_region([0, ROWS - 1, 0, COLS])
    view.region_drawn.emit(view.box())
    rows = identified(qtbot, panel)
    assert rows["Si"][2] == "present"
    click_row(qtbot, view.table, [row[0] for row in view.rows()].index("Si"))
    qtbot.waitUntil(lambda: view.map_title.startswith("Si Kα"), timeout=30000)
    shown = view.image.image
    assert np.isnan(shown[5, 1]) and np.isfinite(np.delete(shown.ravel(), 5 * COLS + 1)).all()
    assert tuple(view.image.levels) == pytest.approx((np.nanmin(shown), np.nanmax(shown)))
    assert view.missing.image[5, 1, 3] == 255 and view.missing.image[..., 3].sum() == 255
    assert "1 probe not measured (blue)" in view.map_plot.getPlotItem().titleLabel.text
    assert view.map_text(5, 1).endswith(
        "not measured (the spectrum's counts in the line's windows are not finite numbers)"
    )
    assert "±" in view.map_text(5, 0)


def test_a_lone_x_ray_spectrum_shows_no_empty_map(qtbot, panel):
    """A lone spectrum (signal 0 of a Velox map file) has nothing to map: the element table gets
    the side's height (before, an empty map plot with axes of nothing took two fifths of it); a
    spectrum image opened next shows its map again."""
    cube = spectrum_image()
    lone = Dataset("spectrum", cube.array.sum(axis=(0, 1)), cube.signal_axes, cube.metadata)
    open_in(panel, lone)
    identified(qtbot, panel)
    assert not panel.eds_view.map_plot.isVisible()
    assert panel.eds_view.table.height() > 0.6 * panel.eds_view.height()
    open_in(panel, cube)
    identified(qtbot, panel)
    assert panel.eds_view.map_plot.isVisible()
