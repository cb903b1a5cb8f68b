"""The EELS panel marks the edges the spectrum shows without the user typing their element:
EELS_STO.dm3's core loss opens on Ti L2,3 with O K marked too; a generated spectrum whose file
names no element opens on its stronger N K edge with its weaker O K edge marked."""

import numpy as np
from scipy.special import erf

from insitu_tem.core.model import Axis, Dataset
from insitu_tem.io.load import load
from tests.gui.test_eels_panel import open_in, panel  # noqa: F401 - fixture


def _edge(x, onset_ev, height):
    return 0.5 * (1 + erf((x - onset_ev) / 1.0)) * height * (x / onset_ev) ** -2.5


def n_and_o_spectrum() -> Dataset:
    """350–750 eV at 0.5 eV: a power-law background, a strong N K edge at 401 eV and a weaker
    O K edge at 532 eV (each rising over 1 eV), Poisson counts."""
    energy = Axis("E", 800, 0.5, 350.0, "eV")
    x = energy.coordinates()
    mean = 2e5 * (x / 350.0) ** -3.5 + _edge(x, 401.0, 3e4) + _edge(x, 532.0, 4e3)
    counts = np.random.default_rng(3).poisson(mean).astype(float)
    return Dataset("spectrum", counts, (energy,), {"signal_type": "EELS"})


def marked_once_found(qtbot, panel):  # noqa: F811
    qtbot.waitUntil(lambda: panel.tasks.is_idle(), timeout=60000)
    return panel.plot.marker_labels() + panel.plot.hidden_labels()


def test_a_weaker_detected_edge_is_marked_untyped(qtbot, panel):  # noqa: F811
    open_in(panel, n_and_o_spectrum())
    labels = marked_once_found(qtbot, panel)
    assert panel.controls.edge_combo.currentData() == "N-K"
    assert {"N K", "O K"} <= set(labels), labels
    assert panel.controls.elements_edit.text() == ""


def test_sto_core_loss_marks_o_k_and_ti_l23(qtbot, panel, realdata):  # noqa: F811
    open_in(panel, load(realdata("EELS_STO.dm3")))
    labels = marked_once_found(qtbot, panel)
    assert {"O K", "Ti L3", "Ti L2"} <= set(labels), labels
    assert panel.controls.edge_combo.currentData() == "Ti-L23"
    assert panel.controls.elements_edit.text() == ""


def test_edges_found_after_their_panel_is_gone_are_dropped(qtbot, reporter):
    """A detection that finishes after its owner was deleted (the window closed while it ran)
    is dropped without an exception in the event loop."""
    import shiboken6

    from insitu_tem.gui.panels.eels.detected_edges import DetectedEdges
    from insitu_tem.gui.tasks import TaskRunner

    tasks = TaskRunner(reporter)
    edges = DetectedEdges(tasks)
    edges.request(n_and_o_spectrum(), "n-and-o")
    shiboken6.delete(edges)
    qtbot.waitUntil(tasks.is_idle, timeout=60000)
