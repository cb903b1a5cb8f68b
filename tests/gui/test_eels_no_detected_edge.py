"""A spectrum without a core-loss edge opens on none: SrTiO3's low loss (STO_lowloss.msa, −40 to
267 eV) showed W O2,3 selected and tungsten's lines drawn, the first candidate edge taken when
none rises, which reads as the program finding tungsten. It opens on "(no edge)", draws no edge
line, says in the status line that no edge was detected, and the user can still pick one."""

import numpy as np

from insitu_tem.core.model import Axis, Dataset
from insitu_tem.io.load import load
from tests.gui.test_eels_panel import choose_edge, open_in, panel, wait_for_edge  # noqa: F401


def low_loss_image(shape=(4, 5)):
    """A spectrum image of low-loss spectra (zero-loss peak, a plasmon at 16 eV, its tail) from
    −20 to 180 eV: no core-loss edge."""
    energy = Axis("Energy loss", 1000, 0.2, -20.0, "eV")
    e = energy.coordinates()
    model = 1e5 * np.exp(-0.5 * (e / 0.5) ** 2) + 2e4 / (1 + ((e - 16) / 4) ** 2) * (e > 0)
    model += 4e3 * np.clip(e, 5, None) ** -1.5 * (e > 5) + 5
    counts = np.random.default_rng(0).poisson(model, size=(*shape, e.size)).astype(np.float32)
    scan = (Axis("y", shape[0], 2.0, 0.0, "nm"), Axis("x", shape[1], 2.0, 0.0, "nm"))
    return Dataset("spectrum_series", counts, (*scan, energy), source="")


def hints(panel):  # noqa: F811
    """The texts on the empty shift and window plots beside the spectrum (None: data shown)."""
    profiles = panel.profiles
    return [h.label.toPlainText() if h.empty else None for h in profiles.hints]


def opened(qtbot, panel, dataset):  # noqa: F811
    open_in(panel, dataset)
    qtbot.waitUntil(
        lambda: panel.tasks.is_idle() and panel.result_value() is not None, timeout=60000
    )
    return panel.plot.marker_labels() + panel.plot.hidden_labels()


def test_sto_low_loss_opens_on_no_edge_and_says_so(qtbot, panel, realdata):  # noqa: F811
    labels = opened(qtbot, panel, load(realdata("STO_lowloss.msa")))
    assert panel.controls.edge_combo.currentText() == "(no edge)"
    assert labels == [], labels
    assert panel.readout.text().startswith("ZLP"), panel.readout.text()
    assert "No core-loss edge detected in -40–267 eV" in panel.readout.text()
    assert "W-O23" not in panel.readout.text()


def test_the_user_still_picks_an_edge_by_hand(qtbot, panel, realdata):  # noqa: F811
    opened(qtbot, panel, load(realdata("STO_lowloss.msa")))
    choose_edge(panel, "Ti-M23")
    wait_for_edge(qtbot, panel, "Ti-M23")
    assert "Ti M23" in panel.plot.marker_labels() + panel.plot.hidden_labels()
    assert "No core-loss edge detected" not in panel.readout.text()


def test_sto_core_loss_still_opens_on_ti_l23(qtbot, panel, realdata):  # noqa: F811
    labels = opened(qtbot, panel, load(realdata("EELS_STO.dm3")))
    assert panel.controls.edge_combo.currentData() == "Ti-L23"
    assert {"Ti L3", "O K"} <= set(labels), labels
    assert "No core-loss edge detected" not in panel.readout.text()


def test_the_maps_of_a_spectrum_image_opened_on_no_edge_say_why_they_are_empty(
    qtbot,
    panel,  # noqa: F811
):
    opened(qtbot, panel, low_loss_image())
    assert panel.controls.edge_combo.currentText() == "(no edge)"
    said = hints(panel)
    assert said[0].startswith("No core-loss edge detected in -20–180 eV: choose an edge")
    assert "map its chemical shift here" in said[0]
    assert "map its background-subtracted counts here" in said[1]
    assert "line scan" not in " ".join(said)


def test_maps_say_no_edge_is_chosen_once_the_user_chose_none(qtbot, panel):  # noqa: F811
    opened(qtbot, panel, low_loss_image())
    choose_edge(panel, "Li-K")
    wait_for_edge(qtbot, panel, "Li-K")
    assert hints(panel) == [None, None]
    combo = panel.controls.edge_combo
    combo.setCurrentIndex(combo.findText("(no edge)"))
    combo.activated.emit(combo.currentIndex())
    qtbot.waitUntil(lambda: hints(panel)[0] is not None, timeout=30000)
    assert hints(panel)[0].startswith("No edge chosen: choose an edge (Edge, above) to map")


def test_maps_of_an_uncalibrated_spectrum_image_ask_for_the_energy_calibration(
    qtbot,
    panel,  # noqa: F811
):
    image = low_loss_image()
    uncalibrated = Dataset(image.kind, image.array, (*image.axes[:2], Axis("channel", 1000)))
    open_in(panel, uncalibrated)
    assert panel.readout.text().startswith("No energy calibration")
    assert (
        hints(panel) == ["No energy calibration: set one (Edit ▸ Set Calibration) to measure"] * 2
    )
