"""Reopening, in the window, a project saved before EELS data could open on "(no edge)": its
kept default was the first candidate edge (W O2,3 on a low-loss image, read as tungsten found).
The user sees "(no edge)" with the reason, as on opening the file; an edge they chose stays."""

import json

from insitu_tem.analysis.eels.edge_choice import DEFAULT_EDGE
from tests.workflows.test_eels_default_edge_old_projects import saved  # noqa: F401


def reopened(qtbot, window, wait_idle, path, document):
    path.write_text(json.dumps(document))
    window.open_paths([path])
    panel = window.panels["eels"]
    qtbot.waitUntil(lambda: panel.dataset is not None, timeout=30000)
    wait_idle(window, 60000)
    return panel


def test_an_old_projects_fallback_edge_reopens_as_no_edge(
    qtbot,
    window,
    wait_idle,
    saved,  # noqa: F811
):
    path, document = saved
    kept = document["parameters"][DEFAULT_EDGE]
    document["parameters"][DEFAULT_EDGE] = {"data": kept["data"], "edge": "W-O23"}
    panel = reopened(qtbot, window, wait_idle, path, document)
    assert panel.controls.edge_combo.currentText() == "(no edge)"
    assert "No core-loss edge detected in -20–180 eV" in panel.readout.text()
    assert panel.profiles.hints[0].label.toPlainText().startswith("No core-loss edge detected")
    labels = panel.plot.marker_labels() + panel.plot.hidden_labels()
    assert not [label for label in labels if label.startswith("W ")], labels
    assert window.reporter.reports == []


def test_an_old_projects_chosen_edge_reopens_on_it(qtbot, window, wait_idle, saved):  # noqa: F811
    path, document = saved
    document["parameters"]["eels"] = {"edge": "W-O23"}
    document["parameters"][DEFAULT_EDGE].pop("rule", None)
    panel = reopened(qtbot, window, wait_idle, path, document)
    assert panel.controls.edge_combo.currentData() == "W-O23"
    assert "No core-loss edge detected" not in panel.readout.text()
    assert any(label.startswith("W O") for label in panel.plot.marker_labels())
