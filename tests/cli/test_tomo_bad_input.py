"""`insitu-tem tomo` on tilt series and --also channels it cannot use: one line naming the file
that is wrong and what to do, exit 2; and --also channels put at their own tilts."""

import struct

import numpy as np
import pytest
import tifffile

from insitu_tem.cli.main import main
from tests.gui.test_line_scan_bad_input import write_hspy

TILTS = np.linspace(-60, 60, 9)


def projections(n=9, side=32):
    """A bright ellipse moving sideways with the tilt: 32 × 32 px images."""
    yy, xx = np.mgrid[:side, :side] - side / 2
    shift = 5 * np.sin(np.deg2rad(np.linspace(-60, 60, n)))[:, None, None]
    return (100 * np.clip(1 - ((xx - shift) ** 2 + yy**2 / 4) / 36, 0, None) + 10).astype(
        np.float32
    )


def write_mrc(path, data, tilts=TILTS):
    """A float32 MRC stack with its angles in a .rawtlt beside it (none when ``tilts`` is
    None)."""
    n, rows, cols = data.shape
    header = bytearray(1024)
    header[:16] = struct.pack("<4i", cols, rows, n, 2)
    header[208:216] = b"MAP \x44\x44\x00\x00"
    path.write_bytes(bytes(header) + np.asarray(data, np.float32).tobytes())
    if tilts is not None:
        path.with_suffix(".rawtlt").write_text("\n".join(f"{a:g}" for a in tilts))
    return path


def one_tilt_hspy(path):
    axes = [("y", 0.5, "nm", 0.0), ("x", 0.5, "nm", 0.0)]
    return write_hspy(path, projections()[:1], [("tilt", 1.0, "deg", 0.0)], axes, "")


def with_nan_tilt(path):
    write_mrc(path, projections(), [*TILTS[:4], float("nan"), *TILTS[5:]])
    return path


def refuse(capsys, argv) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    return err.removeprefix("insitu-tem: error: ").rstrip("\n")


@pytest.mark.parametrize(
    "write, says",
    [
        (
            lambda p: write_mrc(p / "s.mrc", np.ones((9, 32, 32))),
            "s.mrc: its image at -60° is blank (every pixel 1); remove the blank images and "
            "their tilt angles from the series",
        ),
        (
            lambda p: write_mrc(p / "s.mrc", projections(), [10] * 9),
            "s.mrc: holds 9 images at 10° only; a tilt series needs images at two or more tilt "
            "angles — open the whole series, or correct its tilt angles",
        ),
        (
            lambda p: one_tilt_hspy(p / "s.hspy"),
            "s.hspy: holds 1 image at 0° only; a tilt series needs images at two or more tilt "
            "angles — open the whole series, or correct its tilt angles",
        ),
        (
            lambda p: write_mrc(p / "s.mrc", projections(), np.linspace(-120, 120, 9)),
            "s.mrc: its tilt angles reach -120°, beyond ±90° — correct them (one angle per "
            "image, in degrees)",
        ),
        (
            lambda p: with_nan_tilt(p / "s.mrc"),
            "s.mrc: s.rawtlt: angle 5 is nan; give one finite tilt angle per line, in degrees",
        ),
        (
            lambda p: (p / "s.hspy").write_bytes(b"") or p / "s.hspy",
            "s.hspy: is empty (0 bytes); the transfer may have failed — copy the file again",
        ),
        (
            lambda p: write_mrc(p / "s.mrc", projections()[:1]),
            "s.mrc: holds a 2-D signal; a tilt series is a stack of images (tilts × rows × "
            "columns) — open the whole series",
        ),
    ],
    ids=["blank", "all-equal-tilts", "one-tilt", "over-90", "nan-tilt", "empty", "one-image"],
)
def test_a_series_it_cannot_reconstruct_is_refused_naming_it(capsys, tmp_path, write, says):
    series = write(tmp_path)
    assert refuse(capsys, ["tomo", str(series), "--out", str(tmp_path / "out")]) == says
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "channel, says",
    [
        (
            projections()[:5],
            "o.mrc: its tilts (5 from -60 to 0°) are not the series' (9 from -60 to 60°); add a "
            "channel of the same tilt series",
        ),
        (
            np.full((9, 32, 32), np.nan, np.float32),
            "o.mrc: its HAADF images hold 9216 NaN or infinite values, which alignment and "
            "reconstruction cannot use — replace them (e.g. by 0) and export them again",
        ),
    ],
    ids=["fewer-tilts", "nan"],
)
def test_an_also_channel_it_cannot_use_is_refused_naming_the_channel(
    capsys, tmp_path, channel, says
):
    series = write_mrc(tmp_path / "s.mrc", projections())
    also = write_mrc(tmp_path / "o.mrc", channel, TILTS[: len(channel)])
    argv = ["tomo", str(series), "--also", str(also), "--out", str(tmp_path / "out")]
    assert refuse(capsys, argv) == says


def test_an_also_channel_is_put_at_the_series_tilts_in_acquisition_order(capsys, tmp_path):
    order = [4, 5, 3, 6, 2, 7, 1, 8, 0]
    images = projections()[order]
    series = write_mrc(tmp_path / "s.mrc", images, TILTS[order])
    oxygen = write_mrc(tmp_path / "o.mrc", 0.5 * images, None)
    argv = ["tomo", str(series), "--also", str(oxygen), "--out", str(tmp_path / "out")]
    assert main([*argv, "--binning", "2", "--iterations", "2"]) == 0
    ours, theirs = (tifffile.imread(tmp_path / "out" / f"{n}_HAADF_projections.tif") for n in "so")
    np.testing.assert_allclose(theirs, 0.5 * ours, atol=1e-4)


@pytest.mark.parametrize("photometric", ["rgb", "minisblack"])
def test_a_per_tilt_tiff_holding_a_stack_says_so(capsys, tmp_path, photometric):
    folder = tmp_path / "series"
    folder.mkdir()
    images = projections(n=3)
    tifffile.imwrite(folder / "-10.tif", images[0])
    tifffile.imwrite(folder / "10.tif", images, photometric=photometric, planarconfig="separate")
    tifffile.imwrite(folder / "30.tif", images[2])
    assert refuse(capsys, ["tomo", str(folder), "--out", str(tmp_path / "v.tif")]) == (
        "series: 10.tif: holds a stack of images (3 × 32 × 32), not one image "
        "per tilt — open the stack itself as the tilt series, or save each tilt's image in its "
        "own file"
    )
