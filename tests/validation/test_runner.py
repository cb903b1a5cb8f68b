"""The validation runner: table, report with plots, and the exit status from the targets."""

from __future__ import annotations

import numpy as np

import validation.__main__ as runner
from validation.report import FamilyResult, corpus_fingerprints, format_table, write_report
from validation.stats import Measurement


def measurement(scale: float) -> Measurement:
    rng = np.random.default_rng(0)
    errors = rng.normal(0, scale, 200)
    return Measurement(
        "toy",
        f"offset x{scale:g}",
        errors,
        np.full(200, 0.1),
        "px",
        median_max=0.1,
        p95_max=0.3,
        covariates={"dose": rng.uniform(50, 1000, 200)},
    )


def test_table_says_pass_for_met_targets_and_fail_for_missed():
    table = format_table([FamilyResult("toy", (measurement(0.1), measurement(1.0)), 1.0)])
    passed, failed = [line for line in table.splitlines() if line.startswith("toy")]
    assert passed.endswith("PASS")
    assert "FAIL" in failed and "median" in failed and "coverage" in failed
    assert table.splitlines()[-1] == "TARGETS MISSED"


def test_report_has_the_table_and_one_plot_per_measurement(tmp_path):
    out = tmp_path / "docs" / "validation.md"
    corpus = tmp_path / "corpus"
    write_report(
        [FamilyResult("toy", (measurement(0.1),), 1.0, doc="Toy corpus.")],
        out,
        fast=True,
        corpus=corpus,
    )
    text = out.read_text(encoding="utf-8")
    assert "No simulated inputs were cached" in text
    assert "| toy | offset x0.1 | 200 |" in text and "Toy corpus." in text
    assert "![offset x0.1](images/validation/toy_offset_x0_1.png)" in text
    assert (
        tmp_path / "docs" / "images" / "validation" / "toy_offset_x0_1.png"
    ).stat().st_size > 1000


def test_exit_status_follows_the_targets_and_a_broken_family_fails(monkeypatch, tmp_path, capsys):
    results = {
        "good": FamilyResult("good", (measurement(0.1),), 0.0),
        "broken": FamilyResult("broken", (), 0.0, error="Traceback\nImportError: abtem"),
    }
    monkeypatch.setattr(runner, "discover_families", lambda: ["broken", "good"])
    monkeypatch.setattr(runner, "run_family", lambda name, *, fast: results[name])
    assert runner.main(["--families", "good", "--out", str(tmp_path / "v.md")]) == 0
    assert runner.main(["--families", "good,broken"]) == 1
    assert "ImportError: abtem" in capsys.readouterr().out
    assert runner.main(["--families", "nope"]) == 2


def test_helper_modules_are_not_families():
    assert {"stats", "report", "plots"}.isdisjoint(runner.discover_families())
    assert runner.run_family("stats", fast=True) is None


def test_cached_inputs_are_named_with_a_digest_that_follows_their_bytes(tmp_path):
    images = tmp_path / "hrtem_composites_1515"
    images.mkdir()
    (images / "images.npz").write_bytes(b"first")
    (images / "truth.json").write_text("{}")
    before = corpus_fingerprints(tmp_path)
    assert "hrtem_composites_1515 (2 files, " in before
    assert corpus_fingerprints(tmp_path) == before
    (images / "images.npz").write_bytes(b"other")
    assert corpus_fingerprints(tmp_path) != before


def test_subgroup_rows_pick_their_cases_and_skip_empty_groups():
    from validation.stats import SUBGROUP_COVERAGE, subgroup_measurements

    errors, sigmas = np.arange(6.0), np.ones(6)
    dose = np.array([10.0, 20.0, 200.0, 300.0, 400.0, 50.0])
    groups = (("dose", ((0, 100, "low"), (100, 1000, "high"), (1e3, 1e4, "none"))),)
    rows = subgroup_measurements(
        "f", "strain", errors, sigmas, "%", covariates={"dose": dose}, groups=groups
    )
    assert [row.name for row in rows] == ["strain, low", "strain, high"]
    np.testing.assert_array_equal(rows[0].errors, [0.0, 1.0, 5.0])
    assert all(row.coverage_range == SUBGROUP_COVERAGE and row.units == "%" for row in rows)
