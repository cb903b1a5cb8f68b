"""SrTiO3 core loss opens in the EELS panel on Ti L2,3, the edge it shows, in the edge box, the
markers and the readout (N K, the table's first edge in its range, is absent)."""

from insitu_tem.io.load import load
from tests.gui.test_eels_panel import open_in, panel, wait_for_edge  # noqa: F401 - fixture


def test_srtio3_core_loss_opens_on_ti_l23(qtbot, panel, realdata):  # noqa: F811
    open_in(panel, load(realdata("EELS_STO.dm3")))
    assert panel.controls.edge_combo.currentData() == "Ti-L23"
    wait_for_edge(qtbot, panel, "Ti-L23")
    assert panel.readout.text().startswith("no ZLP · Ti-L23 "), panel.readout.text()
    highlighted = [m.label.toPlainText() for m in panel.plot.markers if m.pen.color().red() > 250]
    assert highlighted == ["Ti L3", "Ti L2"]
