"""A new user's tomography, driven in the window like a user: File ▸ Open on the phantom's HAADF
and O map sends them to the Tomography panel, then Align, Reconstruct, Segment, read the shell
thickness and void fraction, Export Figure; the ``tomo`` and ``segment`` commands on the same
files with the same options give the same volumes and numbers as the panel shows."""

import json

import numpy as np
import pytest
import tifffile
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from insitu_tem.cli.main import main
from insitu_tem.samples import tomo as sample
from insitu_tem.samples.tomo import Phantom
from insitu_tem.workflows.tomo_open import is_tilt_series
from insitu_tem.workflows.tomo_results import SEGMENTATION
from tests.gui.user_actions import file_action

ITERATIONS = 8


@pytest.fixture(scope="module")
def phantom(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tomo")
    sample.write(
        folder, Phantom(size=40, tilts_deg=tuple(np.arange(-60.0, 60.1, 10.0)), counts=100.0)
    )
    return folder


def run_cli(capsys, *argv) -> dict:
    capsys.readouterr()
    assert main([*map(str, argv), "--json", "--quiet"]) == 0
    return json.loads(capsys.readouterr().out)


def table(panel) -> dict:
    return {
        panel.table.item(i, 0).text(): panel.table.item(i, 1).text()
        for i in range(panel.table.rowCount())
    }


def panel_through_segmentation(qtbot, window, phantom, monkeypatch, *, names=None):
    """File ▸ Open on both series (or the ``names`` given), then the panel's buttons as a user
    clicks them."""
    names = names or (sample.HAADF_NAME, sample.OXYGEN_NAME)
    files = [str(phantom / name) for name in names]
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: (files, ""))
    panel = window.panels["tomo"]
    with qtbot.waitSignal(panel.controller.seriesLoaded, timeout=60000):
        file_action(window, "&Open…").trigger()
    expected = ["HAADF", "O_Ka"][: len(files)]
    assert list(panel.controller.series.channels) == expected
    assert "13 tilts -60…60°" in panel.info.text()
    assert panel.all_channels.isChecked() == (len(files) > 1)
    assert panel.info.text().endswith("— next: Align")
    window.docks["tomo"].setFloating(True)
    window.docks["tomo"].resize(1600, 800)
    qtbot.waitExposed(panel)
    with qtbot.waitSignal(panel.controller.aligned, timeout=120000):
        qtbot.mouseClick(panel.align_button, Qt.MouseButton.LeftButton)
    panel.iterations.selectAll()
    qtbot.keyClicks(panel.iterations, str(ITERATIONS))
    with qtbot.waitSignal(panel.controller.reconstructed, timeout=120000):
        qtbot.mouseClick(panel.reconstruct_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(panel.controller.measured, timeout=120000):
        qtbot.mouseClick(panel.segment_button, Qt.MouseButton.LeftButton)
    return panel


def test_panel_numbers_are_the_commands_numbers(
    qtbot, window, phantom, monkeypatch, tmp_path, capsys, reporter
):
    panel = panel_through_segmentation(qtbot, window, phantom, monkeypatch)
    out = tmp_path / "cli"
    tomo = run_cli(
        capsys,
        "tomo",
        phantom / sample.HAADF_NAME,
        "--also",
        phantom / sample.OXYGEN_NAME,
        "--iterations",
        ITERATIONS,
        "--out",
        out,
    )
    alignment = panel.controller.alignment
    np.testing.assert_allclose(alignment.shifts_px, tomo["shifts_px"], atol=1e-9)
    assert alignment.axis_angle_deg == pytest.approx(tomo["tilt_axis_angle_deg"], abs=1e-9)
    assert alignment.axis_offset_px == pytest.approx(tomo["tilt_axis_offset_px"], abs=1e-9)
    assert f"{tomo['tilt_axis_angle_deg']:.2f} ± " in panel.axis.result.text()
    for channel, volume in zip(("HAADF", "O_Ka"), tomo["volumes"]):
        assert volume["channel"] == channel and volume["voxel_size"] == 0.5
        np.testing.assert_allclose(
            panel.controller.volumes[channel], tifffile.imread(volume["path"]), atol=1e-5
        )
    seg = run_cli(
        capsys,
        "segment",
        tomo["volumes"][0]["path"],
        "--composition",
        f"O={tomo['volumes'][1]['path']}",
        "--out",
        tmp_path / "labels.tif",
    )
    np.testing.assert_array_equal(panel.controller.labels, tifffile.imread(tmp_path / "labels.tif"))
    stored = panel.state.session.result(SEGMENTATION).value
    assert stored["shell_thickness_px"] * 0.5 == pytest.approx(seg["shell_thickness"])
    assert stored["void_fraction_shell"] == pytest.approx(seg["void_fraction_shell"])
    assert stored["composition_wt_percent"] == seg["composition_wt_percent"]
    assert panel.tabs.currentWidget() is panel.table and panel.table.isVisible()
    shown = table(panel)
    thickness, sigma = seg["shell_thickness"], seg["shell_thickness_sigma"]
    assert shown["shell thickness (median ± 1σ spread)"] == f"{thickness:.3g} ± {sigma:.2g} nm"
    void, void_sigma = 100 * seg["void_fraction_shell"], 100 * seg["void_fraction_shell_sigma"]
    assert shown["void fraction of shell"] == f"{void:.2f} ± {void_sigma:.2f} %"
    assert stored["void_fraction_shell_sigma"] == pytest.approx(seg["void_fraction_shell_sigma"])
    core, core_sigma = 100 * seg["void_fraction_core"], 100 * seg["void_fraction_core_sigma"]
    assert 0 < core_sigma < core
    assert shown["void fraction of core"] == f"{core:.2f} ± {core_sigma:.2f} %"
    assert stored["void_fraction_core_sigma"] == pytest.approx(seg["void_fraction_core_sigma"])
    for label, name in ((0, "vacuum/void"), (1, "shell"), (2, "core")):
        volume, sigma = seg["volumes"][str(label)], seg["volumes_sigma"][str(label)]
        assert shown[f"volume, {name}"] == f"{volume:.4g} ± {sigma:.2g} nm³"
    assert abs(thickness - 0.5 * 0.12 * 40) < 1.5 * 0.5
    figure = tmp_path / "wire.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(figure), ""))
    qtbot.mouseClick(panel.export_button, Qt.MouseButton.LeftButton)
    record = json.loads(Image.open(figure).text["insitu-tem"])
    assert record["parameters"]["shell_thickness"] == pytest.approx(thickness)
    assert panel.info.text() == f"Figure saved: {figure}"
    assert not reporter.reports


def test_haadf_alone_gives_the_commands_material_volumes(
    qtbot, window, phantom, monkeypatch, tmp_path, capsys, reporter
):
    panel = panel_through_segmentation(
        qtbot, window, phantom, monkeypatch, names=(sample.HAADF_NAME,)
    )
    tomo = run_cli(
        capsys, "tomo", phantom / sample.HAADF_NAME, "--iterations", ITERATIONS, "--out", tmp_path
    )
    seg = run_cli(capsys, "segment", tomo["volumes"][0]["path"], "--out", tmp_path / "labels.tif")
    np.testing.assert_array_equal(panel.controller.labels, tifffile.imread(tmp_path / "labels.tif"))
    stored = panel.state.session.result(SEGMENTATION).value
    assert stored["material_volumes_voxels"] == pytest.approx(seg["material_volumes_voxels"])
    assert stored["material_volumes_voxels_sigma"] == pytest.approx(
        seg["material_volumes_voxels_sigma"]
    )
    shown = table(panel)
    shell, sigma = seg["material_volumes"]["1"], seg["material_volumes_sigma"]["1"]
    assert shown["volume of the shell material"] == f"{shell:.4g} ± {sigma:.2g} nm³"
    assert not reporter.reports


def test_tilt_series_are_told_from_other_files(phantom, tmp_path):
    assert is_tilt_series(phantom / sample.HAADF_NAME)
    (tmp_path / "frames").mkdir()
    for name in ("frame_001.tif", "frame_002.tif"):
        (tmp_path / "frames" / name).write_bytes(b"")
    assert not is_tilt_series(tmp_path / "frames")
    (tmp_path / "tilts").mkdir()
    for name in ("-40.tif", "35.tif"):
        (tmp_path / "tilts" / name).write_bytes(b"")
    assert is_tilt_series(tmp_path / "tilts")
    assert not is_tilt_series(tmp_path / "movie.mrc")
    (tmp_path / "movie.mrc").write_bytes(b"")
    (tmp_path / "movie.rawtlt").write_text("-10\n10\n")
    assert is_tilt_series(tmp_path / "movie.mrc")


def test_the_sample_button_opens_the_phantom(qtbot, tomo_panel, tmp_path, monkeypatch):
    from insitu_tem.gui.panels.tomo import opening

    monkeypatch.setattr(opening, "sample_folder", lambda: tmp_path)
    with qtbot.waitSignal(tomo_panel.controller.seriesLoaded, timeout=60000):
        qtbot.mouseClick(tomo_panel.opener.sample_button, Qt.MouseButton.LeftButton)
    assert list(tomo_panel.controller.series.channels) == ["HAADF", "O_Ka"]
    assert (tmp_path / sample.TRUTH_NAME).is_file()


def test_the_file_menu_opens_the_sample_tilt_series(qtbot, window, tmp_path, monkeypatch):
    from insitu_tem.gui.panels.tomo import opening

    monkeypatch.setattr(opening, "sample_folder", lambda: tmp_path)
    panel = window.panels["tomo"]
    with qtbot.waitSignal(panel.controller.seriesLoaded, timeout=60000):
        file_action(window, "Open Sample &Tilt Series").trigger()
    assert list(panel.controller.series.channels) == ["HAADF", "O_Ka"]
    assert panel.controller.series.source == str(tmp_path / sample.HAADF_NAME)
    assert panel.align_button.isEnabled() and "25 tilts -60…60°" in panel.info.text()


def test_slices_stack_when_the_panel_is_squarer(qtbot):
    from insitu_tem.gui.panels.tomo.slices import OrthoSlices

    slices = OrthoSlices()
    qtbot.addWidget(slices)
    slices.show()
    slices.set_volume(np.zeros((8, 8, 8), np.float32), voxel_size=0.5, units="nm")

    def top_left(name):
        rect = slices.views[name].sceneBoundingRect()
        return rect.top(), rect.left()

    slices.resize(900, 300)
    qtbot.waitUntil(lambda: top_left("XZ")[1] > top_left("XY")[1] + 200)
    assert top_left("XZ")[0] == top_left("XY")[0]
    slices.resize(400, 400)
    qtbot.waitUntil(lambda: top_left("XZ")[0] > top_left("XY")[0] + 100)
    assert top_left("YZ")[0] == top_left("XY")[0] and top_left("YZ")[1] > top_left("XY")[1]
    assert slices.scale_bar_text("XZ") == "1 nm"
    slices.resize(900, 300)
    qtbot.waitUntil(lambda: top_left("YZ")[1] > top_left("XZ")[1] > top_left("XY")[1])
    assert top_left("XZ")[0] == top_left("YZ")[0] == top_left("XY")[0]


def test_a_reconstruction_is_undone_with_its_segmentation(qtbot, tomo_panel, phantom):
    panel = tomo_panel
    with qtbot.waitSignal(panel.controller.seriesLoaded, timeout=60000):
        panel.open_path(phantom / sample.HAADF_NAME)
    panel.method.setCurrentText("wbp")
    with qtbot.waitSignal(panel.controller.reconstructed, timeout=60000):
        qtbot.mouseClick(panel.reconstruct_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(panel.controller.measured, timeout=60000):
        qtbot.mouseClick(panel.segment_button, Qt.MouseButton.LeftButton)
    first, rows = panel.volume.copy(), table(panel)
    panel.binning.setCurrentText("bin 2")
    with qtbot.waitSignal(panel.controller.reconstructed, timeout=60000):
        qtbot.mouseClick(panel.reconstruct_button, Qt.MouseButton.LeftButton)
    assert panel.volume.shape == (20, 20, 20) and panel.table.rowCount() == 0
    assert panel.slices.scale_bar_text("XY") == "5 nm" and panel.undo_stack.undoText() == (
        "Reconstruct (WBP-1)"
    )
    panel.undo_stack.undo()
    np.testing.assert_array_equal(panel.volume, first)
    assert table(panel) == rows and panel.state.session.result(SEGMENTATION) is not None
    assert panel.controller.voxel == (0.5, "nm") and panel.slices.labels is not None
    panel.undo_stack.redo()
    assert panel.volume.shape == (20, 20, 20) and panel.state.session.result(SEGMENTATION) is None


def test_spectrum_images_opened_without_elements_say_how_to_map_them():
    from insitu_tem.gui.panels.tomo.jobs import series_summary
    from insitu_tem.io.readers.tilt_series import TiltSeries

    stack = np.zeros((2, 4, 6), np.float32)
    files = ("/data/-10.bcf", "/data/10.bcf")
    series = TiltSeries({"HAADF": stack}, np.array([-10.0, 10.0]), 2.0, "nm", "/data", files)
    assert series_summary(series, ()) == (
        "data: 2 tilts -10…10°, 6×4 px, 2 nm/px; channels HAADF — for element maps type the EDS "
        "elements (e.g. Si,O,Fe) and open again"
    )
    assert series_summary(series, ("Si",)).endswith("— next: Align")
