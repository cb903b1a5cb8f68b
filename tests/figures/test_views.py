"""Export renders the session: the same frame, probe, colour map, log/linear, lines, marks,
track and fit as the view state says."""

import numpy as np
import pytest
from matplotlib import colors

from insitu_tem.analysis.movie.kymograph import kymograph
from insitu_tem.core.model import Axis, Dataset
from insitu_tem.core.session import Session
from insitu_tem.figures import overlay_colours
from insitu_tem.figures.kinetics import kinetics_text
from insitu_tem.figures.views import render_view, view_panels
from insitu_tem.workflows import front


def movie() -> Dataset:
    cols = np.arange(40)
    array = np.stack(
        [
            np.where(cols[None, :] < 8 + 8 * np.sqrt(t), 100.0, 900.0) * np.ones((32, 1)) + t
            for t in range(10)
        ]
    )
    return Dataset(
        "movie",
        array.astype(np.float32),
        (
            Axis("t", 10, 0.5, 0.0, "s"),
            Axis("y", 32, 2.0, 0.0, "nm"),
            Axis("x", 40, 2.0, 0.0, "nm"),
        ),
    )


@pytest.fixture
def session() -> Session:
    s = Session()
    s.set_dataset("movie", movie())
    s.set_dataset(
        "hrtem",
        Dataset(
            "movie",
            np.arange(4 * 16 * 16, dtype=float).reshape(4, 16, 16),
            (
                Axis("t", 4, 1.0, 0.0, "s"),
                Axis("y", 16, 0.1, 0.0, "nm"),
                Axis("x", 16, 0.1, 0.0, "nm"),
            ),
        ),
    )
    s.set_dataset(
        "nbd",
        Dataset(
            "pattern_series",
            np.random.default_rng(1).random((6, 20, 20)),
            (
                Axis("x", 6, 3.0, 0.0, "nm"),
                Axis("ky", 20, 0.1, -1.0, "1/nm"),
                Axis("kx", 20, 0.1, -1.0, "1/nm"),
            ),
        ),
    )
    energy = Axis("E", 50, 1.0, 20.0, "eV")
    s.set_dataset(
        "eels",
        Dataset(
            "spectrum_series",
            1.0 + np.arange(6 * 50, dtype=float).reshape(6, 50),
            (Axis("x", 6, 3.0, 0.0, "nm"), energy),
        ),
    )
    s.set_scan_line(
        "eels", {"start_rc": [20.0, 2.0], "end_rc": [20.0, 37.0], "n_positions": 6, "time_s": 2.0}
    )
    s.set_analysis_line([(6.0, 1.0), (6.0, 38.0)])
    s.set_marks({4: [(2.0, 16.0), (12.0, 16.0)]})
    s.set_frame(7)
    s.set_probe(4)
    s.set_view("hrtem.frame", 2)
    s.set_view("nbd.cmap", "viridis")
    s.set_view("nbd.display", "linear")
    s.set_view("eels.log", True)
    s.set_view("movie.levels", [50.0, 950.0])
    return s


def test_frames_patterns_and_spectra_follow_the_view_state(session):
    movie_view, hrtem_view, pattern, spectrum = view_panels(session, "overview")
    np.testing.assert_array_equal(movie_view.frame, session.dataset("movie").frame(7))
    assert movie_view.time_s == 3.5 and movie_view.levels == (50.0, 950.0)
    assert [6.0, 1.0] in [list(p) for p in movie_view.lines_rc[-1][0]]
    np.testing.assert_array_equal(hrtem_view.frame, session.dataset("hrtem").frame(2))
    assert pattern.cmap == "viridis" and pattern.title.startswith("NBD, probe 5")
    np.testing.assert_array_equal(pattern.frame, session.dataset("nbd").frame(4).astype(np.float32))
    assert spectrum.log_y and spectrum.title == "EELS, probe 5"
    np.testing.assert_array_equal(spectrum.curves[0][1], session.dataset("eels").frame(4))
    session.set_view("eels.log", False)
    session.set_probe(1)
    assert not view_panels(session, "eels")[0].log_y and view_panels(session, "nbd")[
        0
    ].title.startswith("NBD, probe 2")


def test_the_exported_movie_draws_each_line_in_its_screen_colour(session):
    figure, _ = render_view(session, "movie", dpi=50)
    drawn = {
        (tuple(np.round(line.get_xdata(), 3)), tuple(np.round(line.get_ydata(), 3))): colors.to_hex(
            line.get_color()
        )
        for line in figure.axes[0].lines
        if line.get_linestyle() == "-"
    }
    assert drawn == {
        ((2.0, 76.0), (12.0, 12.0)): overlay_colours.ANALYSIS_LINE,
        ((4.0, 74.0), (40.0, 40.0)): overlay_colours.SCAN_LINES["eels"],
    }
    session.set_frame(4)
    figure, _ = render_view(session, "movie", dpi=50)
    marks = [line for line in figure.axes[0].lines if list(line.get_xdata()) == [32.0, 32.0]]
    assert [colors.to_hex(line.get_color()) for line in marks] == [overlay_colours.MARKS]


def test_kymograph_runs_along_the_analysis_line_with_track_marks_and_fit(session):
    front.run(session, width_px=3.0)
    view = view_panels(session, "kymograph")[0]
    expected = kymograph(
        session.dataset("movie").array, np.asarray(session.analysis_line), width=3.0
    ).image
    np.testing.assert_array_equal(view.frame, expected)
    labels = [curve[3] for curve in view.curves_rc]
    assert labels[0] == "track" and "marks" in labels
    track_cols = view.curves_rc[0][1]
    np.testing.assert_array_equal(track_cols, session.result("front").value["position_px"])


def test_kinetics_view_shows_the_fit_with_its_uncertainty(session):
    result = front.run(session, width_px=3.0)
    position, velocity = view_panels(session, "kinetics")
    value = result.value
    np.testing.assert_array_equal(position.curves[0][1], value["position"])
    text = kinetics_text(value["fit"], units=value["units"], time_units=value["time_units"])
    assert position.note == text.replace(",  ", "\n") and "n = " in text and "±" in text
    assert [line[0] for line in position.lines] == ["fit", "manual marks"]
    assert velocity.y_label == f"Velocity ({value['velocity_units']})"
    figure, parameters = render_view(session, "kinetics", dpi=50)
    assert parameters["frame"] == 7 and parameters["probe"] == 4 and len(figure.axes) == 2


def test_measuring_tools_on_a_frame_are_exported_with_their_readout_those_on_the_fft_are_not(
    session,
):
    session.set_measurements(
        "movie",
        {
            "view": "frame",
            "tools": {"Ruler": [[10.0, 4.0], [10.0, 44.0]], "Region": [[3.0, 5.0], [23.0, 25.0]]},
            "readout": "ruler: 40 nm, direction 0.0°\nregion (intensity): mean 5",
        },
    )
    session.set_measurements(
        "hrtem", {"view": "FFT", "tools": {"Ruler": [[0.0, 0.0], [1.0, 1.0]]}, "readout": "x"}
    )
    figure, _ = render_view(session, "movie", dpi=50)
    drawn = {
        colors.to_hex(line.get_color()): np.stack([line.get_ydata(), line.get_xdata()], axis=1)
        for line in figure.axes[0].lines
    }
    ruler, region = drawn[overlay_colours.MEASURE_TOOLS["Ruler"]], drawn["#64b5f6"]
    np.testing.assert_allclose(ruler, [[10.0, 4.0], [10.0, 44.0]])
    assert region[:, 0].tolist() == [3.0, 3.0, 23.0, 23.0, 3.0]
    notes = [text.get_text() for text in figure.axes[0].texts]
    assert session.measurements("movie")["readout"] in notes
    session.set_frame(3)
    montage = view_panels(session, "montage", {"count": 4})
    assert [bool(frame.note) for frame in montage] == [False, True, False, False]
    (hrtem,) = view_panels(session, "hrtem")
    assert hrtem.note == "" and hrtem.lines_rc == []


def test_exported_velocity_carries_its_measured_1_sigma_as_error_bars(session):
    value = front.run(session, width_px=3.0).value
    _, velocity = view_panels(session, "kinetics")
    label, measured, sigma = velocity.curves[0]
    assert label == "from positions"
    np.testing.assert_array_equal(measured, np.asarray(value["velocity_measured"], float))
    np.testing.assert_array_equal(sigma, np.asarray(value["velocity_measured_sigma"], float))
    figure, _ = render_view(session, "kinetics", dpi=50)
    bars = figure.axes[1].containers[0]
    (segments,) = bars.lines[2]
    drawn = [np.ptp(s[:, 1]) / 2 for s in segments.get_segments()]
    shown = sigma[np.isfinite(sigma) & np.isfinite(measured)]
    assert shown.size and np.allclose(drawn, shown)


def test_exported_fitted_velocity_carries_its_1_sigma_as_a_band(session):
    value = front.run(session, width_px=3.0).value
    assert value["fit"]["ok"]
    _, velocity = view_panels(session, "kinetics")
    ((label, times, low, high),) = velocity.bands
    v, sigma = np.asarray(value["velocity"], float), np.asarray(value["velocity_sigma"], float)
    keep = np.isin(np.asarray(value["times"], float), times)
    assert label == "fit ±1σ" and times.size >= 2 and np.all(times > value["fit"]["t0"])
    np.testing.assert_allclose((high - low) / 2, sigma[keep])
    np.testing.assert_allclose((high + low) / 2, v[keep])
    figure, _ = render_view(session, "kinetics", dpi=50)
    (band,) = figure.axes[1].collections[-1:]
    drawn = band.get_paths()[0].vertices
    assert drawn[:, 1].min() == pytest.approx(low.min()) and drawn[:, 1].max() == pytest.approx(
        high.max()
    )
