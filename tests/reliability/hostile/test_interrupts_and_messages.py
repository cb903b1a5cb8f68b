"""Cases 5 (--screenshot hangs on a dialog), 9 (Ctrl-C), 13 (extra stderr lines), 14 (messages
that mislead) and 16 (an import race reported as a corrupted file)."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import tifffile

from insitu_tem.cli.main import main


def test_ctrl_c_is_one_line_and_exit_130(raw, refuse, monkeypatch):
    from insitu_tem.cli.commands import drift

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(drift, "drift_of", interrupted)
    assert (
        refuse("drift", raw / "m.tif", "--out", raw.parent / "d.csv", code=130)
        == "insitu-tem: interrupted"
    )
    assert not list(raw.parent.glob("*.csv")) and not list(raw.parent.glob(".*partial*"))


def test_ctrl_c_during_a_movie_export_leaves_no_partial_mp4(tmp_path, one_line):
    movie = np.random.default_rng(0).integers(0, 1000, (400, 192, 192), dtype=np.uint16)
    tifffile.imwrite(tmp_path / "m.tif", movie, imagej=True, metadata={"axes": "TYX"})
    (tmp_path / "p.itproj").write_text(
        json.dumps(
            {
                "schema_version": 2,
                "files": [{"role": "movie", "path": "m.tif", "sha256": "", "signal": None}],
            }
        )
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "insitu_tem.cli.main",
            "export",
            str(tmp_path / "p.itproj"),
            "--view",
            "movie",
            "--out",
            str(tmp_path / "out.mp4"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while (
        not list(tmp_path.glob("*.partial*"))
        and process.poll() is None
        and time.monotonic() < deadline
    ):
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert one_line(process.returncode, err, 130) == "insitu-tem: interrupted"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.tif", "p.itproj"]


def test_library_warnings_and_newlines_in_names_stay_off_the_line(tmp_path, refuse, capsys):
    weird = tmp_path / "a\nb.tif"
    weird.write_bytes(b"II*\x00" + b"\xff" * 60)
    line = refuse("info", weird)
    assert "a\\nb.tif" in line
    nan_image = np.full((32, 32), np.nan, np.float32)
    np.save(tmp_path / "nan.npy", nan_image)
    assert main(["radial", str(tmp_path / "nan.npy"), "--json"]) in (0, 2)
    err = capsys.readouterr().err
    assert "Warning" not in err and len(err.strip().splitlines()) <= 1


def test_messages_name_the_right_file_and_say_what_to_do(tmp_path, raw, refuse, monkeypatch):
    (tmp_path / "bad.dm3").write_bytes(np.random.default_rng(1).bytes(3000))
    (tmp_path / "p.itproj").write_text(
        json.dumps(
            {
                "schema_version": 2,
                "files": [{"role": "movie", "path": "bad.dm3", "sha256": "", "signal": None}],
            }
        )
    )
    assert refuse("export", tmp_path / "p.itproj", "--out", tmp_path / "x.png").startswith(
        "insitu-tem: error: bad.dm3: "
    )
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path / "empty")
    assert refuse("info", ".").startswith("insitu-tem: error: empty: is a folder")
    from insitu_tem.cli.commands import drift

    def out_of_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(drift, "drift_of", out_of_memory)
    assert "--roi" not in refuse("drift", raw / "m.tif", contains="memory")


def test_a_damaged_autosave_does_not_suggest_opening_itself(tmp_path):
    from insitu_tem.core.model import DataError
    from insitu_tem.core.project import load_session

    (tmp_path / "p.itproj.autosave").write_text("{broken")
    with pytest.raises(DataError) as caught:
        load_session(tmp_path / "p.itproj.autosave")
    assert "open the project file itself" in str(caught.value)


def test_an_import_error_is_an_internal_error_never_a_bad_file(raw, refuse, monkeypatch):
    from insitu_tem.io.readers import tiff_reader

    def broken(*args, **kwargs):
        raise ImportError(
            "cannot import name 'annotate' from partially initialized module 'dask.base'"
        )

    monkeypatch.setattr(tiff_reader, "read", broken)
    line = refuse("info", raw / "m.tif", code=1)
    assert "failed to import" in line and "corrupted" not in line


def test_threads_loading_at_once_in_a_fresh_process_all_succeed(raw):
    script = f"""
import threading
from insitu_tem.io.load import load
paths = [{str(raw / "m.tif")!r}, {str(raw / "patterns.npy")!r}] * 2
barrier, errors = threading.Barrier(len(paths)), []
def work(path):
    barrier.wait()
    try:
        load(path, lazy=True).frame(0)
    except Exception as error:
        errors.append(repr(error))
threads = [threading.Thread(target=work, args=(p,)) for p in paths]
[t.start() for t in threads]
[t.join() for t in threads]
print(errors)
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and result.stdout.strip() == "[]", (
        result.stderr[-2000:] + result.stdout
    )


def test_screenshot_never_waits_for_a_dialog(tmp_path, one_line):
    (tmp_path / "p.itproj").write_text(
        json.dumps(
            {
                "schema_version": 2,
                "files": [{"role": "movie", "path": "gone.tif", "sha256": "", "signal": None}],
            }
        )
    )
    (tmp_path / "p.itproj.autosave").write_text((tmp_path / "p.itproj").read_text())
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "insitu_tem.cli.main",
            "--screenshot",
            str(tmp_path / "s.png"),
            str(tmp_path / "p.itproj"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
    )
    assert "gone.tif" in one_line(result.returncode, result.stderr)


def test_ctrl_c_during_a_batch_is_one_line(tmp_path, raw, one_line):
    for i in range(30):
        (tmp_path / f"m{i:02d}.tif").write_bytes((raw / "m.tif").read_bytes())
    (tmp_path / "p.toml").write_text(
        '[pipeline]\ninputs = ["m*.tif"]\n[[step]]\ncommand = "drift"\n'
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "insitu_tem.cli.main",
            "batch",
            str(tmp_path / "p.toml"),
            "--workers",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while (
        not (tmp_path / "results").exists()
        and process.poll() is None
        and time.monotonic() < deadline
    ):
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert one_line(process.returncode, err, 130) == "insitu-tem: interrupted"


FINALISER_INTERRUPT = """
import signal, weakref
from insitu_tem.cli.commands.common import catch_interrupts, stderr_progress
catch_interrupts()
class Node:
    pass
node = Node()
reference = weakref.ref(node, lambda _: signal.raise_signal(signal.SIGINT))
del node
try:
    stderr_progress(False)(0.5)
except KeyboardInterrupt:
    print("interrupt kept")
"""


def test_ctrl_c_inside_a_finaliser_prints_no_traceback():
    """Ctrl-C delivered while Python runs a weakref callback (as matplotlib's transforms have) is
    kept for the next progress report and not printed as "Exception ignored"."""
    done = subprocess.run(
        [sys.executable, "-c", FINALISER_INTERRUPT], capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == "interrupt kept"
    assert done.stderr == ""
