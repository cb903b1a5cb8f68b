"""The NBD ring overlays, ePDF and pattern marks of the probe in view are session results (issue
13): save → reopen draws them from the project without fitting again, and the export draws the
same numbers."""

import re

import numpy as np

from tests.gui.user_actions import curve, reopen, save_with_ctrl_s

PROBE = 19


def on_screen(nbd) -> dict:
    plots = nbd.profile_plots
    return {
        "probe": nbd.current_index(),
        "overlays": [
            (c.name(), curve(c), c.opts["pen"].color().name()) for c in plots.overlay_curves
        ],
        "pdf": curve(plots.pdf_curve),
        "pdf_note": plots.pdf_note.text(),
        "centre": curve(nbd.view.centre_marker),
        "spots": curve(nbd.view.spot_markers),
    }


def test_ring_overlays_come_back_from_the_project_and_are_exported(
    qtbot, window, wait_idle, tmp_path, monkeypatch, settings, reporter
):
    from insitu_tem.figures.nbd_profile import nbd_profile_views
    from insitu_tem.figures.views import pattern_view
    from insitu_tem.workflows import nbd_pattern

    window.open_sample_project()
    wait_idle(window, timeout=120000)
    nbd = window.panels["nbd"]
    qtbot.waitUntil(lambda: nbd.result_value() is not None, timeout=120000)
    with qtbot.waitSignal(nbd.profile_finished, timeout=60000):
        nbd.navigator.slider.setValue(PROBE)
    wait_idle(window, timeout=60000)
    before = on_screen(nbd)
    assert before["probe"] == PROBE and len(before["overlays"]) >= 2 and before["pdf"]
    assert "G(r) maxima" in before["pdf_note"] and before["centre"] and before["spots"]

    profile, pdf = nbd_profile_views(window.session())
    exported = [
        (name, np.stack([x, y]).tolist(), colour) for name, x, y, _, colour in profile.lines
    ]
    assert exported == before["overlays"]
    assert np.stack([pdf.x, pdf.curves[0][1]]).tolist() == before["pdf"]
    assert pdf.note == before["pdf_note"]
    marks = pattern_view(window.session())
    x, y = nbd.view._to_view(np.asarray([marks.markers_rc[0][0]]))
    assert [list(x), list(y)] == before["centre"]
    assert len(marks.curves_rc[0][0]) == len(before["spots"][0])

    project_path = tmp_path / "nbd.itproj"
    save_with_ctrl_s(qtbot, window, monkeypatch, project_path)
    assert window.close() and window.asker.questions == []

    def never(*args, **kwargs):
        raise AssertionError("the stored ring overlays were fitted again")

    monkeypatch.setattr(nbd_pattern, "ring_overlays", never)
    reopened = reopen(qtbot, settings, reporter, project_path, wait_idle, timeout=120000)
    qtbot.waitUntil(lambda: bool(on_screen(reopened.panels["nbd"])["overlays"]), timeout=30000)
    assert on_screen(reopened.panels["nbd"]) == before
    assert reporter.reports == [] and not reopened.project.dirty
    reopened.tasks.wait_for_done(5000)


def test_a_single_patterns_centre_and_spots_come_back_from_the_project(
    qtbot, window, wait_idle, realdata, tmp_path, monkeypatch, settings, reporter
):
    from insitu_tem.workflows import nbd_pattern

    window.open_paths([realdata("bismuth.dm3")])
    nbd = window.panels["nbd"]
    qtbot.waitUntil(lambda: nbd.single() is not None, timeout=60000)
    wait_idle(window)
    before = on_screen(nbd)
    status = nbd.status.text()
    assert before["centre"] and "spots, centre" in status
    assert re.search(r"centre \(141\.\d\d, 99\.\d\d\) ± 0\.\d+ px", status), status

    project_path = tmp_path / "bismuth.itproj"
    save_with_ctrl_s(qtbot, window, monkeypatch, project_path)
    assert window.close() and window.asker.questions == []

    def never(*args, **kwargs):
        raise AssertionError("the stored pattern analysis was made again")

    monkeypatch.setattr(nbd_pattern, "analyse_pattern", never)
    reopened = reopen(qtbot, settings, reporter, project_path, wait_idle, timeout=60000)
    again = reopened.panels["nbd"]
    assert on_screen(again) == before and again.status.text() == status
    assert reporter.reports == [] and not reopened.project.dirty
