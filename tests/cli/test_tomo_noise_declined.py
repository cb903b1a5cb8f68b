"""`insitu-tem tomo` on a series with nothing to align on (noise, smooth noise, a gradient) says so
in every --align mode: ok=False, the reason naming the projections; an object moving through the
series still aligns."""

import json

import numpy as np
import pytest
from scipy import ndimage

from insitu_tem.cli.main import main
from tests.cli.test_tomo_bad_input import TILTS, projections, write_mrc

NOISE_TILTS = np.linspace(-60, 60, 31)


def noise(rng):
    return rng.poisson(20, (31, 24, 24))


def smooth_noise(rng):
    return ndimage.gaussian_filter(rng.normal(size=(31, 24, 24)), (0, 2, 2)) + 5


def gradient(rng):
    rows, cols = np.mgrid[:24, :24]
    return rng.poisson(np.broadcast_to(10 + rows + cols, (31, 24, 24)))


def alignment(tmp_path, data, tilts, mode) -> dict:
    path = write_mrc(tmp_path / "series.mrc", data, tilts)
    argv = ["tomo", str(path), "--align", mode, "--tilt-axis-angle", "0", "--iterations", "2"]
    code = main([*argv, "--out", str(tmp_path / "out"), "--json", "--quiet"])
    assert code == 0
    return json.loads((tmp_path / "out" / "alignment.json").read_text())


@pytest.mark.parametrize("make", [noise, smooth_noise, gradient])
@pytest.mark.parametrize("mode", ["xcorr", "com", "none", "auto"])
def test_a_series_without_an_object_is_declined(tmp_path, make, mode):
    document = alignment(tmp_path, make(np.random.default_rng(7)), NOISE_TILTS, mode)
    assert document["ok"] is False
    assert "projections [" in document["reason"] and "than noise would" in document["reason"]


@pytest.mark.parametrize("mode", ["xcorr", "com", "none"])
def test_a_moving_object_is_still_aligned(tmp_path, mode):
    data = np.random.default_rng(7).poisson(projections()).astype(np.float32)
    assert alignment(tmp_path, data, TILTS, mode)["ok"] is True
