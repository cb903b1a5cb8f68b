"""`segment` refuses a bad --smooth, --composition or --kfactors before it writes the labels
(session 37: a rerun no longer stops at "exists and is raw data", which had hidden that
--smooth inf was an internal error, -inf accepted, and a malformed --composition refused only
after the labels were written)."""

import numpy as np
import pytest

from insitu_tem.io.tomo_files import write_volume


@pytest.fixture
def volume(tmp_path):
    path = tmp_path / "v.tif"
    write_volume(path, np.random.default_rng(0).random((8, 24, 24)), 1.0, "nm")
    return path


@pytest.mark.parametrize(
    "option, says",
    [
        (["--smooth=inf"], "--smooth inf must be between 0 and 100"),
        (["--smooth=1e308"], "--smooth 1e+308 must be between 0 and 100"),
        (["--smooth=-inf"], "--smooth -inf must be between 0 and 100"),
        (["--smooth=-1"], "--smooth -1 must be between 0 and 100"),
        (["--composition", "Si"], "--composition 'Si': give ELEMENT=VOLUME.tif"),
        (["--composition", "=x.tif"], "--composition '=x.tif': give ELEMENT=VOLUME.tif"),
        (["--composition", "Si={v}", "Si={v}"], "--composition gives Si twice"),
        (["--composition", "Si=nope.tif"], "nope.tif: no such file"),
        (["--kfactors", "Si=-1"], "--kfactors"),
    ],
)
def test_bad_options_are_refused_before_the_labels_are_written(volume, refuse, option, says):
    labels = volume.with_name("labels.tif")
    argv = [a.replace("{v}", str(volume)) for a in option]
    line = refuse("segment", volume, *argv, "--out", labels)
    assert says in line and not labels.exists()
