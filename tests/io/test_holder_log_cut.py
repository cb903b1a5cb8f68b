"""A holder log cut inside its last row: the row, which may hold a cut number (6.6 of 6.6e12),
is left out with a warning that shows it; a log that ends with a line break loads whole."""

from pathlib import Path

import numpy as np
import pytest

from insitu_tem.core.model import DataError
from insitu_tem.io.holder_logs import load_log
from tests.io.test_holder_logs import dens_text

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "holder_log.csv"
LOGS = ROOT.parent / "shared" / "realdata" / "holder_logs"


def cut_in_last_number(source: Path, target: Path) -> Path:
    """``source`` cut two characters into its last row's last number."""
    data = source.read_bytes().rstrip(b"\r\n")
    last_cell = max(data.rfind(b","), data.rfind(b"\t")) + 1
    while data[last_cell : last_cell + 1] in (b" ", b'"'):
        last_cell += 1
    target.write_bytes(data[: last_cell + 2])
    return target


def generic(tmp_path: Path) -> Path:
    path = tmp_path / "generic.csv"
    rows = [f"{t},{1e-9 * (t + 1):.3e},{6.6e12 + t:.4e}" for t in range(6)]
    path.write_text("time (s),I (A),R (ohm)\n" + "\n".join(rows) + "\n")
    return path


def dens(tmp_path: Path) -> Path:
    path = tmp_path / "heater.dens"
    path.write_text(dens_text([f"10:00:0{i}.000" for i in range(5)]))
    return path


def realdata(name: str):
    def copy(tmp_path: Path) -> Path:
        if not (LOGS / name).is_file():
            pytest.skip(f"../shared/realdata/holder_logs/{name} is absent")
        return LOGS / name

    return copy


@pytest.mark.parametrize(
    "make",
    [
        lambda tmp_path: SAMPLE,
        generic,
        dens,
        realdata("protochips_thermal.csv"),
        realdata("StubExperiment_Synchronized data.csv"),
    ],
    ids=["sample-protochips", "generic-csv", "dens", "protochips-thermal", "impulse"],
)
def test_a_row_cut_at_the_end_is_left_out_and_said(make, tmp_path):
    source = make(tmp_path)
    whole = load_log(source)
    (tmp_path / "cut").mkdir()
    for metadata in source.parent.glob("*_Metadata.log"):
        (tmp_path / "cut" / metadata.name).write_bytes(metadata.read_bytes())
    cut = load_log(cut_in_last_number(source, tmp_path / "cut" / source.name))
    assert whole.warnings == ()
    assert cut.time_s.size == whole.time_s.size - 1
    for name, channel in cut.channels.items():
        np.testing.assert_array_equal(channel.values, whole.channels[name].values[:-1])
    (warning,) = cut.warnings
    assert warning.startswith("ends without a line break") and "left out" in warning
    assert "end it with a line break" in warning


def test_the_sample_log_cut_reads_no_wrong_resistance(tmp_path):
    cut = load_log(cut_in_last_number(SAMPLE, tmp_path / "holder_log.csv"))
    resistance = cut.channel("Channel A Resistance").values
    assert np.nanmin(resistance) > 1e3
    assert cut.summary()["warnings"] == list(cut.warnings)


def test_a_header_without_a_line_break_is_still_refused_in_one_message(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("time (s),I (A)")
    with pytest.raises(DataError, match="header row and at least two data rows"):
        load_log(path)


def test_cutting_leaves_too_few_rows_says_so(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("time (s),I (A)\n0,1\n1,2")
    with pytest.raises(DataError, match="at least two data rows"):
        load_log(path)
