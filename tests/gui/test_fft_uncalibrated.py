"""An HRTEM image without a pixel size, opened as a user does: the FFT panel quotes every length
in px, never in Å computed as if a pixel were a nanometre."""

import re

import numpy as np
import tifffile


def ring_image(path, *, period_px=4.0, size=128):
    """An uncalibrated image of amorphous-like speckle whose spectrum is a ring at ``period_px``."""
    rng = np.random.default_rng(0)
    k = np.fft.fftfreq(size)
    kr = np.hypot(*np.meshgrid(k, k, indexing="ij"))
    band = np.exp(-0.5 * ((kr - 1 / period_px) / 0.02) ** 2)
    field = np.fft.ifft2(np.fft.fft2(rng.normal(size=(size, size))) * band).real
    counts = rng.poisson(np.clip(200 + 50 * field / field.std(), 0, None))
    tifffile.imwrite(path, counts.astype(np.float32))
    return path


def test_an_uncalibrated_ring_is_quoted_in_px(qtbot, window, wait_idle, tmp_path):
    window.open_paths([ring_image(tmp_path / "speckle.tif")])
    wait_idle(window)
    text = window.panels["hrtem"].warning_label.text()
    assert re.search(r"broad ring at d = [34]\.\d+ ± 0\.\d+ px \(FWHM 0\.0\d 1/px\)", text), text
    assert "Å" not in text and "1/nm" not in text
    window_box = window.panels["hrtem"].controls.window_nm
    assert window_box.text() == "16 px" and window_box.toolTip().endswith(", px")
    table = window.panels["hrtem"].table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    shown = [h for c, h in enumerate(headers) if not table.isColumnHidden(c)]
    assert shown[:3] == ["d (px)", "g (1/px)", "angle (°)"] and "" not in shown, shown
