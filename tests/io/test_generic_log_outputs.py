"""A generic CSV/TSV holder log is raw data: an output never replaces it without --force, as it
never replaces a vendor log; insitu-tem's own CSV results are still rewritten freely."""

import numpy as np
import pytest

from insitu_tem.cli.main import main

LOGS = {
    "bias.csv": "time (ms),bias (V),current (nA)\n0,0,0.0\n500,-0.8,2.5\n1000,-0.8,2.4\n",
    "clock.tsv": "Timestamp\tT [C]\n10:00:00.5\t20\n10:00:01.5\t21\n",
}


@pytest.fixture
def movie(tmp_path):
    path = tmp_path / "m.npy"
    np.save(path, np.random.default_rng(2).random((3, 32, 32)).astype(np.float32))
    return path


@pytest.mark.parametrize("name", LOGS)
def test_a_generic_log_is_replaced_only_with_force(tmp_path, movie, capsys, name):
    log = tmp_path / name
    log.write_text(LOGS[name])
    assert main(["drift", str(movie), "--out", str(log)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and "raw data (a holder log)" in lines[0] and "--force" in lines[0]
    assert log.read_text() == LOGS[name]
    assert main(["drift", str(movie), "--out", str(log), "--force"]) == 0
    assert log.read_text().startswith("frame,time_s")


def test_an_own_csv_result_is_rewritten_without_force(tmp_path, movie, capsys):
    out = tmp_path / "drift.csv"
    assert main(["drift", str(movie), "--out", str(out)]) == 0
    assert main(["drift", str(movie), "--out", str(out)]) == 0
    assert capsys.readouterr().err == ""
