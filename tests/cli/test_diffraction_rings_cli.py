"""`insitu-tem diffraction` on a ring pattern: the calibration it used, rings indexed against
--phase, the ring --known-ring placed marked as given, and --energy honoured."""

import json

import numpy as np
import pytest

from insitu_tem.cli.main import main


def run(capsys, *args):
    code = main(["diffraction", *map(str, args), "--json", "--quiet"])
    captured = capsys.readouterr()
    return code, (json.loads(captured.out) if code == 0 else None), captured.err


def test_bismuth_rings_are_indexed_and_the_calibration_is_reported(capsys, realdata):
    """Before: --phase Bi indexed spots only (none on a ring pattern) and said nothing; the
    scale from --known-ring was not reported; the placed ring carried a 1σ of 0.0008 Å as if
    measured."""
    code, doc, err = run(capsys, realdata("bismuth.dm3"), "--known-ring", 3.28, "--phase", "Bi")
    assert code == 0, err
    assert doc["calibration"]["source"].startswith("--known-ring: the strongest ring (r = 38.")
    assert doc["calibration"]["scale_per_nm_per_px"] == pytest.approx(10 / 3.28 / 38.9, rel=0.01)
    first = doc["rings"][0]
    assert first["hkl"] == [0, 1, 2] and first["d_reference_A"] == pytest.approx(3.28, abs=0.01)
    assert first["calibrates"] is True and first["d_sigma_A"] is None
    assert all(r["calibrates"] is False and r["d_sigma_A"] > 0 for r in doc["rings"][1:])


def test_energy_option_reaches_the_analysis(capsys, tmp_path, monkeypatch):
    import insitu_tem.cli.commands.diffraction as command

    seen = {}
    original = command.analyse_pattern

    def spy(pattern, **kwargs):
        seen.update(kwargs)
        return original(pattern, **kwargs)

    monkeypatch.setattr(command, "analyse_pattern", spy)
    np.save(tmp_path / "p.npy", np.random.default_rng(0).poisson(20.0, (64, 64)).astype(float))
    code, doc, err = run(
        capsys,
        tmp_path / "p.npy",
        "--kind",
        "pattern",
        "--scale",
        0.1,
        "--units",
        "1/nm",
        "--energy",
        80,
    )
    assert code == 0, err
    assert seen["energy_kV"] == 80.0
    assert doc["calibration"] == {"scale_per_nm_per_px": 0.1, "source": "--scale"}
    assert all(r["hkl"] is None and r["calibrates"] is False for r in doc["rings"])
