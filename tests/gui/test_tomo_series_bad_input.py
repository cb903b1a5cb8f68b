"""Tilt series and channels the Tomography panel cannot use, opened as a user does (File ▸ Open,
Add Channel…): refused on the panel naming the file that is wrong and what to do; a channel
without its own tilt angles is put at the series'."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from tests.cli.test_tomo_bad_input import TILTS, projections, write_mrc


def opened(qtbot, window, wait_idle, paths):
    window.open_paths(paths)
    wait_idle(window)
    panel = window.panels["tomo"]
    qtbot.waitUntil(lambda: not panel.info.text().startswith("Reading"), timeout=10000)
    return panel


def test_a_truncated_stack_is_refused_naming_it(qtbot, window, wait_idle, tmp_path):
    path = write_mrc(tmp_path / "s.mrc", projections())
    path.write_bytes(path.read_bytes()[:20000])
    panel = opened(qtbot, window, wait_idle, [path])
    assert panel.info.text().startswith("Failed: s.mrc: its header says 9 × 32 × 32 values")
    assert panel.controller.series is None and not panel.align_button.isEnabled()
    assert window.reporter.reports == []


def nan_series():
    images = projections()
    images[3, 5:7] = np.nan
    return images


@pytest.mark.parametrize(
    "images, says",
    [
        (
            np.ones((9, 32, 32)),
            "s.mrc: its image at -60° is blank (every pixel 1); remove the blank images and "
            "their tilt angles from the series",
        ),
        (
            nan_series(),
            "s.mrc: its HAADF images hold 64 NaN or infinite values, which alignment and "
            "reconstruction cannot use — replace them (e.g. by 0) and export them again",
        ),
    ],
    ids=["blank", "nan"],
)
def test_a_series_it_cannot_align_is_refused_when_opened(
    qtbot, window, wait_idle, tmp_path, images, says
):
    panel = opened(qtbot, window, wait_idle, [write_mrc(tmp_path / "s.mrc", images)])
    assert panel.info.text() == f"Failed: {says}"
    assert panel.controller.series is None and not panel.align_button.isEnabled()
    assert not panel.reconstruct_button.isEnabled()


def test_a_channel_of_other_tilts_is_refused_naming_the_channel(qtbot, window, wait_idle, tmp_path):
    series = write_mrc(tmp_path / "s.mrc", projections())
    channel = write_mrc(tmp_path / "o.mrc", projections()[:5], TILTS[:5])
    panel = opened(qtbot, window, wait_idle, [series, channel])
    assert panel.info.text() == (
        "Failed: o.mrc: its tilts (5 from -60 to 0°) are not the series' (9 from -60 to 60°); "
        "add a channel of the same tilt series"
    )
    assert window.reporter.reports == []


def test_a_channel_without_tilt_angles_takes_the_series_in_acquisition_order(
    qtbot, window, wait_idle, tmp_path, monkeypatch
):
    order = [4, 5, 3, 6, 2, 7, 1, 8, 0]
    images = projections()[order]
    panel = opened(qtbot, window, wait_idle, [write_mrc(tmp_path / "s.mrc", images, TILTS[order])])
    oxygen = write_mrc(tmp_path / "o.mrc", 0.5 * images, None)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(oxygen), ""))
    qtbot.mouseClick(panel.opener.add_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    channels = list(panel.controller.series.channels.values())
    assert len(channels) == 2 and panel.info.text().startswith("Channels")
    np.testing.assert_allclose(channels[1], 0.5 * channels[0])
