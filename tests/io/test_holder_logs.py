"""Holder logs: vendor formats with their recorded times, units, start times and live notes."""

import logging
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from insitu_tem.core.model import DataError
from insitu_tem.io.holder_logs import load_log

LOGS = Path(__file__).resolve().parents[2].parent / "shared" / "realdata" / "holder_logs"
needs_logs = pytest.mark.skipif(
    not LOGS.is_dir(), reason="../shared/realdata/holder_logs is absent"
)


def rsciio_signals(reader, path):
    logging.getLogger("rsciio").setLevel(logging.ERROR)
    return reader(str(path))


@needs_logs
def test_protochips_electrical_channels_units_start_and_values_match_rosettasciio():
    from rsciio.protochips import file_reader

    log = load_log(LOGS / "protochips_electrical.csv")
    assert log.format == "protochips"
    assert log.start == datetime(2014, 10, 8, 16, 26, 51, 738000)
    assert [(c.name, c.units) for c in log.channels.values()][:3] == [
        ("Channel A Current", "A"),
        ("Channel A Voltage", "V"),
        ("Channel A Resistance", "Ω"),
    ]
    assert log.time_s[:3] == pytest.approx([0.0, 0.147, 0.196])
    reference = rsciio_signals(file_reader, LOGS / "protochips_electrical.csv")
    assert len(reference) == len(log.channels)
    for signal, channel in zip(reference, log.channels.values()):
        assert np.allclose(signal["data"], channel.values, equal_nan=True)


@needs_logs
def test_protochips_thermal_log_in_degrees_celsius():
    log = load_log(LOGS / "protochips_thermal.csv")
    assert list(log.channels) == ["Channel A Temperature"]
    assert log.channels["Channel A Temperature"].units == "°C"
    assert log.start == datetime(2014, 12, 3, 17, 15, 37, 192000)


@needs_logs
def test_impulse_log_has_gases_notes_and_recorded_times():
    from rsciio.impulse import file_reader

    path = LOGS / "StubExperiment_Synchronized data.csv"
    log = load_log(path)
    assert log.format == "impulse"
    assert log.start.date() == datetime(2021, 8, 6).date()
    assert abs((log.start - datetime(2021, 8, 6, 13, 40, 19)).total_seconds()) < 1.0
    assert [n.text for n in log.notes] == ["Live note one", "Live note two", "Live note three"]
    note_clock = [log.start.timestamp() + n.time_s for n in log.notes]
    expected = [datetime(2021, 8, 6, 13, 46, s).timestamp() for s in (46, 52, 56)]
    assert note_clock == pytest.approx(expected, abs=1e-6)
    assert log.channels["Temperature Measured"].units == "°C"
    assert "% H2 measured" in log.channels and "mass spec 28 (Nitrogen)" in log.channels
    reference = {
        s["metadata"]["General"]["title"]: s["data"] for s in rsciio_signals(file_reader, path)
    }
    assert np.allclose(
        reference["Temperature Measured (degC)"], log.channels["Temperature Measured"].values
    )
    assert np.all(np.diff(log.time_s) > 0) and log.time_s[0] == pytest.approx(7.787)


def dens_text(times):
    lines = [
        "14/03/'26 23:59\tDigiheater 3.1",
        "R0=100.0\ta=0.0039\tb=0.0\tc=0.0",
        "delta_t=0.5",
        "sample\ttime\tTset[C]\tTmeas[C]\tRheat[ohm]\tVheat[V]\tIheat[mA]\tPheat [mW]\tc",
    ]
    for i, t in enumerate(times):
        lines.append(f"{i}\t{t}\t300\t{299.0 + i}\t150.1\t1.2\t8.0\t9.6\t0")
    return "\n".join(lines) + "\n"


def test_dens_log_reads_every_column_across_midnight(tmp_path):
    from rsciio.dens import file_reader

    path = tmp_path / "heater.dens"
    path.write_text(dens_text(["23:59:58.500", "23:59:59.000", "23:59:59.500", "00:00:00.000"]))
    log = load_log(path)
    assert log.format == "dens" and log.time_s == pytest.approx([0, 0.5, 1.0, 1.5])
    assert log.start == datetime(2026, 3, 14, 23, 59, 58, 500000)
    assert {n: c.units for n, c in log.channels.items()} == {
        "Tset": "°C",
        "Tmeas": "°C",
        "Rheat": "Ω",
        "Vheat": "V",
        "Iheat": "mA",
        "Pheat": "mW",
    }
    assert np.allclose(file_reader(str(path))[0]["data"], log.channels["Tmeas"].values)


def test_generic_csv_with_units_in_titles_and_clock_times(tmp_path):
    path = tmp_path / "bias.csv"
    path.write_text("time (ms),bias (V),current (nA)\n0,0,0.0\n500,-0.8,2.5\n1000,-0.8,2.4\n")
    log = load_log(path)
    assert log.time_s == pytest.approx([0, 0.5, 1.0])
    assert {n: c.units for n, c in log.channels.items()} == {"bias": "V", "current": "nA"}
    clock = tmp_path / "clock.tsv"
    clock.write_text("Timestamp\tT [C]\n10:00:00.5\t20\n10:00:01.5\t21\n")
    assert load_log(clock).time_s == pytest.approx([0, 1.0])


def test_ambiguous_time_column_asks_for_it(tmp_path):
    path = tmp_path / "two.csv"
    path.write_text("time,t,current (A)\n0,0,1\n1,1,2\n")
    with pytest.raises(DataError, match="--time-column"):
        load_log(path)
    assert load_log(path, time_column="t").time_s == pytest.approx([0, 1])


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"\x00\x01binary", "binary"),
        (b"Time, Notes, Channel A Current\n0, Date (yyyy.mm.dd) = 2014.10.08, 0\n", "no data rows"),
        (b"time,current (A)\n0,1\n-1,2\n", "not increasing"),
        (b"just some words\n", "header row"),
        (b"time,current (A)\n0," + b"9" * 200_000 + b"\n1,2\n", "field larger"),
        (b"Time, Notes, Channel A Current\n0,," + b"9" * 200_000 + b"\n", "field larger"),
    ],
)
def test_bad_logs_say_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(DataError, match=message):
        load_log(path)


def test_an_impulse_metadata_log_given_as_the_log_names_the_log_beside_it(tmp_path):
    """It used to ask for a --time-column among 'Experiment date, 06-08-2021'."""
    meta = tmp_path / "Run_Metadata.log"
    meta.write_text("Experiment date, 06-08-2021\nExperiment time, 13:40:19\n")
    with pytest.raises(DataError, match="'Run_Synchronized data.csv' or 'Run_Heat raw.csv'"):
        load_log(meta)
    (tmp_path / "Run_Heat raw.csv").write_text("TimeStamp,Experiment time\n")
    with pytest.raises(
        DataError,
        match="metadata of a DENSsolutions Impulse log, not the log; give 'Run_Heat raw.csv' ",
    ):
        load_log(meta)
