"""The timeline figure: frames, kymograph and log traces on one time axis."""

from pathlib import Path

import numpy as np
import pytest

from insitu_tem.core.session import Session
from insitu_tem.figures.kinetics import kymograph_view
from insitu_tem.figures.timeline import CHARGE, timeline_figure
from insitu_tem.figures.views import montage_views
from insitu_tem.io.holder_logs import load_log
from insitu_tem.io.load import load
from insitu_tem.analysis.timeline.frames import frame_timeline

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"


@pytest.fixture(scope="module")
def parts():
    session = Session()
    session.set_dataset("movie", load(SAMPLES / "lithiation_movie.tif"))
    session.set_analysis_line([(128.0, 20.0), (128.0, 250.0)])
    log = load_log(SAMPLES / "holder_log.csv")
    timeline = frame_timeline(np.arange(60) * 0.5, log, offset_s=5.0)
    return montage_views(session, count=3), kymograph_view(session), log, timeline


def test_traces_share_the_kymograph_time_axis_and_mark_the_frames(parts):
    frames, kymograph, log, timeline = parts
    figure = timeline_figure(frames, kymograph, log, timeline, dpi=72)
    kymo_ax, *trace_axes = figure.axes[3:]
    assert [ax.get_ylabel().split("\n")[0] for ax in trace_axes] == [
        CHARGE,
        "Channel A Current",
        "Channel A Voltage",
    ]
    assert all(ax.get_shared_x_axes().joined(ax, kymo_ax) for ax in trace_axes)
    frame_times = [f.time_s for f in frames]
    dashed = [line.get_xdata()[0] for line in trace_axes[0].lines if line.get_linestyle() == "--"]
    assert dashed == pytest.approx(frame_times)
    charge_line = trace_axes[0].lines[0]
    assert np.allclose(charge_line.get_ydata() * 1e-12, timeline.charge_C, equal_nan=True)
    assert trace_axes[0].get_ylabel().endswith("(pC)")
    bias_step = trace_axes[2].lines[0]
    x, y = bias_step.get_xdata(), bias_step.get_ydata()
    assert x[np.argmax(y < -400)] == pytest.approx(0.0, abs=0.11)


def test_unknown_channel_is_refused(parts):
    frames, kymograph, log, timeline = parts
    with pytest.raises(ValueError, match="no channel 'T'"):
        timeline_figure(frames, kymograph, log, timeline, channels=["T"])


def test_export_timeline_view_of_a_project_with_a_log(tmp_path, capsys):
    import shutil

    from insitu_tem.cli.main import main
    from insitu_tem.core.project import load_session, save_session

    for name in (
        "sample.itproj",
        "lithiation_movie.tif",
        "hrtem_movie.tif",
        "nbd_linescan.hspy",
        "eels_linescan.hspy",
        "holder_log.csv",
    ):
        shutil.copy(SAMPLES / name, tmp_path / name)
    session = load_session(tmp_path / "sample.itproj")
    session.set_analysis_line([(128.0, 20.0), (128.0, 250.0)])
    session.set_panel_state("timeline", {"log_path": "holder_log.csv", "offset_s": 5.0})
    project = tmp_path / "with_log.itproj"
    save_session(session, project)
    out = tmp_path / "timeline.png"
    assert (
        main(["export", str(project), "--view", "timeline", "--out", str(out), "--dpi", "60"]) == 0
    ), capsys.readouterr().err
    assert out.stat().st_size > 10_000
    bare = tmp_path / "bare.itproj"
    without_log = load_session(tmp_path / "sample.itproj")
    without_log.set_panel_state("timeline", {})
    save_session(without_log, bare)
    assert main(["export", str(bare), "--view", "timeline", "--out", str(tmp_path / "x.png")]) == 2
    assert "no holder log" in capsys.readouterr().err


def test_the_front_track_is_drawn_on_the_kymograph_in_movie_time(parts):
    from insitu_tem.workflows import front

    frames, _, log, timeline = parts
    session = Session()
    session.set_dataset("movie", load(SAMPLES / "lithiation_movie.tif"))
    session.set_analysis_line([(128.0, 20.0), (128.0, 250.0)])
    track = front.run(session).value
    figure = timeline_figure(frames, kymograph_view(session), log, timeline, dpi=72)
    kymo_ax = figure.axes[3]
    dotted = [line for line in kymo_ax.lines if line.get_linestyle() == "None"]
    assert dotted, "the front track is missing from the kymograph"
    x = dotted[0].get_xdata()
    assert x.min() >= 0.0 and x.max() == pytest.approx(max(track["times"]), abs=0.5)


def test_the_session_dose_is_a_trace_of_the_exported_timeline(tmp_path):
    from insitu_tem.figures.views import render_view
    from insitu_tem.workflows import dose

    session = Session(checksums=False)
    session.set_dataset("movie", load(SAMPLES / "lithiation_movie.tif"))
    session.set_analysis_line([(128.0, 20.0), (128.0, 250.0)])
    session.set_panel_state("timeline", {"log_path": str(SAMPLES / "holder_log.csv")})
    value = dose.run(session, beam_current_nA=1.0).value
    figure, _ = render_view(session, "timeline", dpi=60, options={"count": 2})
    dose_ax = figure.axes[-1]
    assert dose_ax.get_ylabel().startswith("cumulative dose")
    assert np.allclose(dose_ax.lines[0].get_ydata(), value["cumulative_e_per_A2"])


def test_the_peak_pixel_dose_and_its_band_are_exported_when_the_dose_is_from_counts():
    from insitu_tem.figures.views import render_view
    from insitu_tem.workflows import dose

    session = Session(checksums=False)
    session.set_dataset("movie", load(SAMPLES / "lithiation_movie.tif"))
    session.set_analysis_line([(128.0, 20.0), (128.0, 250.0)])
    session.set_panel_state("timeline", {"log_path": str(SAMPLES / "holder_log.csv")})
    value = dose.run(session, counts_per_electron=10.0).value
    figure, _ = render_view(session, "timeline", dpi=60, options={"count": 2})
    peak_ax = figure.axes[-1]
    assert peak_ax.get_ylabel().startswith("peak pixel dose")
    assert np.allclose(peak_ax.lines[0].get_ydata(), value["peak_pixel_cumulative_e_per_A2"])
    band = peak_ax.collections[0].get_paths()[0].vertices[:, 1]
    sigma = np.asarray(value["peak_pixel_cumulative_sigma_e_per_A2"])
    top = np.asarray(value["peak_pixel_cumulative_e_per_A2"]) + sigma
    assert band.max() == pytest.approx(top.max(), rel=1e-6)
