"""A tilt series with nothing to align on (noise): the Tomography panel names the projections the
alignment declines by their tilt angles, as its projection view shows them, not by the 0-based
indices the command line prints."""

import numpy as np
from PySide6.QtCore import Qt

from tests.cli.test_tomo_bad_input import write_mrc
from tests.cli.test_tomo_noise_declined import NOISE_TILTS, noise


def test_declined_projections_are_named_by_their_tilts(qtbot, tomo_panel, tmp_path):
    path = write_mrc(tmp_path / "noise.mrc", noise(np.random.default_rng(7)), NOISE_TILTS)
    with qtbot.waitSignal(tomo_panel.controller.seriesLoaded, timeout=60000):
        tomo_panel.open_path(path)
    tomo_panel.align_method.setCurrentText("xcorr")
    with qtbot.waitSignal(tomo_panel.controller.aligned, timeout=120000):
        qtbot.mouseClick(tomo_panel.align_button, Qt.MouseButton.LeftButton)
    alignment = tomo_panel.controller.alignment
    unlike = list(alignment.unlike_projections)
    assert not alignment.ok and len(unlike) > 8
    shown = tomo_panel.info.text()
    first = ", ".join(f"{tilt:+.1f}°" for tilt in NOISE_TILTS[unlike[:8]])
    assert f"the projections at {first}, … ({len(unlike)} projections) share no more" in shown
    assert "projections [" not in shown and str(unlike) not in shown
