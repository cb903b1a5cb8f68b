"""Bad input raises DataError saying what is wrong and what to do."""

import os
import shutil

import numpy as np
import pytest

from insitu_tem.io.load import load
from insitu_tem.core.model import DataError


def test_missing_path(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        load(tmp_path / "absent.dm3")


def test_empty_file(tmp_path):
    (tmp_path / "empty.dm4").write_bytes(b"")
    with pytest.raises(DataError, match="empty"):
        load(tmp_path / "empty.dm4")


def test_folder_without_frames(tmp_path):
    with pytest.raises(DataError, match="folder"):
        load(tmp_path)


def test_unsupported_extension(tmp_path):
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    with pytest.raises(DataError, match="unsupported file type"):
        load(tmp_path / "notes.docx")


@pytest.mark.parametrize(
    "suffix",
    [
        ".dm3",
        ".dm4",
        ".emd",
        ".ser",
        ".emi",
        ".tif",
        ".mrc",
        ".hspy",
        ".msa",
        ".blo",
        ".mp4",
        ".npy",
    ],
)
def test_random_bytes_behind_a_known_extension(tmp_path, suffix):
    path = tmp_path / f"noise{suffix}"
    path.write_bytes(np.random.default_rng(3).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    with pytest.raises(DataError, match="cannot be read|no data|holds"):
        load(path)


@pytest.mark.parametrize(
    "name", ["EELS_STO.dm3", "16_STOimage_1.ser", "Acquisition_18.emd", "test1.blo"]
)
def test_truncated_real_files(realdata, tmp_path, name):
    source = realdata(name)
    target = tmp_path / name
    target.write_bytes(source.read_bytes()[: source.stat().st_size // 3])
    try:
        dataset = load(target)
    except DataError as error:
        assert "cannot be read" in str(error) or "re-export" in str(error)
    else:
        assert dataset.array is not None


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path, realdata):
    target = tmp_path / "locked.dm3"
    shutil.copy(realdata("EELS_STO.dm3"), target)
    target.chmod(0)
    with pytest.raises(DataError, match="permission"):
        load(target)


def test_bad_signal_index_lists_the_signals(realdata):
    with pytest.raises(DataError, match="0: Half FFT, 1: HAADF"):
        load(realdata("FFTComplexEven.emd"), signal=5)


def test_raw_files_are_not_modified_by_loading(realdata):
    path = realdata("EELS_STO.dm3")
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    load(path)
    load(path, lazy=True)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_a_truncated_imagej_movie_is_refused_not_read_as_its_first_frame(tmp_path):
    import tifffile

    movie = tmp_path / "movie.tif"
    tifffile.imwrite(movie, np.ones((6, 32, 32), np.uint16), imagej=True, metadata={"axes": "TYX"})
    data = movie.read_bytes()
    for fraction in (0.5, 0.9):
        movie.write_bytes(data[: int(len(data) * fraction)])
        with pytest.raises(DataError, match="6 frames.*truncated"):
            load(movie)


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_data_without_a_finite_value_are_refused(tmp_path, value):
    np.save(tmp_path / "blank.npy", np.full((16, 16), value, np.float32))
    with pytest.raises(DataError, match="no finite value"):
        load(tmp_path / "blank.npy")


def test_a_folder_of_compressed_frames_is_budgeted_by_its_frame_headers(tmp_path, monkeypatch):
    import tifffile

    import insitu_tem.io.readers.budget as budget

    folder = tmp_path / "frames"
    folder.mkdir()
    for k in range(3):
        tifffile.imwrite(folder / f"f{k}.tif", np.zeros((1024, 1024), np.uint8), compression="zlib")
    size = budget.decoded_size(folder)
    assert (size.total, size.frame) == (3 * 1024**2, 1024**2)
    monkeypatch.setattr(budget, "memory_budget", lambda: 2 * 1024**2)
    with pytest.raises(DataError, match="one frame decodes"):
        load(folder)


def test_an_unreadable_folder_says_to_check_its_permissions(tmp_path, monkeypatch):
    import insitu_tem.io.load as loader

    monkeypatch.setattr(loader.os, "access", lambda path, mode: False)
    with pytest.raises(DataError, match="permission"):
        load(tmp_path)


def test_a_folder_frame_unlike_the_first_is_refused_before_it_is_decoded(tmp_path):
    import tracemalloc

    import tifffile

    folder = tmp_path / "frames"
    folder.mkdir()
    tifffile.imwrite(folder / "f0.tif", np.zeros((8, 8), np.uint8))
    tifffile.imwrite(folder / "f1.tif", np.zeros((8, 8), np.uint8))
    load(folder)
    tifffile.imwrite(folder / "f1.tif", np.zeros((4000, 4000), np.uint8), compression="zlib")
    tracemalloc.start()
    try:
        with pytest.raises(DataError, match="f1.tif is .*4000.*must match"):
            load(folder)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8e6


@pytest.mark.parametrize("shape", [(2, 1000), (1000, 3), (5, 4, 100)])
def test_a_npy_table_or_profile_is_not_opened_as_an_image_or_movie(tmp_path, shape):
    np.save(tmp_path / "profile.npy", np.ones(shape, np.float32))
    with pytest.raises(DataError, match="not an image or a stack of images"):
        load(tmp_path / "profile.npy")


@pytest.mark.parametrize(
    "shape, kind", [((4, 99), "image"), ((5, 100), "image"), ((3, 8, 8), "movie")]
)
def test_small_npy_images_and_stacks_still_open(tmp_path, shape, kind):
    np.save(tmp_path / "small.npy", np.ones(shape, np.float32))
    assert load(tmp_path / "small.npy").kind == kind


def test_the_cli_refuses_a_npy_profile_in_one_line(tmp_path, capsys):
    from insitu_tem.cli.main import main

    np.save(tmp_path / "profile.npy", np.ones((2, 1000), np.float32))
    assert main(["info", str(tmp_path / "profile.npy")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("insitu-tem: error: profile.npy: holds a 2 x 1000 array: 2 series")
    assert err.count("\n") == 1


def test_an_emsa_spectrum_cut_short_is_refused_not_read_shorter(tmp_path):
    """rosettasciio reads an .msa without its last lines as a shorter spectrum: half of
    STO_coreloss.msa opened as 507 channels, its O K edge gone without a word."""
    header = "#FORMAT : EMSA/MAS Spectral Data File\n#VERSION : 1.0\n#TITLE : hl\n"
    header += "#NPOINTS : 8\n#NCOLUMNS : 1\n#XUNITS : eV\n#DATATYPE : XY\n#XPERCHAN : 0.5\n"
    header += "#OFFSET : 400\n#SPECTRUM : Spectral Data Starts Here\n"
    rows = "".join(f"{400 + 0.5 * i}, {100 + i}\n" for i in range(8))
    whole, cut = tmp_path / "whole.msa", tmp_path / "cut.msa"
    whole.write_text(header + rows + "#ENDOFDATA : End Of Data and File\n")
    cut.write_text(header + rows[: rows.index("402.5")])
    assert load(whole).shape == (8,)
    with pytest.raises(DataError, match="header says 8 values .* holds 5; it is truncated"):
        load(cut)


@pytest.mark.parametrize(
    "name, head, message",
    [
        (
            "scan.tif",
            b"\x89HDF\r\n\x1a\n",
            "is an HDF5 file (Velox or Berkeley EMD, HyperSpy), not "
            "what its extension '.tif' says; rename it to end in .emd or .hspy",
        ),
        (
            "movie.h5",
            b"\x89HDF\r\n\x1a\n",
            "not what its extension '.h5' says; rename it to end in .emd or .hspy",
        ),
        (
            "AL-DFoffset0.00",
            b"\x00\x00\x00\x03",
            "is a DigitalMicrograph 3 file without the "
            "extension .dm3 (it ends in '.00'); rename it AL-DFoffset0.00.dm3",
        ),
        (
            "spectrum",
            b"#FORMAT : EMSA/MAS",
            "is an EMSA/MSA spectrum without the extension .msa "
            "or .ems (it has no extension); rename it spectrum.msa",
        ),
        ("log.txt", b"II*\x00", "is a TIFF file, not what its extension '.txt' says"),
    ],
)
def test_a_file_whose_extension_belies_its_content_is_named_and_renamed(
    tmp_path, name, head, message
):
    """Before: 'cannot be read as a TIFF file (TiffFileError: not a TIFF file: header=b'\\x89HDF')
    …', 'unsupported file type '.00'; insitu-tem reads .ali, .avi, …' or 'looks like a holder
    log'."""
    path = tmp_path / name
    path.write_bytes(head + bytes(300))
    with pytest.raises(DataError) as raised:
        load(path)
    assert message in str(raised.value)
