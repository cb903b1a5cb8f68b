"""Absolute frame times from the files' metadata (Velox, DigitalMicrograph, the sample TIFF),
checked against what the files record, read independently (h5py, the DataBar strings)."""

import json
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from insitu_tem.analysis.timeline.sync import movie_clock
from insitu_tem.io.load import load

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"


def test_velox_stack_carries_each_frame_time_stamp(realdata):
    import h5py

    path = realdata("fei_example_tem_stack.emd")
    movie = load(path)
    times, start = movie_clock(movie)
    with h5py.File(path, "r") as handle:
        table = next(iter(handle["Data/Image"].values()))["Metadata"][()]
    stamps = [
        float(
            json.loads(bytes(c).rstrip(b"\0"))["CustomProperties"]["Detectors[BM-Ceta].TimeStamp"][
                "value"
            ]
        )
        for c in table.T
    ]
    assert movie.metadata["start_time_clock"] == "UTC"
    assert start == datetime(2019, 12, 5, 10, 3, 46, 238991)
    assert times == pytest.approx((np.array(stamps) - stamps[0]) / 1e6)
    assert times[1] == pytest.approx(0.799976)


def test_velox_image_without_frame_stamps_has_the_acquisition_start(realdata):
    image = load(realdata("FFTComplexEven.emd"), signal=1)
    assert image.metadata["start_time"] == "2022-09-28T00:27:07"


def test_digitalmicrograph_databar_time_refined_by_the_os_clock(realdata):
    pattern = load(realdata("bismuth.dm3"))
    assert pattern.metadata["start_time"] == "2018-02-21T17:46:42.135052"
    assert pattern.metadata["start_time_clock"] == "local"
    spectrum = load(realdata("08_carbon.dm3"))
    assert spectrum.metadata["start_time"] == "2017-08-29T13:58:43"


def test_files_without_acquisition_times_have_none(realdata):
    image = load(realdata("Acquisition_18.emd"))
    assert "start_time" not in image.metadata
    assert movie_clock(load(SAMPLES / "hrtem_movie.tif"))[1] is None


def test_the_sample_movie_records_its_start_on_a_slow_camera_clock():
    truth = json.loads((SAMPLES / "holder_log.truth.json").read_text())
    times, start = movie_clock(load(SAMPLES / "lithiation_movie.tif"))
    assert start == datetime.fromisoformat(truth["movie_start_recorded"])
    assert times == pytest.approx(truth["frame_times_s"])
