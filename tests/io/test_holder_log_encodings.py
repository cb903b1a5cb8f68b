"""Holder logs saved by Windows software as UTF-16 (with or without a byte-order mark) read as
their UTF-8 originals do, and are protected from being written over like them."""

from pathlib import Path

import numpy as np
import pytest

from insitu_tem.cli.main import main
from insitu_tem.io.holder_logs import load_log

SAMPLE_LOG = Path(__file__).resolve().parents[2] / "sample_data" / "holder_log.csv"
GENERIC = "time (ms),bias (V),current (nA)\r\n0,0,0.0\r\n500,-0.8,2.5\r\n1000,-0.8,2.4\r\n"
DENS = (
    "14/03/'26 10:00\tDigiheater 3.1\nR0=100.0\ta=0.0039\tb=0.0\tc=0.0\ndelta_t=0.5\n"
    "sample\ttime\tTset[C]\tTmeas[C]\tRheat[ohm]\n0\t10:00:00.000\t300\t299\t150\n"
    "1\t10:00:00.500\t300\t300\t150\n"
)
ENCODINGS = ["utf-16", "utf-16-be-bom", "utf-16-le", "utf-8-sig"]


def encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-16-be-bom":
        return b"\xfe\xff" + text.encode("utf-16-be")
    return text.encode(encoding)


def same_log(a, b) -> bool:
    return (
        a.format == b.format
        and a.start == b.start
        and np.array_equal(a.time_s, b.time_s)
        and {n: c.units for n, c in a.channels.items()}
        == {n: c.units for n, c in b.channels.items()}
        and all(
            np.array_equal(a.channels[n].values, b.channels[n].values, True) for n in a.channels
        )
        and [n.text for n in a.notes] == [n.text for n in b.notes]
    )


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize(
    "name, text",
    [("protochips.csv", SAMPLE_LOG.read_text()), ("bias.csv", GENERIC), ("heater.dens", DENS)],
    ids=["protochips", "generic", "dens"],
)
def test_a_utf16_log_reads_as_its_utf8_original(tmp_path, name, text, encoding):
    original, converted = tmp_path / f"utf8_{name}", tmp_path / name
    original.write_bytes(text.encode())
    converted.write_bytes(encode(text, encoding))
    assert same_log(load_log(converted), load_log(original))


def test_the_log_command_reads_a_utf16_protochips_log(tmp_path, capsys):
    path = tmp_path / "windows.csv"
    path.write_bytes(encode(SAMPLE_LOG.read_text(), "utf-16"))
    assert main(["log", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and 'format: "protochips"' in captured.out


def test_a_utf16_vendor_log_is_not_written_over_without_force(tmp_path, capsys):
    log = tmp_path / "windows.csv"
    log.write_bytes(encode(SAMPLE_LOG.read_text(), "utf-16"))
    before = log.read_bytes()
    movie = tmp_path / "m.npy"
    np.save(movie, np.random.default_rng(1).random((3, 32, 32)).astype(np.float32))
    assert main(["drift", str(movie), "--out", str(log)]) == 2
    assert "--force" in capsys.readouterr().err and log.read_bytes() == before
