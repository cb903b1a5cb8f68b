"""`insitu-tem eds` identifies the X-ray lines of a lone spectrum, of a spectrum image's sum
(by default when no element is named), and of the real Bruker map."""

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from insitu_tem.cli.main import main
from tests.analysis.eds.test_identify import exspy_spectrum
from tests.gui.test_line_scan_bad_input import write_hspy

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "realdata" / "edstomo_idp"
LANTHANIDES = set("La Ce Pr Nd Sm Eu Gd Tb Dy Ho Er Tm Yb Lu".split())


def run_json(capsys, argv):
    code = main([*argv, "--json", "--quiet"])
    return code, json.loads(capsys.readouterr().out)


def test_a_lone_spectrum_is_identified(capsys, tmp_path):
    counts, _ = exspy_spectrum({"Fe": 8000, "Si": 12000}, top_kev=10.24)
    path = write_hspy(tmp_path / "s.hspy", counts, [], [("E", 0.01, "keV", 0.0)], "EDS_TEM")
    code, document = run_json(capsys, ["eds", str(path), "--elements", "Mn"])
    assert code == 0 and document["ok"]
    assert {"Fe", "Si"} <= set(document["identified"]["present"]) <= {"Fe", "Si", "C"}
    assert document["identified"]["not detected"] == ["Mn"]
    findings = {f["element"]: f for f in document["identification"]["findings"]}
    assert findings["Fe"]["lines"][0] == "Fe_Ka" and findings["Fe"]["net_counts_sigma"] > 0
    assert document["identification"]["spectrum"] == "the lone spectrum"
    assert document["identification"]["resolution_source"].startswith("measured on")
    assert abs(document["identification"]["resolution_mn_ka_ev"] - 130) < 4


def test_an_axis_reading_30_ev_high_is_measured_and_said(capsys, tmp_path):
    counts, _ = exspy_spectrum({"Fe": 8000, "Si": 12000, "Cu": 3000}, top_kev=10.24, seed=2)
    path = write_hspy(tmp_path / "s.hspy", counts, [], [("E", 0.01, "keV", 0.03)], "EDS_TEM")
    code = main(["eds", str(path), "--quiet"])
    text = capsys.readouterr().out
    assert code == 0 and 'energy_calibration: "offset +' in text
    code, document = run_json(capsys, ["eds", str(path)])
    identification = document["identification"]
    offset, sigma = identification["energy_offset_ev"], identification["energy_offset_ev_sigma"]
    assert 0 < sigma < 2 and abs(offset - 30) < 2 * sigma
    assert document["energy_calibration"] == identification["energy_calibration"]
    assert {"Fe", "Si", "Cu"} == set(document["identified"]["present"])


def test_a_spectrum_image_naming_no_element_is_identified_then_mapped(capsys, tmp_path):
    counts, _ = exspy_spectrum({"Fe": 8000, "Si": 12000}, top_kev=10.24)
    rng = np.random.default_rng(1)
    cube = rng.poisson(np.broadcast_to(counts / 16, (4, 4, counts.size))).astype(np.float32)
    position = [("y", 1.0, "nm", 0.0), ("x", 1.0, "nm", 0.0)]
    path = write_hspy(tmp_path / "si.hspy", cube, position, [("E", 0.01, "keV", 0.0)], "EDS_TEM")
    code, document = run_json(capsys, ["eds", str(path)])
    assert code == 0
    assert document["identification"]["spectrum"] == "the sum of 16 spectra"
    assert set(document["elements"]) == set(document["identified"]["present"])
    assert {"Fe", "Si"} <= set(document["elements"]) <= {"Fe", "Si", "C"}
    assert np.array(document["maps"]["Fe_Ka"]).shape == (4, 4)
    # the composition is the fitted net counts' ± 1σ (main: the windows' counting statistics)
    quantification = document["quantification"]
    assert quantification["counts_from"] == "fitted"
    found = {f["element"]: f for f in document["identification"]["findings"]}
    counts = {e: found[e]["net_counts"] for e in document["elements"]}
    fraction = counts["Fe"] / sum(counts.values())
    assert quantification["weight_percent"]["Fe"] == pytest.approx(100 * fraction, rel=1e-6)
    relative = found["Fe"]["net_counts_sigma"] / counts["Fe"]
    sigma = quantification["weight_percent_sigma"]["Fe"]
    assert sigma >= 100 * fraction * (1 - fraction) * relative * 0.999


def test_each_mapped_line_gives_its_fwhm_with_the_resolutions_1sigma(capsys, tmp_path):
    """``fwhm_ev_sigma`` beside ``fwhm_ev`` (none before session 34): the measured resolution's
    1σ carried to each line through FWHM² = FWHM(Mn Kα)² + 2.5 eV·(E − E(Mn Kα)); 0 for a
    resolution given; None when the lines are mapped without an identification."""
    counts, _ = exspy_spectrum({"Fe": 8000, "Si": 12000}, top_kev=10.24)
    rng = np.random.default_rng(1)
    cube = rng.poisson(np.broadcast_to(counts / 16, (4, 4, counts.size))).astype(np.float32)
    position = [("y", 1.0, "nm", 0.0), ("x", 1.0, "nm", 0.0)]
    path = write_hspy(tmp_path / "si.hspy", cube, position, [("E", 0.01, "keV", 0.0)], "EDS_TEM")
    _, document = run_json(capsys, ["eds", str(path)])
    identification = document["identification"]
    mn, sigma = identification["resolution_mn_ka_ev"], identification["resolution_mn_ka_ev_sigma"]
    assert sigma > 0
    for energy, width, width_sigma in zip(
        document["line_energies_ev"], document["fwhm_ev"], document["fwhm_ev_sigma"]
    ):
        shifted = np.sqrt((mn + sigma) ** 2 + 2.5 * (energy - 5898.7))
        assert width_sigma == pytest.approx(shifted - width, rel=0.05)
    _, given = run_json(capsys, ["eds", str(path), "--resolution", "128"])
    assert given["fwhm_ev_sigma"] == [0.0] * len(given["lines"])
    _, unmeasured = run_json(capsys, ["eds", str(path), "--elements", "Fe,Si"])
    assert unmeasured["fwhm_ev_sigma"] == [None, None]


@pytest.mark.realdata
@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/realdata is absent")
def test_the_real_bruker_map_finds_its_major_elements_and_nothing_absurd(capsys):
    code, document = run_json(capsys, ["eds", str(REAL / "0.bcf"), "--identify"])
    assert code == 0
    identified = document["identified"]
    present = set(identified["present"])
    assert {"O", "Mg", "Si", "Ca", "Ti", "Fe", "Cu", "Ga", "Pt"} <= present
    # V Lα at 0.51 keV: O Kα sits ~13 eV below where the offset measured at 1.7-8 keV puts it
    # (the detector's low-energy lines are not where its high-energy ones are: docs/eds.md);
    # In Lα / K Kα name each other; Ni Kα (7.48 keV, on Cu Kα's shoulder) selected at 6.6 σ
    # stands at 3.2 σ with the resolution's error in its 1σ (present before session 34)
    assert set(identified["ambiguous"]) <= {"C", "Na", "N", "V", "In", "K", "Ni"}
    assert "Pb" not in present
    identification = document["identification"]
    assert 122 < identification["resolution_mn_ka_ev"] < 138
    assert 0 < identification["resolution_mn_ka_ev_sigma"] < 6
    assert identification["resolution_source"].startswith("measured on")
    assert 10 < identification["energy_offset_ev"] < 17
    assert 0 < identification["energy_offset_ev_sigma"] < 2
    assert identification["energy_gain"] is None
    assert 0 <= identification["escape_peaks_scale"] <= 2
    assert not (present | set(identified["ambiguous"])) & (LANTHANIDES | {"Th", "U", "Tc"})
    listed = set(document["elements"])
    assert listed <= present | set(identified["ambiguous"]) | set(identified["not detected"])
    findings = {f["element"]: f for f in document["identification"]["findings"]}
    assert all(f["note"] for f in findings.values() if f["status"] != "present")


def test_the_velox_eds_sum_without_a_line_above_the_continuum_is_reported(
    capsys, realdata, tmp_path
):
    with zipfile.ZipFile(realdata("velox_EELS_EDS.zip")) as archive:
        archive.extractall(tmp_path)
    (path,) = tmp_path.rglob("*.emd")
    code, document = run_json(capsys, ["eds", str(path)])
    assert code == 0 and document["ok"], "was: need at least one array to concatenate"
    assert document["identified"] == {"present": [], "ambiguous": [], "not detected": []}


def test_a_raw_file_as_out_is_refused_before_the_work(capsys, tmp_path):
    counts, _ = exspy_spectrum({"Fe": 8000}, top_kev=10.24)
    path = write_hspy(tmp_path / "s.hspy", counts, [], [("E", 0.01, "keV", 0.0)], "EDS_TEM")
    raw = tmp_path / "raw.dm3"
    raw.write_bytes(b"raw")
    assert main(["eds", str(path), "--out", str(raw), "--quiet"]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err and raw.read_bytes() == b"raw"


def test_signal_chooses_the_spectrum_image_and_one_out_of_range_is_refused(capsys, tmp_path):
    counts, _ = exspy_spectrum({"Fe": 8000}, top_kev=10.24)
    cube = np.broadcast_to(counts / 4, (2, 2, counts.size)).astype(np.float32)
    position = [("y", 1.0, "nm", 0.0), ("x", 1.0, "nm", 0.0)]
    path = write_hspy(tmp_path / "si.hspy", cube, position, [("E", 0.01, "keV", 0.0)], "EDS_TEM")
    code, document = run_json(capsys, ["eds", str(path), "--signal", "0", "--elements", "Fe"])
    assert code == 0 and document["elements"] == ["Fe"]
    assert main(["eds", str(path), "--signal", "3", "--quiet"]) == 2
    assert "signal 3" in capsys.readouterr().err
