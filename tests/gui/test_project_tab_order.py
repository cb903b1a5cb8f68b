"""An opened project shows its panels in tab order: at 1280 × 800 (EELS and NBD tabs below the
movie) the EELS tab is in front whichever file finished loading last."""

import time

import insitu_tem.gui.controllers.opener as opener_module


def test_sample_project_shows_eels_in_front_when_nbd_loads_last(
    qtbot, window, wait_idle, monkeypatch
):
    load = opener_module.load

    def nbd_last(path, **kwargs):
        if "nbd" in str(path):
            time.sleep(2.0)
        return load(path, **kwargs)

    monkeypatch.setattr(opener_module, "load", nbd_last)
    window.open_sample_project()
    wait_idle(window, timeout=120000)
    qtbot.waitUntil(lambda: window.state.dataset("nbd") is not None, timeout=60000)
    qtbot.waitUntil(lambda: not window.panels["eels"].visibleRegion().isEmpty(), timeout=5000)
    assert window.panels["nbd"].visibleRegion().isEmpty()
