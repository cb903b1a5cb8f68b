"""`insitu-tem eels`: the exact JSON of issue 6 on the sample scan and real spectra, and bad
input."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tifffile

from insitu_tem.cli.main import main

LOW_LOSS_KEYS = {
    "position",
    "zlp_offset_eV",
    "zlp_offset_sigma_eV",
    "fwhm_eV",
    "fwhm_sigma_eV",
    "zlp_found",
    "zlp_ok",
    "zlp_reason",
    "plasmon_energy_eV",
    "plasmon_energy_sigma_eV",
    "plasmon_energy_ok",
    "plasmon_energy_reason",
}
EDGE_KEYS = LOW_LOSS_KEYS | {
    "edge",
    "edge_onset_eV",
    "edge_onset_sigma_eV",
    "edge_onset_definition",
    "chemical_shift_eV",
    "chemical_shift_stderr_eV",
    "chemical_shift_statistical_eV",
    "chemical_shift_systematic_eV",
    "edge_detected",
    "edge_detection_p",
    "edge_ok",
    "edge_reason",
    "t_over_lambda",
    "t_over_lambda_sigma",
    "t_over_lambda_ok",
    "t_over_lambda_reason",
    "maps",
    "maps_sigma",
    "maps_shape",
    "signal_window_eV",
    "background_window_eV",
    "map_ok",
    "map_reason",
    "mlls_fraction",
    "mlls_fraction_sigma",
    "mlls_fractions",
    "mlls_fractions_sigma",
    "mlls_ok",
    "mlls_reason",
}


def run_json(capsys, *argv):
    code = main(["eels", *map(str, argv), "--json", "--quiet"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


@pytest.fixture
def sample(sample_data):
    path = sample_data / "eels_linescan.hspy"
    if not path.exists():
        pytest.skip("sample_data/eels_linescan.hspy not generated")
    return path, json.loads((sample_data / "eels_linescan.truth.json").read_text())


def test_low_loss_fields_alone(capsys, sample):
    path, truth = sample
    doc = run_json(capsys, path)
    assert set(doc) == LOW_LOSS_KEYS
    assert doc["position"] == pytest.approx(8.0 * np.arange(46))
    assert np.abs(np.array(doc["zlp_offset_eV"]) - truth["zlp_offset_eV"]).max() < 0.005
    assert np.allclose(doc["fwhm_eV"], 0.8, atol=0.02)
    offset_sigma, fwhm_sigma = (np.array(doc[k]) for k in ("zlp_offset_sigma_eV", "fwhm_sigma_eV"))
    assert np.all((offset_sigma > 0) & (offset_sigma < 0.005))
    assert np.all((fwhm_sigma > 0) & (fwhm_sigma < 0.05))
    assert all(doc["zlp_found"]) and doc["zlp_ok"] and doc["zlp_reason"] == ""
    assert_plasmon_matches(doc, truth)


def assert_plasmon_matches(doc, truth):
    """The plasmon energy lies within a few of its 1σ (and 0.1 eV) of the noise-free spectra's
    maximum, the same definition."""
    energy, sigma = (
        np.array(doc[k], float) for k in ("plasmon_energy_eV", "plasmon_energy_sigma_eV")
    )
    error = np.abs(energy - truth["plasmon_peak_eV"])
    assert doc["plasmon_energy_ok"] and doc["plasmon_energy_reason"] == ""
    assert np.all((sigma > 0) & (sigma < 0.1)) and error.max() < 0.1
    assert np.mean(error <= 2 * sigma) > 0.8


def test_w_o23_shift_profile_matches_the_truth(capsys, sample):
    path, truth = sample
    doc = run_json(capsys, path, "--edge", "W-O23", "--reference", 45)
    assert set(doc) == EDGE_KEYS and doc["edge"] == "W-O23"
    shift = np.array(doc["chemical_shift_eV"])
    assert np.sqrt(np.mean((shift - np.array(truth["w_o23_shift_eV"])) ** 2)) < 0.05
    assert all(0 <= s < 0.05 for s in doc["chemical_shift_stderr_eV"])
    assert np.allclose(
        np.hypot(doc["chemical_shift_statistical_eV"], doc["chemical_shift_systematic_eV"]),
        doc["chemical_shift_stderr_eV"],
    )
    assert doc["edge_ok"] and doc["edge_reason"] == ""
    assert all(doc["edge_detected"]) and max(doc["edge_detection_p"]) < 1e-3
    assert "derivative" in doc["edge_onset_definition"]
    assert len(doc["edge_onset_eV"]) == 46 and list(doc["maps"]) == ["W-O23"]
    tau, tau_sigma = (np.array(doc[k], float) for k in ("t_over_lambda", "t_over_lambda_sigma"))
    assert np.abs(tau - truth["log_ratio_in_range"]).max() < 0.005
    assert np.all((tau_sigma > 0) & (tau_sigma < 0.05))
    assert doc["t_over_lambda_ok"] and doc["t_over_lambda_reason"] == ""
    assert_plasmon_matches(doc, truth)


def test_absent_edge_under_another_elements_edge_is_not_measured(capsys, sample):
    path, truth = sample
    doc = run_json(capsys, path, "--edge", "Cu-M23", "--reference", 45)
    assert not doc["edge_ok"] and "W-O1" in doc["edge_reason"]
    assert all(v is None for v in doc["edge_onset_eV"] + doc["chemical_shift_eV"])
    present = run_json(capsys, path, "--edge", "W-O1", "--reference", 45)
    shift = np.array(present["chemical_shift_eV"])
    assert None not in present["chemical_shift_eV"] and "cannot tell" not in present["edge_reason"]
    onsets = [v for v in present["edge_onset_eV"] if v is not None]
    assert len(onsets) >= 40 and all(73.0 < v < 77.0 for v in onsets)
    assert np.sqrt(np.mean((shift - np.array(truth["w_o23_shift_eV"])) ** 2)) < 0.1


def assert_mlls_matches(doc, fraction):
    """Two components per probe summing to 1, each with a 1σ; the first end member's share lies
    within a few of its 1σ of the Li fraction (the sample's phases are not a linear mixture, so
    the truth is only approximately the MLLS share)."""
    shares, sigmas = (np.array(doc[k], float) for k in ("mlls_fractions", "mlls_fractions_sigma"))
    assert doc["mlls_ok"] and doc["mlls_reason"] == "" and shares.shape == (46, 2)
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    np.testing.assert_allclose(shares[:, 0], doc["mlls_fraction"])
    np.testing.assert_allclose(sigmas[:, 0], doc["mlls_fraction_sigma"])
    assert np.all((sigmas > 0) & (sigmas < 0.1))
    assert np.mean(np.abs(shares[:, 0] - fraction) <= 3 * sigmas[:, 0] + 0.01) > 0.8


def test_li_k_map_with_windows(capsys, sample):
    path, truth = sample
    fraction = np.array(truth["li_k_fraction"])
    first = run_json(capsys, path, "--edge", "li k")
    automatic, sigma = np.array(first["maps"]["Li-K"]), np.array(first["maps_sigma"]["Li-K"])
    assert_mlls_matches(first, fraction)
    assert np.all((sigma > 0) & (sigma < 0.05 * np.abs(automatic[fraction > 0.9]).min()))
    assert automatic[fraction > 0.9].min() > 5 * abs(automatic[fraction < 0.01]).max()
    doc = run_json(
        capsys,
        path,
        "--edge",
        "Li-K",
        "--window",
        "55,70",
        "--background",
        "50,53",
        "--model",
        "exponential",
    )
    chosen = np.array(doc["maps"]["Li-K"])
    assert (
        abs(chosen[0] - automatic[0]) > 1000
        and chosen[fraction > 0.9].min() > 3 * chosen[fraction < 0.01].max()
    )


def test_single_core_loss_spectrum(capsys, realdata):
    doc = run_json(capsys, realdata("08_carbon.dm3"), "--edge", "C-K")
    assert doc["position"] == [0.0] and doc["zlp_offset_eV"] == [None]
    assert doc["zlp_found"] == [False] and not doc["zlp_ok"] and doc["zlp_reason"]
    assert doc["edge_onset_eV"][0] == pytest.approx(283.1, abs=0.2)
    assert 0.02 < doc["edge_onset_sigma_eV"][0] < 0.3
    assert doc["chemical_shift_eV"] == [None] and doc["chemical_shift_stderr_eV"] == [None]
    assert doc["edge_detected"] == [None] and "lone spectrum" in doc["edge_reason"]
    assert doc["plasmon_energy_eV"] is None and not doc["plasmon_energy_ok"]
    assert doc["plasmon_energy_reason"]


def test_real_low_loss(capsys, realdata):
    doc = run_json(capsys, realdata("STO_lowloss.msa"))
    assert doc["zlp_offset_eV"][0] == pytest.approx(-4.23, abs=0.02)


def assert_one_line_error(capsys, argv, fragment):
    code = main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("insitu-tem: error: ") and "\n" not in err and fragment in err


def test_bad_input_is_one_line(capsys, tmp_path):
    image = tmp_path / "image.npy"
    np.save(image, np.zeros((32, 32), np.float32))
    assert_one_line_error(capsys, ["eels", str(image)], "needs a spectrum")
    uncalibrated = tmp_path / "spectrum.npy"
    np.save(uncalibrated, np.ones(256, np.float32))
    assert_one_line_error(capsys, ["eels", str(uncalibrated)], "energy axis")
    calibrated = [str(uncalibrated), "--scale", "0.1", "--units", "eV"]
    assert_one_line_error(capsys, ["eels", *calibrated, "--edge", "Q-K"], "unknown edge")
    assert_one_line_error(capsys, ["eels", *calibrated, "--reference", "9"], "--reference")
    assert_one_line_error(capsys, ["eels", *calibrated, "--edge", "O-K"], "outside this spectrum")
    assert_one_line_error(capsys, ["eels", *calibrated, "--out", str(tmp_path)], "--edge")


def test_spectra_with_nan_are_refused_by_the_edge_analysis_in_one_line(capsys, tmp_path, sample):
    import h5py

    damaged = tmp_path / "eels_linescan.hspy"
    damaged.write_bytes(sample[0].read_bytes())
    with h5py.File(damaged, "r+") as file:
        group = next(iter(file["Experiments"].values()))
        counts = group["data"][()].astype(np.float32)
        counts[3, 100:110] = np.nan
        del group["data"]
        group["data"] = counts
    assert_one_line_error(capsys, ["eels", str(damaged), "--edge", "W-O23"], "holds 10 NaN")


def test_spectra_without_a_zero_loss_peak_are_refused_naming_the_file_once(capsys, tmp_path):
    from tests.gui.test_eels_bad_input import NO_ZLP_SAYS, spectra_without_zero_loss

    path = spectra_without_zero_loss(tmp_path / "coreloss.hspy")
    assert main(["eels", str(path), "--edge", "W-O23"]) == 2
    assert capsys.readouterr().err == f"insitu-tem: error: coreloss.hspy: {NO_ZLP_SAYS}\n"
    assert main(["eels", str(path), "--edge", "W-O23", "--no-deconvolve"]) == 0


def test_console_script(sample):
    script = Path(sys.executable).with_name("insitu-tem")
    result = subprocess.run(
        [str(script), "eels", str(sample[0]), "--json"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["zlp_offset_eV"]) == 46


def test_spectrum_image_runs_in_c_order(capsys, tmp_path):
    import warnings

    from insitu_tem.samples import eels as sample_module

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import hyperspy.api as hs

    offsets = np.array([[0.1, -0.2, 0.3], [0.0, 0.25, -0.1]])
    cube = np.stack([[sample_module.model_spectrum(0.0, o, 0.4) for o in row] for row in offsets])
    signal = hs.signals.Signal1D(np.random.default_rng(3).poisson(cube).astype(np.float32))
    for axis, name in zip(signal.axes_manager.navigation_axes, ("x", "y")):
        axis.name, axis.scale, axis.units = name, 2.0, "nm"
    energy = signal.axes_manager.signal_axes[0]
    energy.scale, energy.offset, energy.units = (
        sample_module.DISPERSION_EV,
        sample_module.OFFSET_EV,
        "eV",
    )
    path = tmp_path / "si.hspy"
    signal.save(path)
    doc = run_json(capsys, path, "--edge", "W-O23", "--out", tmp_path / "maps")
    assert doc["maps_shape"] == [2, 3]
    counts, sigma = (np.array(doc[k]["W-O23"]) for k in ("maps", "maps_sigma"))
    assert np.all(sigma > 0)
    tiffs = [tifffile.imread(tmp_path / "maps" / f"W-O23_map{s}.tif") for s in ("", "_sigma")]
    assert [t.shape for t in tiffs] == [(2, 3), (2, 3)] and tiffs[0].dtype == np.float32
    np.testing.assert_allclose(tiffs[0].ravel(), counts, rtol=1e-6)
    np.testing.assert_allclose(tiffs[1].ravel(), sigma, rtol=1e-6)
    with open(tmp_path / "maps" / "W-O23_map.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert [(int(r["row"]), int(r["col"])) for r in rows] == [(i // 3, i % 3) for i in range(6)]
    assert [float(r["counts_sigma"]) for r in rows] == pytest.approx(sigma.tolist())
    assert doc["position"] == [
        [0.0, 0.0],
        [0.0, 2.0],
        [0.0, 4.0],
        [2.0, 0.0],
        [2.0, 2.0],
        [2.0, 4.0],
    ]
    assert np.allclose(doc["zlp_offset_eV"], offsets.ravel(), atol=0.005)
