"""A panel whose data closes (a project without it opens) reads as before any data: no range,
number or choice of the closed file stays in its controls until the next file, and the EELS
spectrum marks none of its edges."""

import pytest
from PySide6.QtWidgets import QAbstractButton, QComboBox, QDoubleSpinBox, QLineEdit, QSlider
from PySide6.QtWidgets import QSpinBox

from insitu_tem.core.project import save_session
from insitu_tem.core.session import Session

pytestmark = pytest.mark.slow

CLOSED_ROLES = ("eels", "nbd")


def controls(panel) -> dict:
    """What the user reads in the panel's controls: every box's range and value, every choice,
    every typed text and whether each button can be pressed."""
    read = {
        QSpinBox: lambda w: (w.minimum(), w.maximum(), w.text()),
        QDoubleSpinBox: lambda w: (w.minimum(), w.maximum(), w.text()),
        QSlider: lambda w: (w.minimum(), w.maximum(), w.value()),
        QComboBox: lambda w: (w.count(), w.currentText()),
        QLineEdit: lambda w: (w.text(),),
        QAbstractButton: lambda w: (w.text(), w.isChecked(), w.isEnabled()),
    }
    return {
        (kind.__name__, number, widget.toolTip()): value(widget)
        for kind, value in read.items()
        for number, widget in enumerate(panel.findChildren(kind))
        if not widget.objectName().startswith("Scroll")
    }


def status(panel) -> str:
    return (panel.readout if hasattr(panel, "readout") else panel.status).text()


def test_closing_the_data_resets_every_control(qtbot, window, wait_idle, sample_project, tmp_path):
    qtbot.waitUntil(window.has_workbench, timeout=60000)
    before = {role: controls(window.panels[role]) for role in CLOSED_ROLES}
    said = {role: status(window.panels[role]) for role in CLOSED_ROLES}
    window.open_sample_project()
    wait_idle(window, timeout=180000)
    eels = window.panels["eels"].controls.reference_spin
    assert eels.maximum() == 46 and eels.text() == "reference #46", "the sample's line scan"
    assert window.panels["eels"].plot.markers, "the sample's edges are marked"
    window.project.open(save_session(Session(), tmp_path / "empty.itproj"))
    wait_idle(window)
    for role in CLOSED_ROLES:
        panel = window.panels[role]
        after = controls(panel)
        changed = {key: (before[role][key], after[key]) for key in before[role]}
        assert {k: v for k, v in changed.items() if v[0] != v[1]} == {}, role
        assert status(panel) == said[role], role
    assert window.panels["eels"].plot.markers == [], "no edge of the closed file is marked"
