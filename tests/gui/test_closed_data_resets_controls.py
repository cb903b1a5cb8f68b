"""A panel whose data closes (a project without it opens) reads as before any data: no range,
number or choice of the closed file stays in its controls until the next file, no view shows its
image, and the EELS spectrum marks none of its edges."""

import pytest
from PySide6.QtWidgets import QAbstractButton, QComboBox, QDoubleSpinBox, QLineEdit, QSlider
from PySide6.QtWidgets import QSpinBox

from insitu_tem.core.project import save_session
from insitu_tem.core.session import Session

pytestmark = pytest.mark.slow

CLOSED_ROLES = ("eels", "nbd", "movie", "hrtem")


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


def said(window) -> dict:
    """What each panel says in words: its status or readout, the movie's time, the lattice."""
    movie, fft = window.panels["movie"], window.panels["hrtem"]
    return {
        "eels": window.panels["eels"].readout.text(),
        "nbd": window.panels["nbd"].status.text(),
        "movie": (movie.front.status.text(), movie.time_label.text()),
        "hrtem": (fft.lattice_label.text(), fft.readout.text(), fft.warning_label.text()),
    }


def titles(window) -> list[str]:
    """The EELS profile plots' titles as shown ("" where hidden)."""
    profiles = window.panels["eels"].profiles
    plots = (profiles.shift_plot, profiles.window_plot, profiles.fraction_plot)
    labels = [plot.getPlotItem().titleLabel for plot in plots]
    return [label.text if label.isVisible() else "" for label in labels]


def images(window) -> dict:
    """Which of the panels' image views shows an image."""
    fft = window.panels["hrtem"]
    views = {
        "movie": window.panels["movie"].view,
        "nbd": window.panels["nbd"].view,
        "fft image": fft.image_view,
        "fft": fft.fft_view,
        "fft filtered": fft.filtered_view,
    }
    return {name: view.frame is not None for name, view in views.items()}


def test_closing_the_data_resets_every_control(qtbot, window, wait_idle, sample_project, tmp_path):
    qtbot.waitUntil(window.has_workbench, timeout=60000)
    played = window.panels["movie"].processing
    assert (played.first.value(), played.last.value()) == (1, 1), "frames count from 1"
    before = {role: controls(window.panels[role]) for role in CLOSED_ROLES}
    shown = images(window)
    words, named = said(window), titles(window)
    window.open_sample_project()
    wait_idle(window, timeout=180000)
    eels = window.panels["eels"].controls.reference_spin
    assert eels.maximum() == 46 and eels.text() == "reference #46", "the sample's line scan"
    assert window.panels["eels"].plot.markers, "the sample's edges are marked"
    assert "W-O23 chemical shift" in titles(window), "the sample's profiles are titled"
    assert images(window)["movie"] and images(window)["nbd"], "the sample's movie and pattern"
    scan_markers = window.panels["nbd"].scan_plots.markers
    assert all(marker.isVisible() for marker in scan_markers), "the probe marked on the scan"
    window.project.open(save_session(Session(), tmp_path / "empty.itproj"))
    wait_idle(window)
    assert images(window) == shown, "no image of the closed files is shown"
    assert not any(marker.isVisible() for marker in scan_markers), "no scan, no probe marked"
    assert said(window) == words
    assert titles(window) == named, "no profile is titled with the closed file's edge"
    for role in CLOSED_ROLES:
        after = controls(window.panels[role])
        changed = {key: (before[role][key], after[key]) for key in before[role]}
        assert {k: v for k, v in changed.items() if v[0] != v[1]} == {}, role
    assert window.panels["eels"].plot.markers == [], "no edge of the closed file is marked"
