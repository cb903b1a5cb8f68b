"""Probe numbers count from 1, as frame numbers do, wherever the GUI shows one: the probe
navigator, the EELS reference box and readout, the NBD map's hover text and strain reference,
the exported figure titles. The session, the project and the CSV/JSON files keep the 0-based
probe index."""

from PySide6.QtCore import Qt

from insitu_tem.figures.eels_view import spectrum_view
from insitu_tem.figures.views import pattern_view
from insitu_tem.samples.nbd_raster import raster_scan
from tests.gui.test_eels_panel import open_in, panel, sample, wait_for_edge  # noqa: F401
from tests.gui.user_actions import open_nbd


def type_into(qtbot, box, text: str) -> None:
    """Select the spin box's text, type ``text`` and press Enter, as a user does."""
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Return)


def test_eels_probes_and_the_reference_are_numbered_from_1(qtbot, panel, sample):  # noqa: F811
    dataset, _ = sample
    assert panel.controls.reference_spin.text() == "reference #1", "no probe 0, even before data"
    open_in(panel, dataset)
    wait_for_edge(qtbot, panel, "W-O23")
    navigator, reference = panel.navigator, panel.controls.reference_spin
    assert navigator.index == 0 and navigator.spin.value() == 1
    assert "from 1" in navigator.spin.toolTip()
    assert (reference.minimum(), reference.maximum(), reference.value()) == (1, 46, 46)
    assert "vs probe 46" in panel.readout.text()
    type_into(qtbot, navigator.spin, "5")
    assert panel.state.scan_index == 4
    assert spectrum_view(panel.state.session).title == "EELS, probe 5"
    type_into(qtbot, reference, "10")
    assert panel.params["reference"] == 9
    wait_for_edge(qtbot, panel, "W-O23")
    qtbot.waitUntil(lambda: "vs probe 10" in panel.readout.text(), timeout=30000)
    assert panel.result_value()["reference_index"] == 9
    qtbot.mouseClick(panel.controls.use_current_button, Qt.MouseButton.LeftButton)
    assert reference.value() == 5 and panel.params["reference"] == 4


def test_nbd_probes_rows_and_columns_are_numbered_from_1(qtbot, nbd_panel):
    open_nbd(qtbot, nbd_panel, raster_scan())
    navigator = nbd_panel.navigator
    assert navigator.spin.minimum() == 1 and navigator.spin.maximum() == 20
    type_into(qtbot, navigator.spin, "14")
    assert nbd_panel.state.scan_index == 13
    assert nbd_panel.map_tab.map.readout(13).startswith("probe 14 (row 3, col 4) at x = 30 nm")
    assert pattern_view(nbd_panel.state.session).title.startswith("NBD, probe 14 (row 3, col 4 ")
    qtbot.mouseClick(nbd_panel.controls.reference_button, Qt.MouseButton.LeftButton)
    assert nbd_panel.undo_stack.undoText() == "NBD strain reference: pattern 14"
    qtbot.waitUntil(
        lambda: "Strain reference: pattern 14;" in nbd_panel.status.text(), timeout=120000
    )
    assert nbd_panel.analysis.result().value["reference_index"] == 13
