"""Issue 18's "done when", driven like a user: the sample project opens with current and bias under
the movie; dragging the cursor on either trace moves the movie and moving the movie moves the
cursor; after tracking the front the user reads the charge passed when the front reaches a chosen
position, sets the film geometry and the beam current to see the Li per formula unit and the dose,
and exports the timeline figure (frames, kymograph and current on one time axis). The CLI gives
the same numbers."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog

from insitu_tem.cli.main import main
from insitu_tem.samples.experiment import EXPERIMENT
from tests.gui.user_actions import float_movie_panel

pytestmark = pytest.mark.slow

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"
TRUTH = json.loads((SAMPLES / "holder_log.truth.json").read_text())
ROW = EXPERIMENT.scan.start_rc[0]
LINE_START_COL = 10
NUMBER = r"([-+0-9.e]+)"


def drag(widget, start: QPointF, end: QPointF, steps: int = 6) -> None:
    """Press, move with the left button held, release: a real drag on ``widget``'s viewport."""
    viewport = widget.viewport()
    press = QMouseEvent(
        QEvent.Type.MouseButtonPress,
        start,
        viewport.mapToGlobal(start),
        Qt.MouseButton.LeftButton,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(viewport, press)
    for fraction in np.linspace(0, 1, steps + 1)[1:]:
        point = start + (end - start) * float(fraction)
        move = QMouseEvent(
            QEvent.Type.MouseMove,
            point,
            viewport.mapToGlobal(point),
            Qt.MouseButton.NoButton,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(viewport, move)
    release = QMouseEvent(
        QEvent.Type.MouseButtonRelease,
        end,
        viewport.mapToGlobal(end),
        Qt.MouseButton.LeftButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(viewport, release)


def drag_cursor(plots, title: str, to_time_s: float) -> None:
    """Drag the frame cursor on the trace titled ``title`` to movie time ``to_time_s``."""
    index = [plot.legend.items[0][1].text for plot in plots.plot_items].index(title)
    plot, cursor = plots.plot_items[index], plots.cursors[index]
    y = float(np.mean(plot.vb.viewRange()[1]))
    start = plots.mapFromScene(plot.vb.mapViewToScene(QPointF(cursor.value(), y)))
    end = plots.mapFromScene(plot.vb.mapViewToScene(QPointF(to_time_s, y)))
    drag(plots, QPointF(start), QPointF(end))


def type_value(qtbot, spin, value: float) -> None:
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, f"{value:g}")
    qtbot.keyClick(spin, Qt.Key.Key_Return)


def true_charge_when_front_at(position_nm: float) -> float:
    """The sample's truth: the time the front reaches ``position_nm`` along the line, and the
    charge the holder log's truth gives then."""
    front = EXPERIMENT.front
    column = LINE_START_COL + position_nm / EXPERIMENT.pixel_nm
    elapsed = ((column - front.x0_px) / front.k_px) ** (1 / front.n)
    times = np.array(TRUTH["frame_times_s"])
    return float(np.interp(front.t0_s + elapsed, times, TRUTH["charge_at_frames_C"]))


@pytest.fixture
def sample_window(window, qtbot, wait_idle):
    """The sample project with its log shown; the analyses it starts by itself (NBD, EELS,
    across the front) are stopped, as this scenario needs none of them."""
    window.open_sample_project()
    panel = window.workbench().timeline.panel
    qtbot.waitUntil(lambda: panel.timeline is not None, timeout=120000)
    window.tasks.cancel()
    wait_idle(window, timeout=120000)
    window.docks["timeline"].raise_()
    qtbot.waitExposed(panel)
    return window


def test_done_when_scenario(sample_window, qtbot, movie_user, tmp_path, monkeypatch, reporter):
    window = sample_window
    panel, movie = window.workbench().timeline.panel, window.panels["movie"]
    titles = [plot.legend.items[0][1].text for plot in panel.plots.plot_items]
    assert {"Channel A Current", "Channel A Voltage"} <= set(titles)

    drag_cursor(panel.plots, "Channel A Current", 12.0)
    assert window.state.frame == 24 and movie.navigator.index == 24
    drag_cursor(panel.plots, "Channel A Voltage", 20.0)
    assert window.state.frame == 40
    movie.navigator.slider.setValue(10)
    assert all(cursor.value() == pytest.approx(5.0) for cursor in panel.plots.cursors)
    assert "frame 11, t = 5.00 s" in panel.status.text()

    float_movie_panel(qtbot, window)
    movie_user.draw_line(movie, (ROW, LINE_START_COL), (ROW, 240))
    with qtbot.waitSignal(movie.front.tracking_ready, timeout=60000):
        qtbot.mouseClick(movie.front.track_button, Qt.MouseButton.LeftButton)
    panel.tabs.setCurrentWidget(panel.front_view)
    type_value(qtbot, panel.front_view.target, 100.0)
    readout = panel.front_view.readout.text()
    found = re.search(f"Q = {NUMBER} ± {NUMBER} ([fpnµm])C", readout)
    scale = {"f": 1e-15, "p": 1e-12, "n": 1e-9, "µ": 1e-6, "m": 1e-3}[found.group(3)]
    charge, sigma = (float(v) * scale for v in found.groups()[:2])
    assert abs(charge - true_charge_when_front_at(100.0)) < 3 * sigma
    assert panel.front_view.crossing.value() == pytest.approx(charge, abs=sigma / 10)

    panel.tabs.setCurrentIndex(2)
    type_value(qtbot, panel.geometry.height, TRUTH["film_height_nm"])
    type_value(qtbot, panel.geometry.height_sigma, 4.0)
    type_value(qtbot, panel.geometry.depth, TRUTH["lamella_depth_nm"])
    type_value(qtbot, panel.geometry.depth_sigma, 5.0)
    lithium = panel.derived["Li per f.u."]
    late = slice(40, 60)
    x, x_sigma = lithium[2][late], lithium[3][late]
    assert np.all(np.abs(x - TRUTH["lithium_per_WO3"]) < 3 * x_sigma)
    assert np.median(x_sigma) < 0.05

    type_value(qtbot, panel.dose_inputs.value, 2.5)
    qtbot.mouseClick(panel.dose_inputs.compute, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cumulative dose" in panel.derived, timeout=60000)
    assert {"dose rate", "cumulative dose", "Li per f.u."} <= set(panel.checked_channels())
    panel.set_frame(59)
    assert "cumulative dose" in panel.status.text()
    assert window.state.session.panel_state("timeline")["dose"]["beam_current_nA"] == 2.5

    export = tmp_path / "timeline.png"
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("timeline", True))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(export), ""))
    window.workbench().exports.figure_dialog()
    qtbot.waitUntil(export.exists, timeout=120000)
    assert export.stat().st_size > 10000 and not reporter.reports

    front_cli = cli_json(
        [
            "front",
            str(SAMPLES / "lithiation_movie.tif"),
            "--line",
            f"{LINE_START_COL},{ROW:g},240,{ROW:g}",
            "--log",
            str(SAMPLES / "holder_log.csv"),
            "--log-offset",
            str(panel.timeline.offset_s),
            "--json",
        ]
    )
    assert np.allclose(front_cli["charge_C"], panel.timeline.charge_C, rtol=1e-12, equal_nan=True)
    dose_cli = cli_json(
        ["dose", str(SAMPLES / "lithiation_movie.tif"), "--beam-current-nA", "2.5", "--json"]
    )
    cumulative = panel.derived["cumulative dose"][2]
    assert np.allclose(dose_cli["cumulative_e_per_A2"], cumulative, rtol=1e-12)


def cli_json(argv: list[str]) -> dict:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(argv) == 0
    return json.loads(out.getvalue())


def test_li_per_fu_uses_the_film_thickness_measured_in_the_movie_panel(
    sample_window, qtbot, movie_user, reporter
):
    from insitu_tem.analysis.timeline.front_charge import FilmGeometry, lithium_behind_front

    window = sample_window
    panel, movie = window.workbench().timeline.panel, window.panels["movie"]
    geometry = panel.geometry
    panel.tabs.setCurrentIndex(2)
    assert "Height typed in" in geometry.height_source.text()
    float_movie_panel(qtbot, window)
    movie_user.draw_line(movie, (60, 120), (200, 120))
    qtbot.mouseClick(movie.front.thickness_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Film thickness" in movie.front.status.text(), timeout=60000)
    on_movie = re.search(f"Film thickness {NUMBER} nm", movie.front.status.text()).group(1)
    readout = geometry.height_source.text()
    assert f"film thickness (movie panel): {on_movie} ± " in readout
    sigma = float(re.search(f"{on_movie} ± {NUMBER} nm", readout).group(1))
    assert geometry.height.value() == pytest.approx(float(on_movie), abs=0.05)
    assert abs(float(on_movie) - TRUTH["film_height_nm"]) < 3 * sigma
    type_value(qtbot, geometry.height, 999.0)
    assert geometry.height.value() == pytest.approx(float(on_movie), abs=0.05)

    movie_user.draw_line(movie, (ROW, LINE_START_COL), (ROW, 240))
    with qtbot.waitSignal(movie.front.tracking_ready, timeout=60000):
        qtbot.mouseClick(movie.front.track_button, Qt.MouseButton.LeftButton)
    type_value(qtbot, geometry.depth, TRUTH["lamella_depth_nm"])
    type_value(qtbot, geometry.depth_sigma, 5.0)
    lithium = panel.derived["Li per f.u."]
    thickness = window.state.session.result("film.thickness").value
    front = window.state.session.result("front").value
    parameters = {**geometry.parameters(), "height_nm": thickness["reference"]}
    parameters["height_sigma_nm"] = sigma
    expected = lithium_behind_front(
        panel.timeline,
        np.asarray(front["position"], float),
        np.asarray(front["position_sigma"], float),
        geometry=FilmGeometry(**parameters),
    )
    np.testing.assert_allclose(lithium[2], expected.x, rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(lithium[3], expected.x_sigma, rtol=0.05, equal_nan=True)
    late = slice(40, 60)
    assert np.all(np.abs(lithium[2][late] - TRUTH["lithium_per_WO3"]) < 3 * lithium[3][late])
    assert not reporter.reports
