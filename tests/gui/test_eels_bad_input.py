"""EELS spectra the edge analysis cannot use, opened as a user does, are refused naming the file
and what to do."""

import numpy as np

from tests.gui.test_eels_panel import choose_edge
from tests.gui.test_line_scan_bad_input import write_hspy


def spectra_without_zero_loss(path):
    """Five core-loss spectra from 5 eV: a plasmon-like peak at 20 eV is their highest point
    below 20 eV (taken for the zero-loss peak), no zero-loss peak."""
    energy = 5.0 + 0.5 * np.arange(256)
    counts = (
        1e4 * np.exp(-0.5 * ((energy - 20) / 3) ** 2)
        + 1e3 * np.exp(-0.5 * ((energy - 40) / 8) ** 2)
        + 200.0
    )
    data = np.random.default_rng(1).poisson(np.tile(counts, (5, 1))).astype(np.float32)
    position, loss = [("position", 2.0, "nm", 0.0)], [("E", 0.5, "eV", 5.0)]
    return write_hspy(path, data, position, loss, "EELS")


NO_ZLP_SAYS = (
    "the Fourier-log deconvolution of the W-O23 edge needs a zero-loss peak in every spectrum, "
    "but once aligned there is no zero-loss peak found in 5 of 5 spectra (the peak taken for "
    "it lies near 20 eV and is 7.2 eV wide) — open the line scan's low-loss spectra, with the "
    "zero-loss peak, or analyse without deconvolution (insitu-tem eels --no-deconvolve)"
)


def test_spectra_without_a_zero_loss_peak_are_refused_naming_the_file(
    qtbot, window, wait_idle, tmp_path
):
    window.open_paths([spectra_without_zero_loss(tmp_path / "coreloss.hspy")])
    wait_idle(window)
    panel = window.panels["eels"]
    assert panel.controls.edge_combo.currentData() is None, "no edge rises: it opens on none"
    choose_edge(panel, "W-O23")
    wait_idle(window)
    qtbot.waitUntil(lambda: len(window.reporter.reports) == 1)
    assert window.reporter.reports[0].message == f"EELS: W-O23: coreloss.hspy: {NO_ZLP_SAYS}"
    assert window.state.session.result("eels.W-O23") is None
