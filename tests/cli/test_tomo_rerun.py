"""`insitu-tem tomo` and `segment` run again into the same --out: the files they wrote (marked
as insitu-tem's in their TIFF description) are replaced without --force, a raw TIFF never; and
on a series of noise the shifts stay inside the image."""

import json

import numpy as np
import pytest
import tifffile

from insitu_tem.cli.main import main
from insitu_tem.io.tomo_files import write_volume

TILTS = range(-40, 41, 20)


@pytest.fixture
def noise_series(tmp_path):
    folder = tmp_path / "tilts"
    folder.mkdir()
    rng = np.random.default_rng(1)
    for angle in TILTS:
        tifffile.imwrite(folder / f"{angle}.tif", rng.random((24, 24)).astype(np.float32))
    return folder


def tomo(series, out, *extra):
    return main(["tomo", str(series), "--out", str(out), "--json", "--quiet", *extra])


def test_on_noise_the_shifts_stay_in_the_image(noise_series, capsys):
    out = noise_series.with_name("out")
    assert tomo(noise_series, out, "--smooth", "0", "--iterations", "2") == 0
    document = json.loads(capsys.readouterr().out)
    assert np.all(np.abs(document["shifts_px"]) <= 12) and not document["ok"]
    assert "half the image" in document["reason"]


def test_an_alignment_that_is_not_ok_is_a_warning_also_with_the_axis_given(noise_series, capsys):
    out = noise_series.with_name("out")
    assert tomo(noise_series, out, "--tilt-axis-angle", "0", "--iterations", "2") == 0
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert not document["ok"] and document["tilt_axis_method"] == "given"
    assert captured.err.splitlines() == [
        f"insitu-tem: warning: {noise_series}: {document['reason']}"
    ]


def test_a_rerun_replaces_its_own_volumes(noise_series, capsys):
    out = noise_series.with_name("out")
    volume = out / "tilts.tif"
    for _ in range(2):
        assert tomo(noise_series, out, "--tilt-axis-angle", "0", "--iterations", "2") == 0
        assert "raw data" not in capsys.readouterr().err
        written = volume.stat().st_mtime_ns
    assert volume.with_name("tilts_projections.tif").stat().st_mtime_ns >= written


def test_a_segment_rerun_replaces_its_labels(noise_series, tmp_path, capsys):
    volume, labels = tmp_path / "volume.tif", tmp_path / "labels.tif"
    write_volume(volume, np.random.default_rng(2).random((8, 24, 24)), 1.0, "nm")
    for _ in range(2):
        assert main(["segment", str(volume), "--out", str(labels), "--quiet"]) == 0
        assert "raw data" not in capsys.readouterr().err


def test_a_raw_tiff_where_the_volume_goes_is_still_refused(noise_series, capsys):
    out = noise_series.with_name("out")
    out.mkdir()
    raw = out / "tilts.tif"
    tifffile.imwrite(raw, np.ones((3, 24, 24), np.float32), imagej=True)
    content = raw.read_bytes()
    assert tomo(noise_series, out, "--tilt-axis-angle", "0") == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("insitu-tem: error: tilts.tif: exists and is raw data")
    assert raw.read_bytes() == content
