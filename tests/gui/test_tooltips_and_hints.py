"""Tooltips and status hints as a user meets them: every spin box and button of the panels says
what it sets (with units); hovering one repeats that in the status bar; choosing a tool says in
the status bar what it waits for."""

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QEnterEvent
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QCheckBox, QComboBox, QPushButton
from tests.gui.user_actions import float_movie_panel

ROLES = ("movie", "hrtem", "nbd", "eels", "across", "tomo")


def hover(widget) -> None:
    """The mouse enters ``widget`` (what Qt sends when the pointer moves onto it)."""
    centre = QPointF(widget.rect().center())
    event = QEnterEvent(centre, centre, QPointF(widget.mapToGlobal(centre)))
    QApplication.sendEvent(widget, event)


def test_every_spin_box_and_button_says_what_it_sets(window):
    missing = [
        (role, type(widget).__name__, getattr(widget, "text", lambda: "")())
        for role in ROLES
        for kind in (QAbstractSpinBox, QPushButton, QCheckBox, QComboBox)
        for widget in window.panels[role].findChildren(kind)
        if not widget.toolTip()
    ]
    assert missing == []
    known_d = window.panels["nbd"].controls.known_d
    assert (
        "Å" in known_d.toolTip() and "pixels" in window.panels["movie"].front.width_spin.toolTip()
    )
    tomo = window.panels["tomo"]
    assert "degrees" in tomo.rendering.angle.toolTip() and "mlem" in tomo.method.toolTip()


def test_hovering_a_control_explains_it_in_the_status_bar(qtbot, window):
    window.docks["nbd"].raise_()
    known_d = window.panels["nbd"].controls.known_d
    hover(known_d)
    assert window.statusBar().currentMessage() == known_d.toolTip()
    assert "Known spacing of the strongest ring, Å" in window.statusBar().currentMessage()
    window.docks["tomo"].raise_()
    iterations = window.panels["tomo"].iterations
    hover(iterations)
    assert window.statusBar().currentMessage().startswith("Iterations of SIRT/MLEM")


def test_choosing_a_tool_says_what_it_waits_for(qtbot, window, wait_idle, movie_file, movie_user):
    window.open_paths([movie_file])
    wait_idle(window)
    panel = float_movie_panel(qtbot, window, (1200, 700))
    line_button = panel.front.tool_buttons.buttons()[1]
    qtbot.mouseClick(line_button, Qt.MouseButton.LeftButton)
    assert window.statusBar().currentMessage().startswith("Line: click the start")
    movie_user.click(panel, 5, 5)
    assert window.statusBar().currentMessage().startswith("Line: click the end")
    panel.side_tabs.setCurrentWidget(panel.measure)
    qtbot.mouseClick(panel.measure.buttons["Region"], Qt.MouseButton.LeftButton)
    assert window.statusBar().currentMessage().startswith("Region: drag the box")
