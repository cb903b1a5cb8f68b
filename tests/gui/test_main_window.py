"""The main window as a user drives it: File ▸ Open, drag and drop, recent files, errors."""

import re
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
import tifffile
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QFileDialog

pytestmark = pytest.mark.slow


@pytest.fixture
def movie_file(tmp_path):
    rng = np.random.default_rng(0)
    movie = rng.integers(100, 200, size=(5, 64, 80), dtype=np.uint16)
    movie[:, 10:20, 30:40] = 4000
    path = tmp_path / "movie.tif"
    tifffile.imwrite(
        path,
        movie,
        imagej=True,
        resolution=(1 / 2.0, 1 / 2.0),
        metadata={"axes": "TYX", "unit": "nm", "finterval": 0.5},
    )
    return path


def test_open_through_the_file_menu_shows_the_movie(
    qtbot, window, wait_idle, movie_file, monkeypatch
):
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(movie_file)], ""))
    window.open_action.trigger()
    wait_idle(window)
    panel = window.panels["movie"]
    assert panel.dataset is not None and panel.dataset.shape == (5, 64, 80)
    assert panel.view.frame.shape == (64, 80)
    assert panel.view.scale_bar.units == "nm"
    assert window.recent_menu.actions()[0].text() == str(movie_file)


def test_frame_navigation_updates_time_and_linked_state(qtbot, window, wait_idle, movie_file):
    window.open_paths([movie_file])
    wait_idle(window)
    panel = window.panels["movie"]
    panel.navigator.slider.setValue(3)
    assert window.state.frame == 3
    assert panel.time_label.text() == "t = 1.50 s"
    qtbot.keyClick(panel.navigator.slider, Qt.Key.Key_Right)
    assert window.state.frame == 4


def test_status_bar_reads_the_cursor_in_calibrated_units(qtbot, window, wait_idle, movie_file):
    window.open_paths([movie_file])
    wait_idle(window)
    view = window.panels["movie"].view
    assert view.readout(15, 35).startswith("x = 70 nm, y = 30 nm")
    window.state.report_cursor(view.readout(15, 35))
    assert window.cursor_label.text().startswith("x = 70 nm")


def test_drop_a_file_on_the_window(qtbot, window, wait_idle, realdata):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(realdata("EELS_STO.dm3")))])
    event = QDropEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    wait_idle(window)
    panel = window.panels["eels"]
    x, y = panel.curve.getData()
    assert len(x) == 2048 and x[0] == pytest.approx(350.0)


def test_a_dropped_holder_log_opens_in_the_timeline(qtbot, window, wait_idle, sample_data):
    log = sample_data / "holder_log.csv"
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(log))])
    window.dropEvent(
        QDropEvent(
            QPoint(10, 10),
            Qt.DropAction.CopyAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
    )
    wait_idle(window)
    assert window.workbench().timeline.log_path == str(log)
    assert window.reporter.reports == [] and window.docks["timeline"].isVisible()
    assert "holder_log.csv is open: open a movie" in window.workbench().timeline.panel.status.text()


def test_patterns_go_to_the_nbd_panel_and_navigate(qtbot, window, wait_idle, realdata):
    window.open_paths([realdata("test1.blo")])
    wait_idle(window)
    panel = window.panels["nbd"]
    first = panel.view.frame.copy()
    panel.navigator.slider.setValue(5)
    assert window.state.scan_index == 5
    assert not np.array_equal(first, panel.view.frame)


def test_a_bad_file_reports_one_message_and_the_window_stays_usable(
    qtbot, window, wait_idle, tmp_path, movie_file
):
    bad = tmp_path / "broken.dm3"
    bad.write_bytes(b"\x00\x00\x00\x03" + b"garbage" * 20)
    window.open_paths([bad])
    wait_idle(window)
    qtbot.waitUntil(lambda: len(window.reporter.reports) == 1)
    assert window.reporter.reports[0].message.startswith(
        "broken.dm3: cannot be read as a DigitalMicrograph file"
    )
    window.open_paths([movie_file])
    wait_idle(window)
    assert window.panels["movie"].dataset is not None


def test_choosing_a_probe_moves_the_movie_and_marks_the_point(qtbot, window, wait_idle):
    from insitu_tem.samples.experiment import EXPERIMENT

    window.open_sample_project()
    wait_idle(window, timeout=120000)
    qtbot.waitUntil(
        lambda: (
            window.state.dataset("eels") is not None
            and window.workbench().linker.scan() is not None
        )
    )
    window.panels["eels"].navigator.slider.setValue(20)
    expected_rc = EXPERIMENT.scan.positions_rc()[20]
    assert window.state.position == pytest.approx(tuple(expected_rc))
    assert window.state.time_s() == pytest.approx(EXPERIMENT.scan.time_s)
    assert window.panels["nbd"].navigator.index == 20
    xs, ys = window.workbench().linker.marker.getData()
    assert xs[0] == pytest.approx(expected_rc[1] * EXPERIMENT.pixel_nm)


def test_clicking_the_movie_near_the_scan_line_picks_the_probe(qtbot, window, wait_idle):
    from insitu_tem.samples.experiment import EXPERIMENT

    window.open_sample_project()
    wait_idle(window, timeout=120000)
    qtbot.waitUntil(
        lambda: (
            window.workbench().linker.scan() is not None
            and window.state.dataset("movie") is not None
        )
    )
    target_rc = EXPERIMENT.scan.positions_rc()[30]
    view = window.panels["movie"].view
    scene_point = view.view.mapViewToScene(view.index_to_data(target_rc[0] + 2, target_rc[1]))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(scene_point))
    qtbot.waitUntil(lambda: window.state.scan_index == 30)
    assert window.panels["eels"].navigator.index == 30


def test_across_front_panel_click_moves_every_panel(qtbot, window, wait_idle):
    window.open_sample_project()
    wait_idle(window, timeout=120000)
    qtbot.waitUntil(
        lambda: all(window.state.dataset(r) is not None for r in ("movie", "nbd", "eels"))
    )
    panel = window.panels["across"]
    window.docks["across"].raise_()
    with qtbot.waitSignal(panel.computed, timeout=120000):
        panel.compute_button.click()
    plot = panel._plot_items[0]
    target = float(panel.result.distance_nm[40])
    scene = plot.vb.mapViewToScene(pg.Point(target, 0.0))
    qtbot.mouseClick(
        panel.plots.viewport(), Qt.MouseButton.LeftButton, pos=panel.plots.mapFromScene(scene)
    )
    qtbot.waitUntil(lambda: window.state.scan_index == 40)
    assert (
        window.panels["nbd"].navigator.index == 40 and window.panels["eels"].navigator.index == 40
    )
    assert window.workbench().linker.front_segment_rc() is not None
    assert panel.cursors[0].value() == pytest.approx(target)
    assert len(window.workbench().front_markers.lines) == 6
    for line in window.workbench().front_markers.lines:
        assert line.isVisible() and line.value() == pytest.approx(panel.result.front_along_nm)


def test_user_places_the_eels_scan_line_by_two_clicks_and_undoes_it(
    qtbot, window, wait_idle, realdata
):
    import tifffile

    window.open_paths([realdata("EELS_STO.dm3")])
    wait_idle(window)
    assert window.workbench().linker.scan() is None
    movie = np.zeros((3, 100, 120), np.uint16)
    path = Path(window.settings.fileName()).parent / "movie.tif"
    tifffile.imwrite(
        path, movie, imagej=True, resolution=(1.0, 1.0), metadata={"axes": "TYX", "unit": "nm"}
    )
    window.open_paths([path])
    wait_idle(window)
    window.place_eels_action.trigger()
    assert window.workbench().linker.placing == "eels"
    view = window.panels["movie"].view
    for row, col in [(20.0, 10.0), (60.0, 110.0)]:
        scene = view.view.mapViewToScene(view.index_to_data(row, col))
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(scene))
    qtbot.waitUntil(lambda: window.workbench().linker.scan() is not None)
    scan = window.workbench().linker.scan()
    assert scan.start_rc == pytest.approx((20.0, 10.0), abs=1.0) and scan.end_rc == pytest.approx(
        (60.0, 110.0), abs=1.0
    )
    assert scan.n_positions == 1 and window.project.scan_lines["eels"]["n_positions"] == 1
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.workbench().linker.scan() is None and "eels" not in window.project.scan_lines


def test_a_movie_of_patterns_opens_in_the_nbd_panel(
    qtbot, window, wait_idle, tmp_path, monkeypatch
):
    import tifffile

    patterns = np.zeros((5, 64, 64), np.uint16)
    for i in range(5):
        patterns[i, 30 + i, 32] = 1000
    path = tmp_path / "patterns.tif"
    tifffile.imwrite(path, patterns, imagej=True, metadata={"axes": "TYX"})
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(path)], ""))
    action = next(
        a
        for a in window.menuBar().actions()[0].menu().actions()
        if a.text() == "Open as &Pattern Series…"
    )
    action.trigger()
    wait_idle(window)
    dataset = window.state.dataset("nbd")
    assert dataset.kind == "pattern_series" and [a.name for a in dataset.axes] == [
        "position",
        "ky",
        "kx",
    ]
    window.panels["nbd"].navigator.slider.setValue(3)
    assert window.state.scan_index == 3


# The tests below only read the sample project: they share one window opened for this module.


def test_sample_project_opens_all_four_panels(opened_sample):
    window = opened_sample.window
    assert window.reporter.reports == []
    worker = opened_sample.worker_at_open
    assert window.state.session.result("nbd") is not None and window.tasks.child.pid == worker
    for role, kind in [
        ("movie", "movie"),
        ("hrtem", "movie"),
        ("nbd", "pattern_series"),
        ("eels", "spectrum_series"),
    ]:
        assert window.state.dataset(role) is not None and window.state.dataset(role).kind == kind
    assert window.panels["hrtem"].fft_view.frame is not None


def test_opening_the_sample_project_places_the_front_on_the_movie(qtbot, opened_sample):
    from insitu_tem.samples.experiment import EXPERIMENT

    window = opened_sample.window
    qtbot.waitUntil(
        lambda: window.workbench().linker.front_segment_rc() is not None, timeout=120000
    )
    (r0, c0), (r1, c1) = window.workbench().linker.front_segment_rc()
    truth_col = float(EXPERIMENT.front.position_px(EXPERIMENT.scan.time_s))
    assert (c0 + c1) / 2 == pytest.approx(truth_col, abs=0.5)
    assert window.reporter.reports == []


def test_export_line_scan_profiles_as_csv(qtbot, opened_sample, tmp_path, monkeypatch):
    window = opened_sample.window
    qtbot.waitUntil(lambda: window.panels["eels"].result_value() is not None, timeout=60000)
    out = tmp_path / "profiles.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    action = next(
        a
        for a in window.menuBar().actions()[0].menu().actions()
        if a.text() == "Export Line-Scan &Profiles (CSV)…"
    )
    action.trigger()
    rows = out.read_text().splitlines()
    header = rows[0].split(",")
    assert header[0] == "position (nm)" and len(rows) == 47
    assert any("shift" in name.lower() for name in header[1:])
    assert any("strain" in name.lower() for name in header[1:])
    sigma = header.index(next(name for name in header if "shift" in name.lower() and "±1σ" in name))
    values = [float(row.split(",")[sigma]) for row in rows[1:]]
    assert all(0 <= v < 0.06 for v in values)


def test_nbd_fractions_and_strain_gaps_read_plainly_on_the_sample(qtbot, opened_sample):
    window = opened_sample.window
    window.docks["nbd"].raise_()
    panel = window.panels["nbd"]
    legend = panel.scan_plots.fraction_plot.getPlotItem().legend
    names = [label.text for _, label in legend.items]
    assert names == ["first pattern", "last pattern", "intermediate 1"]
    status = panel.status.text()
    assert "strain not measured at 18 positions: too few spots matched" in status, status
    assert "needed" not in status and status.count("too few") == 1
    tip = panel.status.toolTip()
    groups = re.findall(r"too few spots matched \((\d) of 6 needed\) \((\d+)\)", tip)
    counts = {int(matched): int(count) for matched, count in groups}
    assert sum(counts.values()) == 18 and max(counts, key=counts.get) == 0, tip
