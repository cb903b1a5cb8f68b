"""What the reader notices in a file (other signals, missing calibration, NaN pixels) reaches the
user: the status bar says it once the file is open (the CLI prints it as a warning)."""

import numpy as np
import tifffile


def test_an_opened_files_notes_are_shown_in_the_status_bar(qtbot, window, wait_idle, tmp_path):
    image = np.random.default_rng(0).random((64, 64)).astype(np.float32)
    image[10, 10] = np.nan
    path = tmp_path / "holed.tif"
    tifffile.imwrite(path, image)
    window.open_paths([str(path)])
    wait_idle(window)
    message = window.statusBar().currentMessage()
    assert window.state.dataset("movie") is not None
    assert message.startswith("holed.tif: ") and "NaN" in message, message
    assert window.reporter.reports == []
