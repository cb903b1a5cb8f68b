"""The EELS spectrum marks the edges of the elements that matter, not every tabled edge in its
range: a low-loss spectrum of Al shows no W N7 / N6 / O3; the user adds an element in the
Elements box (undoable, kept in the project); the sample line scan, whose file names Li, O and
W, keeps its W and Li markers (and loses the Cu M2,3 of an element it does not hold)."""

import pytest
from PySide6.QtCore import Qt

from insitu_tem.core.project import load_session, save_session
from insitu_tem.figures.eels_markers import parse_elements
from insitu_tem.io.load import load
from tests.gui.test_eels_panel import open_in, panel, sample  # noqa: F401 - fixtures


def _labels(panel) -> set[str]:  # noqa: F811
    return {marker.label.toPlainText() for marker in panel.plot.markers}


def _type(qtbot, box, text: str) -> None:
    box.selectAll()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Return)


def test_al_low_loss_marks_no_tungsten_until_the_user_adds_it(
    qtbot,
    panel,  # noqa: F811
    realdata,
    tmp_path,
):
    open_in(panel, load(realdata("AL-DFoffset0.00.dm3")))
    assert _labels(panel) == set() and panel.controls.elements_edit.text() == ""
    with pytest.raises(ValueError):  # the grey text of the empty box names no element
        parse_elements(panel.controls.elements_edit.placeholderText())
    _type(qtbot, panel.controls.elements_edit, "w")
    assert _labels(panel) == {"W N7", "W N6", "W O3"}
    assert panel.state.view("eels.elements") == ["W"] and panel.controls.elements_edit.text() == "W"
    project = save_session(panel.state.session, tmp_path / "al.itproj")
    assert load_session(project).view("eels.elements") == ["W"]
    panel.undo_stack.undo()
    assert _labels(panel) == set() and panel.controls.elements_edit.text() == ""
    panel.undo_stack.redo()
    assert _labels(panel) == {"W N7", "W N6", "W O3"}


def test_a_word_that_is_no_element_is_refused_and_said_why(qtbot, panel, realdata):  # noqa: F811
    open_in(panel, load(realdata("AL-DFoffset0.00.dm3")))
    _type(qtbot, panel.controls.elements_edit, "Hello")
    assert "'Hello' is not an element symbol" in panel.readout.text()
    assert panel.controls.elements_edit.text() == "" and panel.undo_stack.count() == 0
    _type(qtbot, panel.controls.elements_edit, "LixWO3")
    assert panel.state.view("eels.elements") == ["Li", "W", "O"]


def test_the_sample_scan_keeps_its_w_and_li_markers(panel, sample):  # noqa: F811
    dataset, _ = sample
    open_in(panel, dataset)
    assert panel.controls.elements_edit.elements == ["Li", "O", "W"]
    labels = _labels(panel)
    assert {"W N7", "W N6", "W O3", "W O2", "W O1", "Li K"} == labels
