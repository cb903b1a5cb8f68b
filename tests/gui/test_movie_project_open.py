"""Opening a project whose session holds a front track: without movie-panel state (e.g. written
by a batch run) the movie panel still draws the track on the kinetics plot and the kymograph;
with or without it, the line under the tools keeps the track's summary once the kymograph
arrives."""

import numpy as np
from PySide6.QtCore import Qt
import pytest

from insitu_tem.core.project import save_session
from insitu_tem.core.session import Session
from insitu_tem.io.load import load
from insitu_tem.workflows import front

LINE_RC = [[16.0, 1.0], [16.0, 30.0]]


def _project(movie, path, *, panel_state: bool):
    """A project with the movie and its front track (with the analysis line and a movie-panel
    state when ``panel_state``)."""
    session = Session(checksums=False)
    session.set_dataset("movie", load(movie))
    front.run(session, line_rc=LINE_RC, width_px=5, drift=None)
    if panel_state:
        session.set_analysis_line(LINE_RC)
        session.set_panel_state("movie", {"gamma": 1.0, "front": {"width_px": 5}})
    save_session(session, path)
    return path


def _open(qtbot, window, wait_idle, project):
    with qtbot.waitSignal(window.project.restored, timeout=30000):
        window.open_paths([project])
    wait_idle(window)
    bench = window.panels["movie"].front
    qtbot.waitUntil(lambda: bench.kymograph_view.image is not None, timeout=30000)
    wait_idle(window)
    return bench, window.state.session.result("front").value


def test_a_projects_front_track_shows_on_open_without_panel_state(
    qtbot, window, wait_idle, front_movie, tmp_path
):
    project = _project(front_movie, tmp_path / "batch.itproj", panel_state=False)
    bench, track = _open(qtbot, window, wait_idle, project)
    _, position = bench.kinetics.auto_points.getData()
    present = int(np.sum(track["present"]))
    assert position is not None and np.isfinite(position).sum() == present > 0
    np.testing.assert_allclose(bench.kymograph_view.auto_curve.getData()[1], track["times"])


@pytest.mark.parametrize("panel_state", [False, True])
def test_the_track_summary_stays_after_the_kymograph_arrives(
    qtbot, window, wait_idle, front_movie, tmp_path, panel_state
):
    project = _project(front_movie, tmp_path / "tracked.itproj", panel_state=panel_state)
    bench, track = _open(qtbot, window, wait_idle, project)
    present = int(np.sum(track["present"]))
    status = bench.status
    assert status.text().startswith(f"Front found in {present} of 10 frames")
    assert "Drift not corrected" in status.text()
    qtbot.waitUntil(lambda: status.height() >= status.heightForWidth(status.width()) > 0)
    assert status.sizeHint().width() <= status.width()


def test_a_projects_track_without_a_drawn_line_can_be_tracked_again_along_its_line(
    qtbot, window, wait_idle, front_movie, tmp_path
):
    project = _project(front_movie, tmp_path / "batch.itproj", panel_state=False)
    bench, _ = _open(qtbot, window, wait_idle, project)
    before = window.state.session.result("front")
    assert bench.line_rc is None
    assert bench.track_button.isEnabled(), bench.track_button.toolTip()
    bench.width_spin.setValue(7)
    qtbot.mouseClick(bench.track_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.state.session.result("front") is not before, timeout=60000)
    after = window.state.session.result("front")
    np.testing.assert_allclose(after.parameters["line_rc"], LINE_RC)
    assert after.parameters["width_px"] == 7
