"""Case 1 (raw data overwritten) and case 15 (--out '' ignored): every writer refuses inputs."""

import json
import os

import numpy as np
import pytest
import tifffile

from insitu_tem.io.outputs import OutputError, check_output, output_file


def test_drift_refuses_its_own_input_and_every_alias_of_it(raw, refuse, tmp_path):
    (tmp_path / "link.tif").symlink_to(raw / "m.tif")
    os.link(raw / "m.tif", tmp_path / "hard.tif")
    for target in (
        raw / "m.tif",
        tmp_path / "link.tif",
        tmp_path / "hard.tif",
        raw / "sub" / ".." / "m.tif",
    ):
        line = refuse("drift", raw / "m.tif", "--out", target, "--force")
        assert "is an input of this run" in line


@pytest.mark.parametrize(
    "argv",
    [
        ["front", "{m}", "--line", "5,30,60,30", "--out", "{m}"],
        ["drift", "{m}", "--out", ""],
        ["front", "{m}", "--line", "5,30,60,30", "--out", "{folder}"],
    ],
)
def test_writers_refuse_inputs_empty_names_and_folders_before_any_work(raw, refuse, argv):
    argv = [a.format(m=raw / "m.tif", folder=raw) for a in argv]
    refuse(*argv)


def test_an_existing_data_file_needs_force_and_an_export_of_ours_does_not(
    raw, refuse, tmp_path, capsys
):
    other = tmp_path / "other.csv"
    tifffile.imwrite(other, np.zeros((8, 8), np.uint16), photometric="minisblack")
    line = refuse("drift", raw / "m.tif", "--out", other)
    assert "--force" in line
    from insitu_tem.cli.main import main

    assert main(["drift", str(raw / "m.tif"), "--out", str(other), "--force", "--quiet"]) == 0
    assert other.read_text().startswith("frame,")
    capsys.readouterr()
    named_as_data = tmp_path / "other.tif"
    tifffile.imwrite(named_as_data, np.zeros((8, 8), np.uint16))
    line = refuse("drift", raw / "m.tif", "--out", named_as_data, "--force")
    assert "writes a CSV table" in line
    ours = tmp_path / "ours.tif"
    ours.write_bytes(b"II*\x00" + b'{"program": "insitu-tem"}')
    check_output(ours)
    capsys.readouterr()


def test_a_file_opened_as_raw_data_in_the_session_is_never_an_output(raw, tmp_path):
    from insitu_tem.io.load import load

    load(raw / "pattern.npy")
    with pytest.raises(OutputError, match="input"):
        check_output(raw / "pattern.npy", force=True)


def test_a_failed_or_interrupted_write_leaves_no_partial_file(tmp_path):
    for error in (OSError("disk full"), KeyboardInterrupt()):
        with pytest.raises(type(error)):
            with output_file(tmp_path / "out.csv") as temporary:
                temporary.write_text("half")
                raise error
        assert list(tmp_path.iterdir()) == []


def test_export_and_across_refuse_the_project_s_raw_files(raw, refuse):
    project = raw.parent / "p.itproj"
    project.write_text(
        json.dumps(
            {
                "schema_version": 2,
                "files": [{"role": "movie", "path": "raw/m.tif", "sha256": "", "signal": None}],
            }
        )
    )
    refuse("export", project, "--view", "movie", "--out", raw / "m.tif", contains="input")
    refuse(
        "export", project, "--view", "movie", "--out", raw / "m.mp4", "--fps", "0", contains="--fps"
    )
    refuse(
        "export", project, "--out", project.with_suffix(".tif"), "--dpi", "9000", contains="--dpi"
    )
    refuse("export", project, "--out", raw.parent / "x.png", "--options", "5", contains="--options")
    refuse("across", project, "--csv", raw / "m.tif", contains="input")


def test_volume_commands_refuse_to_write_over_their_input(raw, refuse):
    volume = raw.parent / "volume.tif"
    tifffile.imwrite(
        volume, np.random.default_rng(0).random((8, 16, 16)).astype(np.float32), imagej=True
    )
    stamp = (volume.read_bytes(), volume.stat().st_mtime_ns)
    refuse("segment", volume, "--out", volume, "--force", contains="input")
    assert (volume.read_bytes(), volume.stat().st_mtime_ns) == stamp


PROTOCHIPS_LOG = "Time, Notes, Channel A Current\n0,,1e-9\n1000,,2e-9\n"


def test_an_input_named_by_an_option_is_never_an_output(raw, refuse, tmp_path):
    log = tmp_path / "holder.csv"
    log.write_text(PROTOCHIPS_LOG)
    refuse(
        "front",
        raw / "m.tif",
        "--line",
        "2,2,20,2",
        "--log",
        log,
        "--out",
        log,
        "--force",
        contains="input",
    )
    assert log.read_text() == PROTOCHIPS_LOG
    volume = tmp_path / "volume.tif"
    tifffile.imwrite(volume, np.ones((4, 8, 8), np.float32), imagej=True)
    element = tmp_path / "si.tif"
    tifffile.imwrite(element, np.ones((4, 8, 8), np.float32), imagej=True)
    stamp = element.read_bytes()
    refuse(
        "segment",
        volume,
        "--composition",
        f"Si={element}",
        "--out",
        element,
        "--force",
        contains="input",
    )
    assert element.read_bytes() == stamp


@pytest.mark.parametrize(
    "name, content, kind",
    [
        ("tilt.bcf", b"AAMVHFSS" + bytes(64), "a microscope data file"),
        ("stack.st", bytes(1100), "a microscope data file"),
        ("holder.csv", None, "a holder log"),
    ],
    ids=["bruker", "tilt-stack", "holder-log"],
)
def test_raw_files_other_readers_take_need_force(raw, refuse, tmp_path, name, content, kind):
    target = tmp_path / name
    target.write_bytes(PROTOCHIPS_LOG.encode() if content is None else content)
    stamp = target.read_bytes()
    line = refuse("drift", raw / "m.tif", "--out", target)
    assert f"is raw data ({kind})" in line and "--force" in line
    assert target.read_bytes() == stamp


def test_a_csv_that_is_no_holder_log_is_replaced_without_force(raw, tmp_path, capsys):
    from insitu_tem.cli.main import main

    ours = tmp_path / "drift.csv"
    ours.write_text("frame,time_s\n0,0\n")
    assert main(["drift", str(raw / "m.tif"), "--out", str(ours), "--quiet"]) == 0
    assert ours.read_text().startswith("frame,time_s,dy_px")
    capsys.readouterr()


def test_holder_logs_and_tilt_series_read_are_never_outputs(tmp_path):
    from insitu_tem.io.holder_logs import load_log
    from insitu_tem.io.readers.tilt_series import load_tilt_series

    log = tmp_path / "holder.csv"
    log.write_text(PROTOCHIPS_LOG)
    load_log(log)
    series = tmp_path / "series"
    series.mkdir()
    for angle in (-10, 0, 10):
        tifffile.imwrite(series / f"{angle}.tif", np.arange(64, dtype=np.float32).reshape(8, 8))
    load_tilt_series(series)
    for path in (log, series / "0.tif"):
        with pytest.raises(OutputError, match="input"):
            check_output(path, force=True)


def test_an_unwritable_output_folder_is_refused_before_any_work(tmp_path, monkeypatch):
    import insitu_tem.io.outputs as outputs

    monkeypatch.setattr(outputs.os, "access", lambda path, mode: False)
    with pytest.raises(OutputError, match="not writable"):
        check_output(tmp_path / "out.csv")


@pytest.mark.parametrize(
    "argv, contains",
    [
        (["eels", "{p}", "--edge", "C-K", "--out", "{m}"], "m.tif: is a file, not a folder"),
        (["eels", "{p}", "--edge", "C-K", "--out", ""], "--out: is empty; give a folder name"),
        (["eels", "{p}", "--out", "{folder}/maps"], "give --edge NAME too"),
        (["tomo", "{p}", "--out", "{m}"], "m.tif: is a file, not a folder"),
        (["tomo", "{p}", "--out", "{m}/sub"], "sub: cannot be written ("),
    ],
)
def test_output_folders_are_checked_before_the_input_is_read(raw, refuse, argv, contains):
    """--out DIR of eels and tomo: a raw file or an empty name used to be found only after the
    analysis (eels: 'cannot write the map (File exists)'); pattern.npy is no spectrum nor tilt
    series, so an input error would come first if the input were read."""
    folder = raw.parent
    argv = [a.format(p=raw / "pattern.npy", m=raw / "m.tif", folder=folder) for a in argv]
    refuse(*argv, contains=contains)
    assert not (folder / "maps").exists()


def test_an_unwritable_results_folder_is_refused(tmp_path, monkeypatch):
    import insitu_tem.io.outputs as outputs

    monkeypatch.setattr(outputs.os, "access", lambda path, mode: False)
    with pytest.raises(OutputError, match=r"^cannot be written \(.* cannot hold new folders\)"):
        outputs.check_output_folder(tmp_path / "new" / "maps")
    with pytest.raises(OutputError, match=r"^cannot be written; choose another --out"):
        outputs.check_output_folder(tmp_path)
