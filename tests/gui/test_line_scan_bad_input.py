"""Line scans the analyses cannot use, opened alone or with a project, are refused on the panel's
status line naming the file and what to do: no error dialog, no result, the window usable."""

import json

import h5py
import numpy as np
import pytest
import tifffile
from rsciio.hspy import file_writer


def write_hspy(path, data, nav, sig, signal_type):
    """A HyperSpy file of ``data`` with navigation axes ``nav`` and signal axes ``sig`` (each a
    list of (name, scale, units, offset))."""
    navigate = [True] * len(nav) + [False] * len(sig)
    axes = [
        {"name": n, "size": size, "scale": s, "offset": o, "units": u, "navigate": on}
        for (n, s, u, o), size, on in zip(nav + sig, data.shape, navigate)
    ]
    file_writer(
        str(path),
        {
            "data": data,
            "axes": axes,
            "metadata": {"General": {"title": path.stem}, "Signal": {"signal_type": signal_type}},
            "original_metadata": {},
            "tmp_parameters": {},
            "attributes": {"_lazy": False},
            "learning_results": {},
            "models": {},
            "package_info": {},
        },
    )
    return path


def scan(path, patterns):
    position = [("position", 2.0, "nm", 0.0)]
    k = [("ky", 0.1, "1/nm", 0.0), ("kx", 0.1, "1/nm", 0.0)]
    return write_hspy(path, patterns, position, k, "diffraction")


def spectra(path, counts):
    position, energy = [("position", 2.0, "nm", 0.0)], [("E", 0.5, "eV", -10.0)]
    return write_hspy(path, counts, position, energy, "EELS")


def nan_patterns():
    patterns = np.random.default_rng(0).random((6, 16, 16)).astype(np.float32)
    patterns[2, 3:5] = np.nan
    return patterns


@pytest.mark.parametrize(
    "patterns, says",
    [
        (nan_patterns(), "scan.hspy: holds 32 NaN, infinite or overflowing values"),
        (np.ones((6, 1, 1), np.float32), "scan.hspy: holds 1 × 1 px patterns"),
    ],
)
def test_a_scan_the_analysis_cannot_use_is_refused_naming_the_file(
    qtbot, window, wait_idle, tmp_path, movie_file, patterns, says
):
    window.open_paths([scan(tmp_path / "scan.hspy", patterns)])
    wait_idle(window)
    assert window.panels["nbd"].status.text().startswith(says)
    assert window.reporter.reports == []
    assert window.state.session.result("nbd") is None
    window.open_paths([movie_file])
    wait_idle(window)
    assert window.panels["movie"].dataset is not None


def line_scan_project(tmp_path, movie_file, counts) -> str:
    spectra(tmp_path / "eels.hspy", counts)
    line = {"start_rc": [16.0, 2.0], "end_rc": [16.0, 30.0], "n_positions": 5, "time_s": 1.0}
    project = tmp_path / "scan.itproj"
    project.write_text(
        json.dumps(
            {
                "schema_version": 3,
                "datasets": {
                    role: {"path": name, "sha256": "", "signal": None, "kind": None}
                    for role, name in (("movie", movie_file.name), ("eels", "eels.hspy"))
                },
                "scan_lines": {"eels": line},
            }
        )
    )
    return project


def eels_counts(n: int) -> np.ndarray:
    energy = np.arange(256) * 0.5 - 10.0
    peak = 1e4 * np.exp(-0.5 * (energy / 0.6) ** 2) + 50.0
    return np.random.default_rng(1).poisson(np.tile(peak, (n, 1))).astype(np.float32)


def with_nan(counts):
    counts[1, 40:60] = np.nan
    return counts


@pytest.mark.parametrize(
    "counts, says",
    [
        (eels_counts(2), "eels.hspy: holds 2 probes but the EELS scan line has 5 positions"),
        (with_nan(eels_counts(5)), "eels.hspy: holds 20 NaN, infinite or overflowing values"),
    ],
)
def test_the_across_view_refuses_a_line_scan_it_cannot_use_naming_the_file(
    qtbot, window, wait_idle, tmp_path, movie_file, counts, says
):
    window.open_paths([line_scan_project(tmp_path, movie_file, counts)])
    wait_idle(window)
    qtbot.waitUntil(lambda: window.panels["across"].status.text() != "", timeout=5000)
    assert says in window.panels["across"].status.text()
    assert window.reporter.reports == []
    assert window.state.session.result("across") is None


def test_the_across_view_says_when_the_movie_shows_no_front(
    qtbot, window, wait_idle, tmp_path, movie_file
):
    window.open_paths([line_scan_project(tmp_path, movie_file, eels_counts(5))])
    wait_idle(window)
    qtbot.waitUntil(lambda: "no frame" in window.panels["across"].status.text(), timeout=5000)
    assert window.panels["across"].status.text() == (
        "Across the front: the front was found in no frame of the movie; mark it with the "
        "movie's Mark front tool"
    )
    assert window.reporter.reports == []


def test_the_across_view_refuses_spectra_without_its_edges_naming_the_file(
    qtbot, window, wait_idle, tmp_path, front_movie
):
    window.open_paths([line_scan_project(tmp_path, front_movie, eels_counts(5)[:, :3])])
    wait_idle(window)
    qtbot.waitUntil(lambda: "eels.hspy" in window.panels["across"].status.text(), timeout=5000)
    assert window.panels["across"].status.text() == (
        "Across the front: eels.hspy: its spectra span -10 to -9 eV, without the W-O23 edge "
        "(36.8 eV) this view measures — open the line scan's low-loss spectra"
    )
    assert window.reporter.reports == []


def test_a_file_whose_axes_disagree_with_its_data_is_refused_naming_it(
    qtbot, window, wait_idle, tmp_path
):
    path = spectra(tmp_path / "eels.hspy", eels_counts(3))
    with h5py.File(path, "r+") as file:
        group = next(g for g in file["Experiments"].values())
        del group["data"]
        group["data"] = np.ones((3, 100), np.float32)
    window.open_paths([path])
    wait_idle(window)
    qtbot.waitUntil(lambda: len(window.reporter.reports) == 1)
    assert window.reporter.reports[0].message == (
        "eels.hspy: its axes say 3 × 256 but its data are 3 × 100; the file is damaged — "
        "export it again"
    )


def test_the_across_view_says_a_one_frame_movie_is_an_image(
    qtbot, window, wait_idle, tmp_path, movie_file
):
    frame = tmp_path / "frame.tif"
    metadata = {"axes": "YX", "unit": "nm"}
    tifffile.imwrite(frame, tifffile.imread(movie_file)[0], imagej=True, metadata=metadata)
    window.open_paths([line_scan_project(tmp_path, frame, eels_counts(5))])
    wait_idle(window)
    qtbot.waitUntil(lambda: "image" in window.panels["across"].status.text(), timeout=5000)
    assert window.panels["across"].status.text() == (
        "Across the front: the movie data is an image, but this analysis needs a movie — open "
        "one as the movie data"
    )
