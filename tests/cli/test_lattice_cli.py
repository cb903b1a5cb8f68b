"""`insitu-tem lattice` and `insitu-tem crystallinity`: JSON documents on the sample and real
files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from insitu_tem.cli.main import main
from insitu_tem.samples import hrtem

BIN = Path(sys.executable).parent / "insitu-tem"
SPOT_KEYS = {"d_A", "sigma_d_A", "g_per_A", "angle_deg", "intensity", "snr", "hkl", "phase"}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return hrtem.write(tmp_path_factory.mktemp("cli"))[0]


def run(capsys, *args):
    code = main([*map(str, args), "--json"])
    captured = capsys.readouterr()
    return code, (json.loads(captured.out) if code == 0 else None), captured.err


def test_lattice_document_on_the_sample(sample, capsys):
    code, document, _ = run(capsys, "lattice", sample, "--frame", "0", "--roi", "0:200,0:200")
    assert code == 0 and set(document) == {"spots", "lattice", "matches", "warnings"}
    spots = document["spots"]
    assert 2 <= len(spots) <= 30 and all(set(s) == SPOT_KEYS for s in spots)
    assert [s["snr"] for s in spots] == sorted((s["snr"] for s in spots), reverse=True)
    assert all(
        s["g_per_A"] == pytest.approx(1 / s["d_A"]) and 0 <= s["angle_deg"] < 180 for s in spots
    )
    assert all(0 < s["sigma_d_A"] < 0.01 * s["d_A"] for s in spots)
    by_hkl = {tuple(abs(v) for v in s["hkl"]): s["d_A"] for s in spots if s["hkl"]}
    assert by_hkl[(0, 2, 0)] == pytest.approx(3.770, rel=1e-3) and by_hkl[
        (2, 0, 0)
    ] == pytest.approx(3.653, rel=1e-3)
    assert {s["phase"] for s in spots if s["phase"]} == {"γ-WO3"}
    lattice = document["lattice"]
    assert (
        lattice["ok"]
        and lattice["sigma_d_a_A"] < 0.005
        and lattice["angle_deg"] == pytest.approx(90, abs=0.3)
    )
    assert document["matches"][0]["phase"] == "γ-WO3" and document["matches"][0]["zone_axis"] == [
        0,
        0,
        1,
    ]


def test_lattice_changes_across_the_front(sample, capsys):
    _, behind, _ = run(capsys, "lattice", sample, "--frame", "16", "--roi", "40:216,150:256")
    _, ahead, _ = run(capsys, "lattice", sample, "--frame", "8", "--roi", "40:216,150:256")
    assert behind["lattice"]["d_a_A"] == pytest.approx(3.72, rel=2e-3)
    assert sorted([ahead["lattice"]["d_a_A"], ahead["lattice"]["d_b_A"]]) == pytest.approx(
        [3.653, 3.770], rel=1e-3
    )
    assert behind["matches"][0]["phase"] == "LixWO3"


def test_amorphous_frame_reports_a_ring_and_no_spots(sample, capsys):
    code, document, _ = run(capsys, "lattice", sample, "--frame", "23")
    assert code == 0 and document["spots"] == [] and not document["lattice"]["ok"]
    ring = document["lattice"]["ring"]
    assert ring["ok"] and ring["reason"] == "" and ring["d_A"] == pytest.approx(3.0, rel=0.15)
    assert 0 < ring["sigma_d_A"] < 0.1 * ring["d_A"] and ring["fwhm_per_A"] > 0
    assert any("broad ring" in w for w in document["warnings"])


def test_lattice_of_a_crystal_says_why_there_is_no_ring(sample, capsys):
    code, document, _ = run(capsys, "lattice", sample, "--frame", "0", "--roi", "0:200,0:200")
    ring = document["lattice"]["ring"]
    assert code == 0 and set(ring) == {
        "d_A",
        "sigma_d_A",
        "fwhm_per_A",
        "ok",
        "reason",
        "defocus_nm",
        "sigma_defocus_nm",
    }
    assert not ring["ok"] and ring["reason"] and ring["d_A"] is None and ring["sigma_d_A"] is None


def test_srtio3_calibration_warning(realdata, capsys):
    code, document, _ = run(
        capsys,
        "lattice",
        realdata("16_STOimage.emi"),
        "--reference",
        "SrTiO3:100",
        "--roi",
        "0:512,0:512",
    )
    assert code == 0
    calibration = document["lattice"]["calibration"]
    assert 3.0 <= calibration["error_percent"] <= 4.5 and calibration["factor"] == pytest.approx(
        0.965, abs=0.01
    )
    assert any("calibration disagrees" in w for w in document["warnings"])
    code, document, _ = run(
        capsys,
        "lattice",
        realdata("Acquisition_18.emd"),
        "--reference-d",
        "3.905",
        "--roi",
        "0:512,0:512",
    )
    assert 4.0 <= document["lattice"]["calibration"]["error_percent"] <= 6.0


def test_soot_is_a_ring_near_0_35_nm(realdata, capsys):
    code, document, _ = run(
        capsys, "lattice", realdata("soot_hrtem.tif"), "--scale", "0.0554958", "--units", "nm"
    )
    ring = document["lattice"]["ring"]
    assert code == 0 and ring["ok"] and 3.35 <= ring["d_A"] <= 3.8
    assert 0 < ring["sigma_d_A"] < 0.5
    assert not any(w.startswith("no calibration") for w in document["warnings"])


def test_with_kv_and_cs_the_ring_under_thon_rings_is_measured_and_the_defocus_given(
    capsys, tmp_path
):
    """Without the optics the ring is declined (Thon rings seen); with them it is placed within
    3σ of 3 Å and the defocus fitted within 3σ of 150 nm underfocus."""
    import tifffile

    from tests.analysis.hrtem.test_thon_fit import PIXEL_NM, RING_K, phase_contrast_image

    path = tmp_path / "thon.tif"
    tifffile.imwrite(path, phase_contrast_image(150.0, 2).astype(np.float32))
    base = ["lattice", path, "--scale", PIXEL_NM, "--units", "nm"]
    _, plain, _ = run(capsys, *base)
    assert not plain["lattice"]["ring"]["ok"] and plain["lattice"]["ring"]["defocus_nm"] is None
    code, document, _ = run(capsys, *base, "--kv", "200", "--cs", "1")
    ring = document["lattice"]["ring"]
    assert code == 0 and ring["ok"]
    assert abs(ring["d_A"] - 10 / RING_K) < 3 * ring["sigma_d_A"]
    assert abs(ring["defocus_nm"] - 150.0) < 3 * ring["sigma_defocus_nm"] + 1.0
    assert any("Thon rings: defocus" in w for w in document["warnings"])


def test_the_voltage_given_with_kv_is_the_one_every_measurement_uses(sample, capsys, monkeypatch):
    """--kv sets the voltage of the phase matching's delocalisation too, not only the ring's."""
    from insitu_tem.cli.commands import lattice

    used = {}
    measure = lattice.measure_lattice

    def spy(*args, **kwargs):
        used.update(energy_kV=kwargs["energy_kV"], kv=kwargs["optics"].kv)
        return measure(*args, **kwargs)

    monkeypatch.setattr(lattice, "measure_lattice", spy)
    code, _, err = run(capsys, "lattice", sample, "--kv", "80", "--cs", "1.2")
    assert code == 0, err
    assert used == {"energy_kV": 80.0, "kv": 80.0}


def test_crystallinity_document(sample, capsys):
    code, document, _ = run(capsys, "crystallinity", sample, "--frame", "12", "--window", "3.2")
    truth = json.loads(sample.with_name("hrtem_movie.truth.json").read_text())["frames"][12]
    assert code == 0 and {"crystalline_fraction", "domain_size_nm", "map"} <= set(document)
    assert document["crystalline_fraction"] == pytest.approx(
        truth["crystalline_fraction"], abs=0.05
    )
    assert document["domain_size_nm"] > 5
    assert 0 < document["domain_size_sigma_nm"] < document["domain_size_nm"]
    assert document["domain_size_ok"] and document["domain_size_reason"] == ""
    assert 0 < document["sigma_crystalline_fraction"] < 0.05
    grid = document["map"]
    assert len(grid) == 13 and all(len(row) == 13 and set(row) <= {0, 1} for row in grid)
    assert grid[6][0] == 0 and grid[6][-1] == 1

    assert document["delocalisation_nm"] is None
    assert any("delocalisation not included" in w for w in document["warnings"])


def test_crystallinity_with_the_aberrations_carries_the_delocalisation_in_its_sigma(sample, capsys):
    base = ["crystallinity", sample, "--frame", "12", "--window", "3.2"]
    _, plain, _ = run(capsys, *base)
    code, document, _ = run(capsys, *base, "--defocus", "0", "--cs", "1.2")
    assert code == 0 and document["delocalisation_nm"] > 0
    assert not any("delocalisation not included" in w for w in document["warnings"])
    assert document["crystalline_fraction"] >= plain["crystalline_fraction"]
    assert document["sigma_crystalline_fraction"] > plain["sigma_crystalline_fraction"]


def test_crystallinity_takes_the_aberrations_the_file_gives(sample, capsys, tmp_path):
    import hyperspy.api as hs

    from insitu_tem.io.load import load

    frame = load(sample)
    signal = hs.signals.Signal2D(np.asarray(frame.array[12], np.float32))
    for axis, source in zip(signal.axes_manager.signal_axes, frame.signal_axes[::-1]):
        axis.scale, axis.units = source.scale, source.units
    signal.original_metadata.add_dictionary(
        {"ImageList": {"TagGroup0": {"ImageTags": {"Microscope Info": {"Cs(mm)": 1.2}}}}}
    )
    signal.save(tmp_path / "frame.hspy")
    base = ["crystallinity", tmp_path / "frame.hspy", "--window", "3.2"]
    assert run(capsys, *base, "--cs", "1.2")[0] != 0
    code, document, _ = run(capsys, *base, "--defocus", "0")
    assert code == 0 and document["delocalisation_nm"] > 0
    assert "--cs 1.2 taken from the file's metadata" in document["warnings"]
    _, given, _ = run(
        capsys,
        "crystallinity",
        sample,
        "--frame",
        "12",
        "--window",
        "3.2",
        "--defocus",
        "0",
        "--cs",
        "1.2",
    )
    assert document["crystalline_fraction"] == pytest.approx(given["crystalline_fraction"])


@pytest.mark.parametrize(
    "args, expected",
    [
        (["lattice", "{sample}", "--roi", "0:300,0:300"], "must lie inside the"),
        (["crystallinity", "{sample}", "--cs", "1.2"], "give both --defocus"),
        (["lattice", "{sample}", "--kv", "200"], "give both --kv KV and --cs MM"),
        (["lattice", "{sample}", "--cs", "1.2"], "(the file gives no kv)"),
        (["lattice", "{sample}", "--roi", "a,b"], "R0:R1,C0:C1"),
        (["lattice", "{sample}", "--frame", "40"], "does not exist"),
        (["lattice", "{sample}", "--reference", "W:100"], "not an allowed reflection"),
        (["lattice", "{sample}", "--reference", "Unobtainium:100"], "unknown phase"),
        (["crystallinity", "{sample}", "--window", "50"], "larger than the image"),
    ],
)
def test_bad_input_is_one_line_exit_2(sample, capsys, args, expected):
    code = main([a.format(sample=sample) for a in args] + ["--json"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and expected in err
    assert err.startswith("insitu-tem: error: hrtem_movie.tif: ")


def test_uncalibrated_image_asks_for_a_scale(tmp_path, capsys):
    path = tmp_path / "plain.npy"
    np.save(path, np.random.default_rng(0).poisson(100, (64, 64)).astype(np.uint16))
    code = main(["lattice", str(path), "--json"])
    assert code == 2 and "--scale" in capsys.readouterr().err


def test_console_script(sample):
    result = subprocess.run(
        [str(BIN), "crystallinity", str(sample), "--frame", "0", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and json.loads(result.stdout)[
        "crystalline_fraction"
    ] == pytest.approx(1.0)


def test_crystallinity_of_a_crystal_filling_the_field_does_not_size_its_domains(sample, capsys):
    code, document, _ = run(capsys, "crystallinity", sample, "--frame", "0", "--window", "3.2")
    assert code == 0 and document["crystalline_fraction"] == 1.0
    assert not document["domain_size_ok"]
    assert "fills the field of view" in document["domain_size_reason"]
