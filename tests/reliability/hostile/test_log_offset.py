"""`front --log-offset` beyond ±1e9 s (or infinite) is refused while the arguments are read:
before, infinity was refused only after the front was tracked and 1e308 was accepted."""

from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[3] / "sample_data"


@pytest.mark.parametrize("value", ["inf", "-inf", "1e308", "-2e9"])
def test_an_offset_beyond_32_years_is_refused_first(refuse, value):
    line = refuse(
        "front",
        SAMPLES / "lithiation_movie.tif",
        "--line",
        "5,30,60,30",
        "--log",
        SAMPLES / "holder_log.csv",
        f"--log-offset={value}",
    )
    assert line.startswith("insitu-tem: error: argument --log-offset: ")
    assert "beyond ±1e+09 s" in line
