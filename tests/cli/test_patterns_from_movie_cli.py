"""Per-pattern commands read a movie (a plain TIFF stack) as a pattern series, with a note."""

import json

import numpy as np
import pytest
import tifffile

from insitu_tem.cli.main import main

CENTRE = (30.4, 33.2)


@pytest.fixture
def ring_movie(tmp_path):
    """Five 64² ring patterns saved as an ImageJ movie (TYX, nm), ring at 20 px."""
    rows, cols = np.indices((64, 64))
    r = np.hypot(rows - CENTRE[0], cols - CENTRE[1])
    pattern = (
        1000 * np.exp(-0.5 * ((r - 20) / 1.5) ** 2) + 2000 * np.exp(-0.5 * (r / 2.0) ** 2) + 50
    )
    stack = np.stack([pattern * (1 + 0.1 * i) for i in range(5)]).astype(np.uint16)
    path = tmp_path / "patterns.tif"
    tifffile.imwrite(
        path, stack, imagej=True, resolution=(1.0, 1.0), metadata={"axes": "TYX", "unit": "nm"}
    )
    return path


def run(capsys, *args):
    code = main([*map(str, args), "--json"])
    captured = capsys.readouterr()
    return code, (json.loads(captured.out) if code == 0 else None), captured.err


def test_radial_reads_a_movie_as_patterns_and_says_so(capsys, ring_movie):
    centre = f"{CENTRE[0]},{CENTRE[1]}"
    code, doc, err = run(capsys, "radial", ring_movie, "--centre", centre)
    assert code == 0, err
    assert "read as a series of 5 diffraction patterns" in doc["note"]
    code, explicit, err = run(
        capsys, "radial", ring_movie, "--centre", centre, "--kind", "pattern_series"
    )
    assert code == 0, err
    assert "note" not in explicit
    np.testing.assert_array_equal(
        np.array(doc["profiles"], float), np.array(explicit["profiles"], float)
    )
    profiles, r = np.array(doc["profiles"], float), np.array(doc["r_px"])
    assert profiles.shape == (5, len(r))
    assert all(r[10 + np.nanargmax(p[10:])] == pytest.approx(20, abs=1) for p in profiles)


def test_radial_finds_the_centre_of_a_movie_of_patterns(capsys, ring_movie):
    code, doc, err = run(capsys, "radial", ring_movie)
    assert code == 0, err
    assert doc["centre_px"] == pytest.approx(CENTRE, abs=0.3)


def test_diffraction_takes_one_pattern_of_a_movie(capsys, ring_movie):
    code, doc, err = run(
        capsys,
        "diffraction",
        ring_movie,
        "--index",
        3,
        "--centre",
        f"{CENTRE[0]},{CENTRE[1]}",
        "--scale",
        0.02,
        "--units",
        "1/nm",
    )
    assert code == 0, err
    assert "diffraction patterns" in doc["note"] and doc["centre_px"] == pytest.approx(CENTRE)
