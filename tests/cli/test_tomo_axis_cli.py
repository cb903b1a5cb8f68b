"""`insitu-tem tomo` without options measures the tilt-axis direction (the panel's Auto): on a
phantom whose axis is at −30° it finds it and the shifts, with the same numbers as the panel's
alignment; when the direction cannot be measured it warns in one line, uses 0° and says so in the
JSON."""

import json

import numpy as np
import pytest
from scipy import ndimage

from insitu_tem.analysis.tomo.alignment import align_tilt_series
from insitu_tem.cli.main import main
from insitu_tem.io.readers.tilt_series import load_tilt_series
from insitu_tem.samples import tomo as sample
from insitu_tem.samples.tomo import Phantom

AXIS_DEG = -30.0


def test_default_run_measures_a_turned_axis(tmp_path, capsys):
    tilts = tuple(np.arange(-60.0, 60.1, 10.0))
    sample.write(tmp_path, Phantom(size=64, tilts_deg=tilts, axis_angle_deg=AXIS_DEG, counts=200.0))
    path = tmp_path / sample.HAADF_NAME
    assert main(["tomo", str(path), "--out", str(tmp_path / "out"), "--json", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "warning" not in captured.err
    document = json.loads((tmp_path / "out" / "alignment.json").read_text())
    assert document["ok"] and document["tilt_axis_method"] in ("motion", "offset slope")
    assert abs(document["tilt_axis_angle_deg"] - AXIS_DEG) < 1.0
    truth = json.loads((tmp_path / sample.TRUTH_NAME).read_text())
    shifts = sample.gauge_shifts(np.array(document["shifts_px"]), tilts, AXIS_DEG)
    assert np.sqrt(np.mean(np.sum((shifts - np.array(truth["shifts_px"])) ** 2, axis=1))) < 1.0
    series = load_tilt_series(path)
    panel = align_tilt_series(series.reference, series.tilts_deg, axis_angle_deg=None)
    assert document["tilt_axis_angle_deg"] == panel.axis_angle_deg
    assert np.array_equal(document["shifts_px"], panel.shifts_px)


def _featureless_series(path):
    import hyperspy.api as hs

    rng = np.random.default_rng(0)
    flat = ndimage.gaussian_filter(rng.poisson(5.0, (48, 48)).astype(float), 2)
    signal = hs.signals.Signal2D(np.array([rng.poisson(20 * flat) for _ in range(9)], np.float32))
    tilt = signal.axes_manager.navigation_axes[0]
    tilt.convert_to_non_uniform_axis()
    tilt.axis = np.arange(-40.0, 41.0, 10.0)
    tilt.name, tilt.units = "tilt", "deg"
    signal.save(path)


@pytest.mark.parametrize("given", [False, True])
def test_unmeasured_direction_warns_and_uses_0(tmp_path, capsys, given):
    path = tmp_path / "flat.hspy"
    _featureless_series(path)
    option = ["--tilt-axis-angle", "0"] if given else []
    args = ["tomo", str(path), *option, "--align", "none", "--method", "wbp"]
    assert main([*args, "--out", str(tmp_path / "out"), "--json", "--quiet"]) == 0
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert document["tilt_axis_angle_deg"] == 0.0
    if given:
        assert captured.err == "" and document["tilt_axis_method"] == "given"
        return
    lines = captured.err.splitlines()
    assert lines == [f"insitu-tem: warning: {path}: {document['reason']}"]
    assert "0° used" in lines[0] and "--tilt-axis-angle" in lines[0]
    saved = json.loads((tmp_path / "out" / "alignment.json").read_text())
    assert saved["tilt_axis_method"] == document["tilt_axis_method"] == ""
    assert not saved["ok"] and saved["reason"] == document["reason"]
