"""The EELS panel's Shift and Window plots say what applies to an EDS spectrum image when one is
open (X-ray lines have no chemical shift; maps and composition with insitu-tem eds), and go back
to the EELS hints when EELS data replaces it."""

import numpy as np
from PySide6.QtWidgets import QApplication

from insitu_tem.core.model import Axis, Dataset
from tests.gui.test_eels_panel import open_in, panel  # noqa: F401 - fixture


def eds_map(signal_type: str) -> Dataset:
    energy = Axis("E", 512, 20.0, 0.0, "eV")
    counts = np.random.default_rng(0).poisson(20.0, (3, 4, 512)).astype(np.float32)
    axes = (Axis("scan_y", 3, 1.0, 0.0, "nm"), Axis("scan_x", 4, 1.0, 0.0, "nm"), energy)
    return Dataset("spectrum_series", counts, axes, {"signal_type": signal_type})


def hint_texts(panel):  # noqa: F811
    QApplication.processEvents()
    return [(hint.label.toPlainText(), hint.label.isVisible()) for hint in panel.profiles.hints]


def test_an_eds_map_says_what_the_shift_and_window_plots_do_for_x_rays(qtbot, panel):  # noqa: F811
    open_in(panel, eds_map("EDS_TEM"))
    shift, window = hint_texts(panel)
    assert shift == (
        "X-ray lines have no chemical shift here; name them with insitu-tem eds FILE",
        True,
    )
    assert window[0].startswith("X-ray line maps and composition: insitu-tem eds") and window[1]
    open_in(panel, eds_map("EELS"))
    said = [text for text, _ in hint_texts(panel)]
    assert all(text.startswith("No core-loss edge detected in 0–10220 eV") for text in said), said
    assert not any("X-ray" in text for text in said)
