"""The sample project after tracking the front: save -> reopen (here and in a fresh process) gives
the same session, every result number and every exported view pixel for pixel."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from insitu_tem.core.project import save_session, session_to_json
from insitu_tem.workflows import across_front
from insitu_tem.workflows.project import open_session

pytestmark = pytest.mark.slow

VIEWS = ("movie", "hrtem", "nbd", "eels", "kymograph", "kinetics", "across", "overview")

FINGERPRINT = """
import hashlib, json, sys
from matplotlib.backends.backend_agg import FigureCanvasAgg
from insitu_tem.figures.views import render_view

def view_hashes(session, views):
    hashes = {}
    for name in views:
        figure, _ = render_view(session, name, dpi=40)
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        hashes[name] = hashlib.sha256(bytes(canvas.buffer_rgba())).hexdigest()
    return hashes
"""


def view_hashes(session) -> dict:
    scope: dict = {}
    exec(FINGERPRINT, scope)
    return scope["view_hashes"](session, VIEWS)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    project = Path(__file__).resolve().parents[2] / "sample_data" / "sample.itproj"
    if not project.exists():
        pytest.skip("sample_data not generated")
    session = open_session(project)
    across_front.run(session)
    session.set_frame(48)
    session.set_probe(19)
    session.set_view("eels.log", True)
    session.set_view("nbd.cmap", "gray")
    path = tmp_path_factory.mktemp("round_trip") / "sample.itproj"
    save_session(session, path)
    return session, path


def test_reopening_gives_every_result_number_back(saved):
    session, path = saved
    again = open_session(path)
    assert not again.dirty and sorted(again.result_names) == sorted(session.result_names) == [
        "across",
        "drift",
        "front",
    ]
    for name in session.result_names:
        assert again.result(name).same_as(session.result(name)), name
        assert again.result_status(name) == "current"
    assert (again.frame, again.probe, again.view("eels.log")) == (48, 19, True)
    assert session_to_json(again, path) == session_to_json(session, path)


def test_a_fresh_process_exports_the_same_pixels(saved):
    session, path = saved
    script = (
        FINGERPRINT
        + f"""
from insitu_tem.core.project import session_to_json
from insitu_tem.workflows.project import open_session
session = open_session({str(path)!r})
json.dump({{"document": session_to_json(session, {str(path)!r}), "views": view_hashes(session, {VIEWS!r})}},
          sys.stdout)
"""
    )
    output = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert output.returncode == 0, output.stderr[-2000:]
    fresh = json.loads(output.stdout)
    assert fresh["document"] == session_to_json(session, path)
    assert fresh["views"] == view_hashes(session)
    assert (
        hashlib.sha256(fresh["document"].encode()).hexdigest()
        == hashlib.sha256(session_to_json(session, path).encode()).hexdigest()
    )
