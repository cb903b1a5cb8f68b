"""A single NBD pattern's centre and spots and the ring overlays of a probe are session results:
stored with what they were made from, stale when it changes, and drawn by the export."""

import numpy as np
import pytest

from insitu_tem.core.model import Dataset
from insitu_tem.core.session import Session
from insitu_tem.figures.nbd_profile import nbd_profile_views
from insitu_tem.figures.views import pattern_view, render_view
from insitu_tem.io.load import load
from insitu_tem.workflows import nbd, nbd_pattern
from insitu_tem.workflows.jobs import run_job


@pytest.fixture
def scan(sample_data):
    path = sample_data / "nbd_linescan.hspy"
    if not path.exists():
        pytest.skip("sample_data/nbd_linescan.hspy not generated")
    return load(path)


def test_a_single_pattern_is_analysed_once_and_exported_with_its_centre_and_spots(scan):
    session = Session()
    pattern = Dataset("pattern", scan.frame(0), scan.signal_axes)
    session.set_dataset("nbd", pattern)
    value = run_job(session, nbd_pattern.prepare_pattern(session, 0)).value
    assert value["centre_ok"] and len(value["spots_rc"]) >= 4
    parameters = nbd_pattern.pattern_parameters(session, 0)
    assert nbd_pattern.current(session, nbd_pattern.PATTERN, parameters) == value
    shown = pattern_view(session)
    np.testing.assert_array_equal(shown.markers_rc[0][0], value["centre_rc"])
    np.testing.assert_array_equal(shown.curves_rc[0][0], np.asarray(value["spots_rc"])[:, 0])
    session.set_calibration("nbd", scale=0.5, units="1/nm")
    assert nbd_pattern.current(session, nbd_pattern.PATTERN, parameters) is None
    assert pattern_view(session).markers_rc == []


def test_ring_overlays_of_a_probe_follow_the_scan_result(scan):
    session = Session(checksums=False)
    session.set_dataset("nbd", scan)
    nbd.run(session)
    session.set_probe(10)
    rings = run_job(session, nbd_pattern.prepare_rings(session, 10, composition="W + 3 Li2O"))
    value = rings.value
    assert {o["label"] for o in value["overlays"]} >= {"W 0.3 nm", "W 3 nm"}
    assert value["pdf"] is not None and "G(r) maxima" in value["pdf_message"]
    profile, pdf = nbd_profile_views(session)
    fitted = [o for o in value["overlays"] if o["ok"]]
    assert [line[0].split(" (R")[0] for line in profile.lines] == [o["label"] for o in fitted]
    np.testing.assert_array_equal(pdf.curves[0][1], value["pdf"]["G_r"])
    assert pdf.note == value["pdf_message"]
    figure, record = render_view(session, "nbd-profile", dpi=50)
    reference = session.result("nbd").value["reference_index"]
    assert len(figure.axes) == 2 and record["references"] == {"nbd": reference} != {"nbd": None}
    nbd.run(session, reference=3)
    assert session.result(nbd_pattern.RINGS) is None
