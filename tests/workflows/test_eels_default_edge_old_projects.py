"""A project saved before EELS data could open on "(no edge)" kept the first candidate edge as
the data's default when none was detected — an edge the user never chose. Reopened, such a
default is found again (none detected: no edge); an edge the user chose stays theirs."""

import json

import numpy as np
import pytest

from insitu_tem.analysis.eels.edge_choice import DEFAULT_EDGE
from insitu_tem.core.project import save_session
from insitu_tem.core.session import Session
from insitu_tem.io.load import load
from insitu_tem.workflows import eels
from insitu_tem.workflows.project import open_session
from tests.gui.test_line_scan_bad_input import write_hspy


def low_loss_file(path):
    """A 4 × 5 spectrum image of low-loss spectra from −20 to 180 eV: no core-loss edge."""
    e = np.arange(1000) * 0.2 - 20.0
    model = 1e5 * np.exp(-0.5 * (e / 0.5) ** 2) + 2e4 / (1 + ((e - 16) / 4) ** 2) * (e > 0)
    model += 4e3 * np.clip(e, 5, None) ** -1.5 * (e > 5) + 5
    data = np.random.default_rng(0).poisson(model, size=(4, 5, e.size)).astype(np.float32)
    scan = [("y", 2.0, "nm", 0.0), ("x", 2.0, "nm", 0.0)]
    return write_hspy(path, data, scan, [("Energy loss", 0.2, "eV", -20.0)], "EELS")


@pytest.fixture
def saved(tmp_path):
    """A project of the low-loss image saved today, and its document (a dict to edit)."""
    session = Session()
    session.set_dataset("eels", load(low_loss_file(tmp_path / "ll.hspy")))
    assert eels.session_parameters(session)["edge"] is None
    path = save_session(session, tmp_path / "ll.itproj")
    return path, json.loads(path.read_text())


def rewritten(path, document):
    path.write_text(json.dumps(document))
    return open_session(path)


def test_a_fallback_default_kept_by_an_old_project_is_found_again(saved):
    path, document = saved
    kept = document["parameters"][DEFAULT_EDGE]
    assert kept["edge"] is None
    document["parameters"][DEFAULT_EDGE] = {"data": kept["data"], "edge": "W-O23"}
    reopened = rewritten(path, document)
    assert eels.session_parameters(reopened)["edge"] is None
    assert reopened.parameters(DEFAULT_EDGE) == kept and not reopened.dirty


def test_an_edge_the_user_chose_reopens_as_saved(saved):
    path, document = saved
    document["parameters"]["eels"] = {"edge": "W-O23"}
    document["parameters"][DEFAULT_EDGE].pop("rule", None)
    assert eels.session_parameters(rewritten(path, document))["edge"] == "W-O23"
