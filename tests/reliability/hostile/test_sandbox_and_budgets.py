"""Cases 2 (HDF5 reaching outside its folder), 4 (project path globbed), 6 (small files that
expand into huge memory or time) and 10 (a TIFF truncated while it is read)."""

import json
import struct
import subprocess
import sys
import zlib

import h5py
import numpy as np
import pytest
import tifffile

from insitu_tem.core.model import DataError
from insitu_tem.io.load import load


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secret.bin"
    path.write_bytes(b"password" * 64)
    return path


@pytest.mark.parametrize("how", ["external_link", "external_storage", "virtual"])
def test_hdf5_pointing_outside_its_folder_is_refused(tmp_path, secret, refuse, how):
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / f"{how}.hspy"
    with h5py.File(path, "w") as handle:
        if how == "external_link":
            handle["Experiments/x"] = h5py.ExternalLink(str(secret), "/")
        elif how == "external_storage":
            handle.create_dataset(
                "data", shape=(16, 32), dtype="u1", external=[(str(secret), 0, 512)]
            )
        else:
            layout = h5py.VirtualLayout(shape=(16, 32), dtype="u1")
            layout[:] = h5py.VirtualSource(str(secret), "data", shape=(16, 32))
            handle.create_virtual_dataset("data", layout)
    refuse("info", path, contains="outside the file's folder")


def test_hdf5_external_storage_inside_its_folder_is_followed_with_a_warning(tmp_path):
    (tmp_path / "frames.bin").write_bytes(np.arange(64, dtype=np.uint8).tobytes())
    from insitu_tem.io.readers.hdf5_sandbox import inspect_hdf5

    path = tmp_path / "x.h5"
    with h5py.File(path, "w") as handle:
        handle.create_dataset(
            "data", shape=(8, 8), dtype="u1", external=[(str(tmp_path / "frames.bin"), 0, 64)]
        )
    assert "same folder" in inspect_hdf5(path)[3][0]


def test_a_project_path_of_star_is_never_globbed(raw, refuse):
    project = raw.parent / "p.itproj"
    project.write_text(
        json.dumps(
            {
                "schema_version": 2,
                "files": [{"role": "movie", "path": "*", "sha256": "", "signal": None}],
            }
        )
    )
    refuse("export", project, "--out", raw.parent / "x.png", contains="cannot find")


def deflate_bomb(path, side=40_000, rows_per_strip=500):
    """A one-page TIFF of side × side zeros whose strips all share one small zlib stream."""
    blob = zlib.compress(bytes(side * rows_per_strip), 9)
    n_strips = side // rows_per_strip
    tags = [
        (256, 4, 1, side),
        (257, 4, 1, side),
        (258, 3, 1, 8),
        (259, 3, 1, 8),
        (262, 3, 1, 1),
        (273, 4, n_strips, None),
        (277, 3, 1, 1),
        (278, 4, 1, rows_per_strip),
        (279, 4, n_strips, None),
    ]
    ifd_size = 2 + 12 * len(tags) + 4
    blob_at = 8 + ifd_size
    arrays_at = blob_at + len(blob)
    offsets = struct.pack(f"<{n_strips}I", *([blob_at] * n_strips))
    counts = struct.pack(f"<{n_strips}I", *([len(blob)] * n_strips))
    entries = b""
    for tag, kind, count, value in tags:
        if tag == 273:
            value = arrays_at
        elif tag == 279:
            value = arrays_at + len(offsets)
        entries += struct.pack("<HHII", tag, kind, count, value)
    path.write_bytes(
        b"II*\x00"
        + struct.pack("<I", 8)
        + struct.pack("<H", len(tags))
        + entries
        + struct.pack("<I", 0)
        + blob
        + offsets
        + counts
    )
    return path


def test_a_deflate_bomb_tiff_is_refused_within_memory_and_time(tmp_path, limited, one_line):
    bomb = deflate_bomb(tmp_path / "bomb.tif")
    assert bomb.stat().st_size < 100_000
    assert "GB" in one_line(*limited("radial", bomb)[::2])


def test_an_hdf5_dataset_that_was_never_written_is_refused(tmp_path, limited, one_line):
    path = tmp_path / "empty.hspy"
    with h5py.File(path, "w") as handle:
        handle.create_dataset(
            "Experiments/x/data", shape=(20_000, 1000, 1000), dtype="u1", chunks=(1, 1000, 1000)
        )
    assert "20.0 GB" in one_line(*limited("radial", path, "--kind", "pattern_series")[::2])


def test_an_mrc_whose_header_lies_about_its_size_is_refused(tmp_path, refuse):
    header = bytearray(1024)
    header[:16] = struct.pack("<4i", 10_000, 10_000, 10_000, 2)
    (tmp_path / "lie.mrc").write_bytes(bytes(header) + bytes(16_000))
    refuse("info", tmp_path / "lie.mrc", contains="4.0 TB")


def test_a_blockfile_whose_header_lies_about_its_size_is_refused(tmp_path, refuse):
    header = bytearray(0x2000)
    header[:6], header[12:16] = b"IMGBLO", struct.pack("<I", 0x1000)
    header[20:22], header[24:28] = struct.pack("<H", 144), struct.pack("<2H", 60_000, 60_000)
    (tmp_path / "lie.blo").write_bytes(bytes(header) + bytes(6 * (144 * 144 + 6)))
    refuse("info", tmp_path / "lie.blo", contains="truncated")
    refuse("info", tmp_path / "lie.blo", "--lazy", contains="74.6 TB")


def test_a_tiff_truncated_while_it_is_read_raises_instead_of_sigbus(tmp_path):
    path = tmp_path / "m.tif"
    tifffile.imwrite(path, np.ones((6, 256, 256), np.uint16))
    script = f"""
import os
import numpy as np
from insitu_tem.io.load import load
eager = load({str(path)!r})
lazy = load({str(path)!r}, lazy=True)
os.truncate({str(path)!r}, 1000)
assert np.asarray(eager.frame(5)).sum() == 256 * 256
try:
    np.asarray(lazy.frame(5))
except OSError as error:
    print("refused:", error)
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "shorter than its header says" in result.stdout


def test_lazy_loading_is_decided_by_the_decoded_size_not_by_ram(tmp_path, monkeypatch):
    from insitu_tem.io.readers import budget

    path = tmp_path / "m.npy"
    np.save(path, np.zeros((4, 64, 64), np.uint16))
    assert not load(path).lazy
    monkeypatch.setattr(budget, "LAZY_BYTES", 1000)
    assert load(path).lazy


def test_a_video_decoding_beyond_the_budget_is_refused(tmp_path, monkeypatch):
    import imageio_ffmpeg

    from insitu_tem.io.readers import memory

    path = tmp_path / "v.mp4"
    writer = imageio_ffmpeg.write_frames(
        str(path), (64, 64), macro_block_size=1, ffmpeg_log_level="quiet"
    )
    writer.send(None)
    for _ in range(20):
        writer.send(bytes(64 * 64 * 3))
    writer.close()
    monkeypatch.setattr(memory, "memory_budget", lambda: 2 * 10 * 64 * 64)
    with pytest.raises(DataError, match="decodes to more than"):
        load(path)


def test_volume_commands_check_the_memory_budget_before_reading(tmp_path, refuse, monkeypatch):
    import insitu_tem.io.readers.budget as budget

    volume = tmp_path / "volume.tif"
    tifffile.imwrite(volume, np.zeros((64, 64, 64), np.float32), imagej=True, compression="zlib")
    monkeypatch.setattr(budget, "memory_budget", lambda: 4 * 2**20)
    refuse("segment", volume, "--out", tmp_path / "labels.tif", contains="budget")
    assert not (tmp_path / "labels.tif").exists()
    header = bytearray(1024)
    header[:16] = struct.pack("<4i", 10_000, 10_000, 10_000, 2)
    (tmp_path / "lie.mrc").write_bytes(bytes(header) + bytes(16_000))
    refuse("tomo", tmp_path / "lie.mrc", "--out", tmp_path / "out", contains="4.0 TB")


@pytest.mark.parametrize("command", ["eds", "info"])
def test_a_truncated_bruker_file_is_refused_not_a_crash(
    tmp_path, realdata, limited, one_line, command
):
    source = realdata("edstomo_idp/0.bcf")
    truncated = tmp_path / "0.bcf"
    truncated.write_bytes(source.read_bytes()[: source.stat().st_size // 2])
    assert "truncated" in one_line(*limited(command, truncated)[::2])
