"""A difference of two EELS spectra opened in the EELS panel: its power-law background cannot be
fitted where the counts cross zero, and the readout says so (the fit used to overflow in exp, a
RuntimeWarning, when the panel looked for the data's edges on opening)."""

import numpy as np

from insitu_tem.core.model import Axis, Dataset
from tests.gui.test_eels_panel import choose_edge, open_in, panel, wait_for_edge  # noqa: F401


def test_a_difference_spectrum_says_why_its_background_is_not_fitted(qtbot, panel):  # noqa: F811
    energy = Axis("E", 1024, 500.0 / 1023, 300.0, "eV")
    counts = 40.0 * np.sin(energy.coordinates() / 20.0)
    open_in(panel, Dataset("spectrum", counts, (energy,), {"signal_type": "EELS"}))
    qtbot.waitUntil(panel.tasks.is_idle, timeout=30000)
    choose_edge(panel, "Fe-L23")
    wait_for_edge(qtbot, panel, "Fe-L23")
    text = panel.readout.text()
    assert "Fe-L23 not measured: the power law background needs positive counts" in text
    assert "690–693.84 eV" in text
    drawn, _ = panel.plot.background_curve.getData()
    assert drawn is None or len(drawn) == 0
