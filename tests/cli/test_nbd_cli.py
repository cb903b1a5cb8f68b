"""`insitu-tem radial`, `diffraction` and `nbd`: the JSON documents of issue 5, on the sample and
real files."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from insitu_tem.cli.main import main

BIN = Path(sys.executable).parent / "insitu-tem"


@pytest.fixture
def sample_nbd(sample_data):
    path = sample_data / "nbd_linescan.hspy"
    if not path.exists():
        pytest.skip("sample_data/nbd_linescan.hspy not generated")
    return path, json.loads((sample_data / "nbd_linescan.truth.json").read_text())


def run(capsys, *args):
    code = main([*map(str, args), "--json"])
    captured = capsys.readouterr()
    return code, (json.loads(captured.out) if code == 0 else None), captured.err


def test_radial_on_the_sample_series(capsys, sample_nbd):
    path, truth = sample_nbd
    code, doc, err = run(capsys, "radial", path, "--bins", 64)
    assert code == 0, err
    assert set(doc) == {"r_px", "centre_px", "centre_sigma_px", "q_per_A", "profiles"}
    assert len(doc["r_px"]) == len(doc["q_per_A"]) == 64
    assert np.array(doc["profiles"]).shape == (46, 64)
    np.testing.assert_allclose(doc["q_per_A"], np.array(doc["r_px"]) * 0.0125)
    assert doc["centre_px"] == pytest.approx(np.mean(truth["centre_rc"], axis=0), abs=0.3)


def test_radial_with_given_centre_on_uncalibrated_bismuth(capsys, realdata):
    code, doc, err = run(capsys, "radial", realdata("bismuth.dm3"), "--centre", "141.7,99.3")
    assert code == 0, err
    assert "q_per_A" not in doc
    profile = np.array(doc["profiles"][0])
    r = np.array(doc["r_px"])
    ring = (r > 30) & (r < 50)
    assert r[ring][np.argmax(profile[ring])] == pytest.approx(39, abs=1.5)


def test_radial_finds_the_bismuth_centre_behind_the_beam_stop_with_its_sigma(capsys, realdata):
    code, doc, err = run(capsys, "radial", realdata("bismuth.dm3"))
    assert code == 0, err
    assert 0.02 < doc["centre_sigma_px"] < 0.5
    assert doc["centre_px"] == pytest.approx((141.7, 99.3), abs=3 * doc["centre_sigma_px"])


def test_radial_given_centre_has_no_sigma(capsys, sample_nbd):
    code, doc, err = run(capsys, "radial", sample_nbd[0], "--centre", "64,64")
    assert code == 0, err
    assert doc["centre_px"] == [64, 64] and doc["centre_sigma_px"] is None


def test_radial_bad_centre_is_one_line_with_advice(capsys, sample_nbd):
    code, _, err = run(capsys, "radial", sample_nbd[0], "--centre", "middle")
    assert code == 2 and "ROW,COL" in err and err.count("\n") == 1


def test_diffraction_on_a_pristine_pattern_indexes_wo3(capsys, sample_nbd):
    path, truth = sample_nbd
    code, doc, err = run(capsys, "diffraction", path, "--index", 45, "--phase", "γ-WO3")
    assert code == 0, err
    assert set(doc) == {"centre_px", "centre_sigma_px", "calibration", "spots", "rings", "profile"}
    assert doc["centre_px"] == pytest.approx(truth["centre_rc"][45], abs=0.1)
    centre_error = np.hypot(*(np.array(doc["centre_px"]) - truth["centre_rc"][45]))
    assert 0 < doc["centre_sigma_px"] < 0.1 and centre_error < 4 * doc["centre_sigma_px"] + 0.05
    spots = doc["spots"]
    assert 10 <= len(spots) <= 30
    assert [s["intensity"] for s in spots] == sorted((s["intensity"] for s in spots), reverse=True)
    assert all(0 <= s["angle_deg"] < 180 for s in spots)
    strongest = {tuple(s["hkl"]) for s in spots[:2]}
    assert strongest <= {(2, 0, 0), (0, 0, 2), (-2, 0, 0), (0, 0, -2)}
    for s in spots:
        assert s["d_A"] == pytest.approx(1 / s["g_per_A"])
    assert set(doc["profile"]) == {"q_per_A", "intensity"}


def test_diffraction_on_a_coarsened_w_pattern_finds_sharp_w_rings(capsys, sample_nbd):
    code, doc, err = run(capsys, "diffraction", sample_nbd[0], "--index", 0)
    assert code == 0, err
    d = np.array([r["d_A"] for r in doc["rings"]])
    sigma = np.array([r["d_sigma_A"] for r in doc["rings"]])
    for expected in (2.238, 1.583, 1.292):
        nearest = np.argmin(abs(d - expected))
        assert abs(d[nearest] - expected) < 0.02 and 0 < sigma[nearest] < 0.02
    assert all(r["fwhm_per_A"] < 0.06 for r in doc["rings"])


def test_diffraction_needs_a_calibration_or_a_known_ring(capsys, realdata):
    code, _, err = run(capsys, "diffraction", realdata("bismuth.dm3"))
    assert code == 2 and "--known-ring" in err
    code, doc, err = run(capsys, "diffraction", realdata("bismuth.dm3"), "--known-ring", 3.28)
    assert code == 0, err
    assert doc["centre_px"] == pytest.approx([142, 99], abs=1.5)
    d = np.array([r["d_A"] for r in doc["rings"]])
    assert np.min(np.abs(d - 3.28)) < 0.03


def test_nbd_on_the_sample_scan(capsys, sample_nbd):
    path, truth = sample_nbd
    code, doc, err = run(capsys, "nbd", path, "--reference", 45)
    assert code == 0, err
    assert {
        "position",
        "units",
        "centre_px",
        "lattice_strain",
        "crystalline",
        "phase_fractions",
    } <= set(doc)
    assert doc["units"] == "nm" and doc["position"][1] == pytest.approx(8.0)
    np.testing.assert_allclose(doc["centre_px"], truth["centre_rc"], atol=0.05)
    assert doc["centre_ok"] is True and doc["centre_reason"] == ""
    centre_sigma = np.array(doc["centre_sigma_px"])
    assert centre_sigma.shape == (46, 2) and np.all((centre_sigma > 0) & (centre_sigma < 0.05))
    strain = np.array([np.nan if v is None else v for v in doc["lattice_strain"]])
    expected = np.array([np.nan if v is None else v for v in truth["lattice_strain"]])
    spots = np.array(truth["phase_fractions"]["WO3 spots"]) >= 0.5
    np.testing.assert_allclose(strain[spots], expected[spots], atol=1e-3)
    sigma = np.array([np.nan if v is None else v for v in doc["lattice_strain_sigma"]])
    assert np.array_equal(np.isnan(sigma), np.isnan(strain))
    measured = spots & np.isfinite(strain)
    assert np.all(sigma[measured] < 2e-3)
    assert np.all(np.abs(strain - expected)[measured] <= 3 * sigma[measured])
    reasons = doc["lattice_strain_reason"]
    assert len(reasons) == len(strain)
    assert all(bool(reason) == np.isnan(value) for reason, value in zip(reasons, strain))
    assert all("too few spots matched" in reasons[i] for i in np.flatnonzero(np.isnan(strain)))
    assert doc["crystalline"] == truth["crystalline"]
    fractions = doc["phase_fractions"]
    assert list(fractions) == ["first pattern", "last pattern", "free 1"]
    np.testing.assert_allclose(
        fractions["last pattern"], truth["phase_fractions"]["WO3 spots"], atol=0.16
    )
    sigma = doc["phase_fractions_sigma"]
    assert list(sigma) == list(fractions)
    error = np.array(fractions["last pattern"]) - truth["phase_fractions"]["WO3 spots"]
    assert all(sigma[name][0] is None and sigma[name][-1] is None for name in sigma)
    assert doc["phase_fractions_sigma_reason"].startswith("fixed: ")
    z = np.abs(error[1:-1] / np.maximum(np.array(sigma["last pattern"][1:-1], float), 1e-12))
    assert np.median(z) < 1.0 and np.mean(z <= 2.0) >= 0.9


def test_nbd_navigates_a_2d_scan(capsys, realdata):
    code, doc, err = run(capsys, "nbd", realdata("test1.blo"))
    assert code == 0, err
    assert doc["position"][1] == [0.0, 12.8] and len(doc["centre_px"]) == 6
    assert doc["lattice_strain"][doc["reference_index"]] == pytest.approx(0.0, abs=1e-12)


def test_nbd_refuses_a_single_pattern(capsys, realdata):
    code, _, err = run(capsys, "nbd", realdata("bismuth.dm3"))
    assert code == 2 and "pattern_series" in err


def test_console_script_runs_diffraction(sample_nbd):
    result = subprocess.run(
        [str(BIN), "diffraction", str(sample_nbd[0]), "--index", "30", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["spots"]) > 10


def test_diffraction_with_an_ambiguous_centre_reports_why_and_no_spots(capsys, tmp_path):
    rows, cols = np.indices((161, 161))
    pattern = np.full(rows.shape, 2.0)
    for h in range(-3, 4):
        for k in range(-3, 4):
            at = np.array([78.3, 81.6]) + h * np.array([0.0, 21.0]) + k * np.array([19.0, 6.0])
            level = {(0, 0): 400.0, (1, 0): 3000.0}.get((h, k), 80.0)
            if np.hypot(*(at - 80)) <= 75:
                pattern += level * (np.hypot(rows - at[0], cols - at[1]) <= 4.0)
    path = tmp_path / "bright_disk.npy"
    np.save(path, np.random.default_rng(3).poisson(pattern).astype(np.float32))
    code, doc, err = run(capsys, "diffraction", path, "--scale", 0.5, "--units", "1/nm")
    assert code == 0, err
    assert "ambiguous centre" in doc["centre_warning"] and doc["spots"] == []


def test_radial_on_a_half_fft_warns_that_its_centre_is_not_measured(capsys, tmp_path):
    rows, cols = np.indices((64, 64))
    blob = np.exp(-((rows - 30.0) ** 2 + (cols - 35.0) ** 2) / 50.0)
    noisy = blob + np.random.default_rng(0).normal(0, 0.01, blob.shape)
    path = tmp_path / "half_fft.npy"
    np.save(path, np.abs(np.fft.rfft2(noisy)).astype(np.float32))
    code, doc, err = run(capsys, "radial", path)
    assert code == 0, err
    assert doc["centre_sigma_px"] is None
    assert "lies on the edge" in doc["centre_warning"]
    assert main(["radial", str(path), "--quiet"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("centre_warning: ") and "give the centre" in line for line in lines)
    code, doc, err = run(capsys, "radial", path, "--centre", "32,0")
    assert code == 0, err
    assert "centre_warning" not in doc


def _virtual_counts(patterns, doc):
    from insitu_tem.analysis.diffraction.virtual_detector import default_detector, virtual_image

    detector = default_detector(patterns)
    centres = np.array(doc["centre_px"], float) if doc["centre_ok"] else detector.centre_rc
    return {
        kind: virtual_image(patterns, centre_rc=centres, inner_px=inner, outer_px=outer)
        for kind, (inner, outer) in ((k, detector.radii(k)) for k in ("BF", "ADF"))
    }, detector


def test_nbd_on_a_raster_gives_the_virtual_bf_and_adf_images(capsys, tmp_path):
    from insitu_tem.samples import nbd_raster

    path = nbd_raster.write(tmp_path, rows=4, cols=5)
    code, doc, err = run(capsys, "nbd", path)
    assert code == 0, err
    virtual = doc["virtual_images"]
    assert virtual["shape"] == [4, 5] and virtual["scan_units"] == "nm"
    assert virtual["scan_step"] == [10.0, 10.0] and virtual["centred_on"] == "probe"
    patterns = np.asarray(nbd_raster.raster_scan(4, 5).array).reshape(20, 128, 128)
    expected, detector = _virtual_counts(patterns, doc)
    assert virtual["mean_pattern_centre_px"] == pytest.approx(detector.centre_rc)
    for kind in ("BF", "ADF"):
        inner, outer = detector.radii(kind)
        assert virtual[kind]["inner_px"] == inner and virtual[kind]["outer_px"] == outer
        assert virtual[kind]["outer_per_nm"] == pytest.approx(outer * 0.125)
        np.testing.assert_array_equal(virtual[kind]["counts"], expected[kind])
    adf = np.array(virtual["ADF"]["counts"]).reshape(4, 5)
    assert adf[0, 0] != adf[-1, -1]


def test_nbd_on_the_real_2d_scan_gives_its_virtual_images(capsys, realdata):
    from insitu_tem.io.load import load

    path = realdata("test1.blo")
    code, doc, err = run(capsys, "nbd", path)
    assert code == 0, err
    virtual = doc["virtual_images"]
    assert virtual["shape"] == [3, 2] and virtual["scan_units"] == "nm"
    dataset = load(path)
    patterns = np.asarray(dataset.array).reshape((-1,) + dataset.shape[-2:])
    expected, _ = _virtual_counts(patterns, doc)
    for kind in ("BF", "ADF"):
        np.testing.assert_array_equal(virtual[kind]["counts"], expected[kind])
        assert len(virtual[kind]["counts"]) == 6 and min(virtual[kind]["counts"]) > 0


def test_nbd_on_a_line_scan_has_no_virtual_images(capsys, sample_nbd):
    code, doc, err = run(capsys, "nbd", sample_nbd[0], "--reference", 45)
    assert code == 0, err
    assert "virtual_images" not in doc
