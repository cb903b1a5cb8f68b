"""A spectrum without a core-loss edge opens on none: SrTiO3's low loss (STO_lowloss.msa, −40 to
267 eV) showed W O2,3 selected and tungsten's lines drawn, the first candidate edge taken when
none rises, which reads as the program finding tungsten. It opens on "(no edge)", draws no edge
line, says in the status line that no edge was detected, and the user can still pick one."""

from insitu_tem.io.load import load
from tests.gui.test_eels_panel import choose_edge, open_in, panel, wait_for_edge  # noqa: F401


def opened(qtbot, panel, dataset):  # noqa: F811
    open_in(panel, dataset)
    qtbot.waitUntil(
        lambda: panel.tasks.is_idle() and panel.result_value() is not None, timeout=60000
    )
    return panel.plot.marker_labels() + panel.plot.hidden_labels()


def test_sto_low_loss_opens_on_no_edge_and_says_so(qtbot, panel, realdata):  # noqa: F811
    labels = opened(qtbot, panel, load(realdata("STO_lowloss.msa")))
    assert panel.edge_combo.currentText() == "(no edge)"
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
    assert panel.edge_combo.currentData() == "Ti-L23"
    assert {"Ti L3", "O K"} <= set(labels), labels
    assert "No core-loss edge detected" not in panel.readout.text()
