"""`insitu-tem tomo` on a phantom series with one frame of noise: the alignment stays ok, a
warning names the frame and says it is left out, alignment.json lists it, and the projections
written for `segment` are the ones reconstructed (without it, at their own tilts)."""

import json

import numpy as np
import tifffile

from insitu_tem.cli.main import main
from insitu_tem.samples.tomo import Phantom, make_series
from tests.cli.test_tomo_bad_input import write_mrc

K = 5


def test_a_frame_of_noise_is_named_and_left_out(tmp_path, capsys):
    phantom = Phantom(size=48, tilts_deg=tuple(np.arange(-60.0, 60.1, 7.5)), seed=3)
    stack, tilts = make_series(phantom)["haadf"], np.asarray(phantom.tilts_deg)
    stack[K] = np.random.default_rng(0).poisson(stack[K].mean(), stack[K].shape)
    path = write_mrc(tmp_path / "series.mrc", stack, tilts)
    argv = ["tomo", str(path), "--align", "xcorr", "--tilt-axis-angle", "0", "--iterations", "2"]
    assert main([*argv, "--out", str(tmp_path / "out"), "--json"]) == 0
    err = capsys.readouterr().err
    assert f"projections [{K}] share far less structure" in err and "Left out" in err
    document = json.loads((tmp_path / "out" / "alignment.json").read_text())
    assert document["ok"] is True and document["left_out_projections"] == [K]
    with tifffile.TiffFile(tmp_path / "out" / "series_projections.tif") as tif:
        written = tif.asarray()
        metadata = json.loads(tif.pages[0].description)
    assert written.shape[0] == tilts.size - 1
    assert metadata["tilts_deg"] == np.delete(tilts, K).tolist()
