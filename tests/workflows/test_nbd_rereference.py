"""The NBD scan referred to another strain reference from the spots it kept gives the numbers of a
new analysis with that reference; across-the-front uses it instead of analysing the scan again."""

from dataclasses import replace

import numpy as np
import pytest

from insitu_tem.core.model import Axis, Dataset
from insitu_tem.core.results import Result, plain
from insitu_tem.core.session import Session
from insitu_tem.io.load import load
from insitu_tem.workflows import across_front, nbd
from insitu_tem.workflows.jobs import Steps

SAMPLE = "nbd_linescan.hspy"
PATTERNS = slice(17, 46, 4)
"""Eight patterns of the sample scan, from strained (lithiated) to the pristine last one."""


@pytest.fixture
def scan(sample_data) -> Dataset:
    full = load(sample_data / SAMPLE)
    array = np.asarray(full.array)[PATTERNS]
    position = replace(full.axes[0], size=len(array), scale=4 * full.axes[0].scale)
    return Dataset(full.kind, array, (position,) + full.axes[1:])


def assert_same(got, expected, key: str = "") -> None:
    """Plain values equal, numbers to 1e-9 (relative) with NaN equal to NaN."""
    if isinstance(expected, dict):
        assert got.keys() == expected.keys(), key
        for name in expected:
            assert_same(got[name], expected[name], f"{key}.{name}")
    elif isinstance(expected, list) and any(isinstance(v, (dict, str, list)) for v in expected):
        assert len(got) == len(expected), key
        for i, (a, b) in enumerate(zip(got, expected)):
            assert_same(a, b, f"{key}[{i}]")
    elif isinstance(expected, str) or expected is None:
        assert got == expected, key
    else:
        np.testing.assert_allclose(
            np.asarray(got, float), np.asarray(expected, float), rtol=1e-9, atol=1e-12, err_msg=key
        )


def analysed(scan: Dataset, reference) -> dict:
    return plain(nbd.analyse(scan, {**nbd.DEFAULTS, "reference": reference}, Steps(None, None)))


def test_referring_the_scan_again_gives_the_numbers_of_a_new_analysis(scan):
    first = analysed(scan, None)
    last = len(scan.array) - 1
    assert first["reference_index"] != last and nbd.can_rereference(first)
    again = nbd.rereferenced(first, last, patterns=nbd.scan_patterns(scan))
    fresh = analysed(scan, last)
    assert_same(plain(again), fresh)
    strain = np.asarray(fresh["lattice_strain"], float)
    assert abs(strain[last]) < 1e-12 and np.nanmax(np.abs(strain - first["lattice_strain"])) > 1e-3
    assert nbd.rereferenced(fresh, last, patterns=nbd.scan_patterns(scan)) is fresh


def probe_session(scan: Dataset) -> Session:
    """A 2 nm/px movie with the NBD scan line across it and a front the user tracked, still at
    col 24 when the scan was recorded: the last probe is the farthest ahead (pristine)."""
    n = len(scan.array)
    movie = Dataset(
        "movie",
        np.ones((4, 48, 48), np.float32),
        (Axis("t", 4, 1.0, 0.0, "s"), Axis("y", 48, 2.0, 0.0, "nm"), Axis("x", 48, 2.0, 0.0, "nm")),
    )
    session = Session()
    session.set_dataset("movie", movie)
    session.set_dataset("nbd", scan)
    session.set_scan_line(
        "nbd", {"start_rc": [24.0, 4.0], "end_rc": [24.0, 44.0], "n_positions": n, "time_s": 2.0}
    )
    session.set_analysis_line([(10.0, 2.0), (10.0, 46.0)])
    session.store_result(
        "front",
        Result(
            {"times": np.arange(4.0), "position_along_px": np.full(4, 22.0)},
            {"line_rc": session.analysis_line},
            session.fingerprints(["movie", "analysis_line"]),
        ),
    )
    return session


def test_across_refers_the_panels_scan_to_the_pristine_probe_without_analysing_it(
    scan, monkeypatch
):
    session = probe_session(scan)
    alone = across_front.run(session).value
    assert alone["reused"] == [] and alone["reference_index"] == len(scan.array) - 1
    nbd.run(session)
    assert session.result("nbd").value["reference_index"] != alone["reference_index"]
    calls = []
    monkeypatch.setattr(nbd, "analyse", lambda *a, **k: calls.append(a))
    value = across_front.run(session).value
    assert calls == [] and value["reused"] == ["nbd"]
    assert_same(plain(value["columns"]), plain(alone["columns"]))


def test_another_reference_in_the_nbd_panel_refers_the_held_scan_again(scan, monkeypatch):
    session = Session()
    session.set_dataset("nbd", scan)
    first = nbd.run(session).value
    last = len(scan.array) - 1
    fresh = analysed(scan, last)
    monkeypatch.setattr(nbd, "analyse", lambda *a, **k: pytest.fail("the scan was analysed again"))
    assert_same(nbd.run(session, reference=last).value, fresh)
    assert_same(nbd.run(session, reference=None).value, first)
    session.set_parameters(nbd.NAME, {**session.parameters(nbd.NAME), "components": 4})
    with pytest.raises(pytest.fail.Exception):
        nbd.run(session, reference=last)
