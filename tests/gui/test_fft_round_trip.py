"""The FFT panel draws the session's stored "fft" result when a project is reopened (issue 13):
the same spots, table, lattice line, warnings and "lattice also indexes as" line, without
measuring the region or searching the phases again."""

import pytest

from tests.gui.user_actions import reopen, save_with_ctrl_s


def on_screen(fft) -> dict:
    return {
        "roi": fft.roi_bounds(),
        "frame": fft.navigator.index,
        "table": [fft.table.column_texts(column) for column in range(fft.table.columnCount())],
        "lattice": fft.lattice_label.text(),
        "warning": fft.warning_label.text(),
        "labels": [label.toPlainText() for label in fft.spots_overlay.labels],
        "candidates": fft.candidates_label.text(),
    }


def test_reopening_draws_the_stored_lattice_without_measuring_it_again(
    qtbot, window, wait_idle, tmp_path, monkeypatch, settings, reporter
):
    window.open_sample_project()
    wait_idle(window, timeout=120000)
    fft = window.panels["hrtem"]
    with qtbot.waitSignal(fft.measurement_shown, timeout=60000):
        window.project.set_calibration("hrtem", scale=0.05 * 0.85, units="nm")
    wait_idle(window, timeout=60000)
    with qtbot.waitSignal(fft.measurement_shown, timeout=60000):
        fft.navigator.slider.setValue(2)
    wait_idle(window, timeout=60000)
    before = on_screen(fft)
    assert before["table"][0] and "lattice" in before["lattice"] and before["frame"] == 2
    assert window.state.session.result("fft").value["frame"] == 2
    assert before["candidates"].startswith("lattice also indexes as")
    assert window.state.session.result("fft").value["candidates"]

    project_path = tmp_path / "fft.itproj"
    save_with_ctrl_s(qtbot, window, monkeypatch, project_path)
    assert window.close() and window.asker.questions == []

    monkeypatch.setattr(
        "insitu_tem.gui.panels.fft.controller.scaled_candidates",
        lambda *a, **k: pytest.fail("the phases were searched again on reopen"),
    )
    reopened = reopen(qtbot, settings, reporter, project_path, wait_idle, timeout=120000)
    again = reopened.panels["hrtem"]
    qtbot.waitUntil(
        lambda: again.jobs.shown is not None and on_screen(again) == before, timeout=30000
    )
    assert again.jobs.shown.value == window.state.session.result("fft").value
    assert again.jobs.region.roi_px == before["roi"] and again.jobs.measurement is None
    assert reporter.reports == [] and not reopened.project.dirty
    reopened.tasks.wait_for_done(5000)
