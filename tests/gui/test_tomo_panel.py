"""Tomography panel driven like a user: open the phantom series, align (projections and sinogram),
reconstruct HAADF and the O map, look at slices and the rendering, segment, paint scribbles,
undo, export a figure, reopen the project; and cancel a reconstruction."""

import json
from pathlib import Path

import numpy as np
import pytest
import tifffile
from PIL import Image
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QFileDialog

from insitu_tem.workflows.tomo_results import SEGMENTATION
from insitu_tem.samples import tomo as sample
from insitu_tem.samples.tomo import Phantom
from validation.tomo import authors_shifts


@pytest.fixture(scope="module")
def series_path(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tomo")
    sample.write(
        folder, Phantom(size=40, tilts_deg=tuple(np.arange(-60.0, 60.1, 10.0)), counts=100.0)
    )
    return folder / sample.HAADF_NAME


@pytest.fixture
def panel(tomo_panel):
    return tomo_panel


def click_voxel(qtbot, panel, name, row, col):
    view = panel.slices.views[name]
    scene = view.mapViewToScene(QPointF(col + 0.5, row + 0.5))
    point = panel.slices.mapFromScene(scene)
    qtbot.mouseClick(panel.slices.viewport(), Qt.MouseButton.LeftButton, pos=point)


def open_and_align(qtbot, panel, series_path, method="xcorr"):
    with qtbot.waitSignal(panel.controller.seriesLoaded, timeout=60000):
        panel.open_path(series_path)
    panel.align_method.setCurrentText(method)
    with qtbot.waitSignal(panel.controller.aligned, timeout=120000):
        qtbot.mouseClick(panel.align_button, Qt.MouseButton.LeftButton)


def crosshairs_shown(slices) -> list[bool]:
    return [line.isVisible() for pair in slices.lines.values() for line in pair]


def test_open_align_reconstruct_segment_export(qtbot, panel, series_path, reporter, tmp_path):
    assert not panel.align_button.isEnabled() and panel.progress.isHidden()
    assert not panel.slices.hint.isHidden() and "Reconstruct" in panel.slices.hint.text()
    assert not any(crosshairs_shown(panel.slices))
    assert panel.projections.hint.isVisible() and "tilt series" in panel.projections.hint.text()
    open_and_align(qtbot, panel, series_path)
    assert panel.projections.hint.isHidden()
    assert not panel.slices.hint.isHidden() and panel.progress.isHidden()
    hints = (panel.slices.hint.text(), panel.rendering.hint.text())
    assert all(text.startswith("Reconstruct (Align first):") for text in hints), hints
    assert panel.projections.show_aligned.isChecked() and "offset" in panel.info.text()
    assert "shift 1σ not estimated" in panel.info.text()
    panel.projections.show_sinogram.setChecked(True)
    assert (
        panel.projections.projection.image.shape == (13, 40)
        and "sinogram" in panel.projections.tilt_label.text()
    )
    panel.projections.show_sinogram.setChecked(False)
    panel.projections.tilt_slider.setValue(0)
    assert panel.projections.tilt_label.text() == "-60.0°"
    with qtbot.waitSignal(panel.controller.seriesLoaded, timeout=60000):
        panel.controller.add_channel_path(series_path.with_name(sample.OXYGEN_NAME))
    assert panel.all_channels.isChecked() and "O_Ka" in panel.info.text()
    panel.iterations.setValue(8)
    with qtbot.waitSignal(panel.controller.reconstructed, timeout=120000):
        qtbot.mouseClick(panel.reconstruct_button, Qt.MouseButton.LeftButton)
    assert [panel.channel.itemText(i) for i in range(panel.channel.count())] == ["HAADF", "O_Ka"]
    assert panel.volume.shape == (40, 40, 40) and panel.progress.value() == 100
    assert panel.slices.hint.isHidden() and all(crosshairs_shown(panel.slices))
    assert panel.slices.scale_bar_text("XY") == "5 nm"
    assert panel.slices.wedge[0].getData()[0] is not None
    click_voxel(qtbot, panel, "XY", 6, 7)
    assert panel.slices.cursor[1:] == [6, 7]
    np.testing.assert_array_equal(panel.slices.planes()["YZ"], panel.volume[:, :, 7])
    front = panel.rendering.image.copy()
    panel.rendering.angle.setValue(60)
    assert panel.rendering.angle_label.text() == "+60°"
    assert not np.allclose(front, panel.rendering.image)
    with qtbot.waitSignal(panel.controller.measured, timeout=120000):
        qtbot.mouseClick(panel.segment_button, Qt.MouseButton.LeftButton)
    names = [panel.table.item(i, 0).text() for i in range(panel.table.rowCount())]
    panel.tabs.setCurrentWidget(panel.plots)
    assert panel.plots.radial_plot.getAxis("left").isVisible()
    assert not any(hint.label.isVisible() for hint in panel.plots.hints)
    assert panel.plots.axis_label("radial", "bottom") == "distance from the wire axis (nm)"
    assert panel.plots.axis_label("map", "left") == "position along the wire (nm)"
    edges, counts = panel.plots.histogram.getData()
    median = panel.state.session.result(SEGMENTATION).value["shell_thickness_px"] * 0.5
    assert counts.sum() > 0 and edges[0] <= median <= edges[-1]
    assert "shell thickness (median ± 1σ spread)" in names and "wt %, shell" in names
    values = {name: panel.table.item(i, 1).text() for i, name in enumerate(names)}
    assert " ± " in values["volume, core"] and " ± " in values["volume, shell"]
    assert " ± " in values["wt %, shell"]
    stored = panel.state.session.result(SEGMENTATION).value
    assert np.isfinite(stored["shell_thickness_px"]) and "radial_profile" in stored
    panel.undo_stack.undo()
    assert panel.table.rowCount() == 0 and panel.state.session.result(SEGMENTATION) is None
    panel.undo_stack.redo()
    assert panel.table.rowCount() == len(names)
    path = panel.export_figure(tmp_path / "tomo.png", dpi=60)
    record = json.loads(Image.open(path).text["insitu-tem"])
    assert record["parameters"]["channel"] == "HAADF" and record["parameters"]["units"] == "nm"
    assert record["parameters"]["shell_thickness"] == pytest.approx(median)
    assert not reporter.reports


def test_auto_alignment_shows_the_shifts_sigma(qtbot, panel, series_path):
    open_and_align(qtbot, panel, series_path, "auto")
    sigma = panel.controller.alignment.shifts_sigma_px
    length = np.hypot(*sigma.T)
    assert sigma.shape == (13, 2) and np.all(length > 0)
    assert f"shift 1σ {np.median(length):.2f} px median" in panel.info.text()


def test_scribbles_train_the_classifier(qtbot, panel, series_path):
    open_and_align(qtbot, panel, series_path)
    panel.iterations.setValue(6)
    with qtbot.waitSignal(panel.controller.reconstructed, timeout=120000):
        qtbot.mouseClick(panel.reconstruct_button, Qt.MouseButton.LeftButton)
    panel.slices.brush_px = 2
    z, y, x = panel.slices.cursor
    core = np.unravel_index(np.argmax(panel.volume[:, y, :]), (40, 40))
    for index, (row, col) in ((1, (3, 3)), (1, (36, 36)), (3, core)):
        panel.paint.setCurrentIndex(index)
        click_voxel(qtbot, panel, "XZ", row, col)
    panel.paint.setCurrentIndex(2)
    shell_row = core[0] + int(0.23 * 40) if core[0] < 20 else core[0] - int(0.23 * 40)
    click_voxel(qtbot, panel, "XZ", shell_row, core[1])
    assert set(np.unique(panel.slices.scribbles)) == {0, 1, 2, 3}
    with qtbot.waitSignal(panel.controller.measured, timeout=120000):
        qtbot.mouseClick(panel.classify_button, Qt.MouseButton.LeftButton)
    assert panel.table.item(0, 1).text().startswith("random forest")
    assert set(np.unique(panel.controller.labels)) == {0, 1, 2}


def test_saved_project_reopens_volumes_labels_and_measurements(
    qtbot, window, wait_idle, series_path, tmp_path, monkeypatch, settings, reporter
):
    from insitu_tem.gui.main_window import MainWindow

    panel = window.panels["tomo"]
    open_and_align(qtbot, panel, series_path)
    panel.binning.setCurrentText("bin 2")
    panel.iterations.setValue(6)
    with qtbot.waitSignal(panel.controller.reconstructed, timeout=120000):
        qtbot.mouseClick(panel.reconstruct_button, Qt.MouseButton.LeftButton)
    assert panel.volume.shape == (20, 20, 20) and panel.slices.scale_bar_text("XY") == "5 nm"
    with qtbot.waitSignal(panel.controller.measured, timeout=120000):
        qtbot.mouseClick(panel.segment_button, Qt.MouseButton.LeftButton)
    click_voxel(qtbot, panel, "XY", 4, 5)
    panel.rendering.angle.setValue(30)
    volume, labels = panel.volume.copy(), panel.controller.labels.copy()
    shifts, rows = panel.controller.alignment.shifts_px.copy(), panel.table.rowCount()
    project_path = tmp_path / "wire.itproj"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(project_path), ""))
    window.save_action.trigger()
    assert sorted(p.name for p in (tmp_path / "wire.itproj.tomo").iterdir()) == [
        "HAADF.tif",
        "labels.tif",
    ]
    window.close()

    reopened = MainWindow(settings, reporter)
    qtbot.addWidget(reopened)
    reopened.resize(1280, 800)
    reopened.show()
    tomo = reopened.panels["tomo"]
    with qtbot.waitSignal(tomo.controller.restored, timeout=60000):
        reopened.open_paths([project_path])
    wait_idle(reopened)
    np.testing.assert_array_equal(tomo.volume, volume)
    np.testing.assert_array_equal(tomo.controller.labels, labels)
    np.testing.assert_allclose(tomo.controller.alignment.shifts_px, shifts)
    assert tomo.slices.cursor[1:] == [4, 5] and tomo.rendering.angle.value() == 30
    assert tomo.table.rowCount() == rows and tomo.slices.scale_bar_text("XY") == "5 nm"
    assert tomo.plots.axis_label("histogram", "bottom") == "shell thickness (nm)"
    assert not reopened.project.dirty and reporter.reports == []
    with qtbot.waitSignal(tomo.controller.measured, timeout=120000):
        qtbot.mouseClick(tomo.segment_button, Qt.MouseButton.LeftButton)
    assert reopened.state.session.panel_state("tomo") == {} and reopened.project.dirty
    reopened.project.save()
    files = reopened.state.session.panel_state("tomo")["files"]
    assert files["labels"]["path"] == "wire.itproj.tomo/labels.tif"
    reopened.tasks.cancel()
    reopened.tasks.wait_for_done(5000)


def test_cancel_stops_a_reconstruction(qtbot, panel, series_path):
    with qtbot.waitSignal(panel.controller.seriesLoaded, timeout=60000):
        panel.open_path(series_path)
    panel.iterations.setValue(500)
    qtbot.mouseClick(panel.reconstruct_button, Qt.MouseButton.LeftButton)
    assert panel.cancel_button.isEnabled() and not panel.align_button.isEnabled()
    qtbot.waitUntil(lambda: panel.progress.value() > 0, timeout=60000)
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.cancel_button.isEnabled(), timeout=60000)
    assert panel.volume is None and not panel.segment_button.isEnabled()


REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "realdata" / "edstomo_idp"


def authors_difference(alignment) -> np.ndarray:
    """Our shifts minus the authors' tomviz shifts (:func:`validation.tomo.authors_shifts`), px."""
    return alignment.shifts_px - authors_shifts(REAL, alignment.tilts_deg)


@pytest.mark.realdata
@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/realdata is absent")
def test_real_eds_series_aligned_reconstructed_and_segmented(
    qtbot, panel, reporter, monkeypatch, capsys, tmp_path
):
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(REAL))
    assert panel.elements.isVisible() and panel.add_button.isVisible()
    qtbot.keyClicks(panel.elements, "Si, O")
    with qtbot.waitSignal(panel.controller.seriesLoaded, timeout=240000):
        qtbot.mouseClick(panel.opener.folder_button, Qt.MouseButton.LeftButton)
    assert list(panel.controller.series.channels) == ["HAADF", "Si_Ka", "O_Ka"]
    assert "16 tilts -40…35°" in panel.info.text() and panel.all_channels.isChecked()
    panel.align_method.setCurrentText("xcorr")
    with qtbot.waitSignal(panel.controller.aligned, timeout=120000):
        qtbot.mouseClick(panel.align_button, Qt.MouseButton.LeftButton)
    across = authors_difference(panel.controller.alignment)[:, 1]
    assert np.sqrt(np.mean(across**2)) < 1.0
    panel.binning.setCurrentText("bin 4")
    panel.iterations.setValue(5)
    with qtbot.waitSignal(panel.controller.reconstructed, timeout=240000):
        qtbot.mouseClick(panel.reconstruct_button, Qt.MouseButton.LeftButton)
    assert [panel.channel.itemText(i) for i in range(3)] == ["HAADF", "Si_Ka", "O_Ka"]
    assert panel.volume.shape == (64, 64, 64) and np.isfinite(panel.volume).all()
    panel.channel.setCurrentText("Si_Ka")
    assert panel.slices.images["XY"].image is not None
    with qtbot.waitSignal(panel.controller.measured, timeout=120000):
        qtbot.mouseClick(panel.segment_button, Qt.MouseButton.LeftButton)
    rows = {
        panel.table.item(i, 0).text(): panel.table.item(i, 1).text()
        for i in range(panel.table.rowCount())
    }
    assert {"segmentation", "volume, core", "wt %, core"} <= set(rows)
    assert rows["shell thickness (median ± 1σ spread)"] == "not measured (see the last row)"
    assert "no core–shell wire" in rows["not measured"]
    assert set(np.unique(panel.controller.labels)) == {0, 1, 2}
    assert not reporter.reports
    same_in_the_commands(panel, capsys, tmp_path)


def same_in_the_commands(panel, capsys, tmp_path):
    """``tomo`` and ``segment`` with the panel's options give its volumes and measurements."""
    from insitu_tem.cli.main import main

    out = tmp_path / "cli"
    options = ["--elements", "Si,O", "--align", "xcorr", "--binning", "4", "--iterations", "5"]
    assert main(["tomo", str(REAL), *options, "--out", str(out), "--json", "--quiet"]) == 0
    tomo = json.loads(capsys.readouterr().out)
    np.testing.assert_allclose(panel.controller.alignment.shifts_px, tomo["shifts_px"], atol=1e-9)
    paths = {v["channel"]: v["path"] for v in tomo["volumes"]}
    for channel, volume in panel.controller.volumes.items():
        np.testing.assert_allclose(volume, tifffile.imread(paths[channel]), atol=1e-4, rtol=1e-5)
    assert tomo["volumes"][0]["voxel_size"] == pytest.approx(panel.controller.voxel[0])
    composition = [f"{e}={paths[e + '_Ka']}" for e in ("Si", "O")]
    argv = ["segment", paths["HAADF"], "--composition", *composition]
    assert main([*argv, "--out", str(tmp_path / "labels.tif"), "--json", "--quiet"]) == 0
    seg = json.loads(capsys.readouterr().out)
    stored = panel.state.session.result(SEGMENTATION).value
    assert not seg["ok"] and "no core–shell wire" in seg["reason"]
    assert stored["void_fraction_shell"] == pytest.approx(seg["void_fraction_shell"])
    for label, wt in seg["composition_wt_percent"].items():
        assert stored["composition_wt_percent"][label] == pytest.approx(wt)
