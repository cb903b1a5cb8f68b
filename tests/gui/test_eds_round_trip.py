"""An EDS spectrum image's project, saved with a region's identification on screen, reopens on
the same region, the same table and the same summary, without identifying again."""

import pytest

from insitu_tem.gui.panels.eels.eds_mode import KEYS

from tests.gui.test_eds_panel import COLS, ROWS, spectrum_image
from tests.gui.test_line_scan_bad_input import write_hspy
from tests.gui.user_actions import reopen, save_with_ctrl_s

pytestmark = pytest.mark.slow


def identified(qtbot, eels):
    qtbot.waitUntil(
        lambda: eels.tasks.is_idle() and eels.eds.result_value() is not None, timeout=120000
    )


def test_a_region_identified_is_saved_and_reopened_as_it_was(
    qtbot, window, wait_idle, tmp_path, monkeypatch, settings, reporter
):
    cube = spectrum_image().array
    nav = [("y", 2.0, "nm", 0.0), ("x", 2.0, "nm", 0.0)]
    path = write_hspy(tmp_path / "si.hspy", cube, nav, [("E", 0.01, "keV", 0.0)], "EDS_TEM")
    window.open_paths([path])
    qtbot.waitUntil(lambda: window.panels["eels"].eds.dataset is not None, timeout=60000)
    eels = window.panels["eels"]
    identified(qtbot, eels)
    view = eels.eds_view
    view.source_combo.setCurrentIndex(view.source_combo.findData("region"))
    view.source_combo.activated.emit(view.source_combo.currentIndex())
    view.place_region([1, ROWS, 0, COLS // 2])
    view.region_drawn.emit(view.box())
    identified(qtbot, eels)
    before = (view.summary.text(), view.rows(), view.box())
    assert "rows 2–6, columns 1–4" in before[0] and "Si" in {row[0] for row in before[1]}

    save_with_ctrl_s(qtbot, window, monkeypatch, tmp_path / "eds.itproj")
    wait_idle(window)
    assert window.close()
    reopened = reopen(qtbot, settings, reporter, tmp_path / "eds.itproj", wait_idle)
    again = reopened.panels["eels"]
    identified(qtbot, again)
    assert again.eds_view.source == "region"
    assert (again.eds_view.summary.text(), again.eds_view.rows(), again.eds_view.box()) == before
    assert again.tasks.eels_child.pid is None, "identified again instead of reopened"
    assert not again.tasks.is_running(KEYS[1]) and reporter.reports == []
    reopened.tasks.wait_for_done(5000)
