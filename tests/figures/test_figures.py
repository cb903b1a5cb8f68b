"""Exported figures: the scale bar measures right in pixels, provenance is embedded, formats
work."""

import json

import numpy as np
import pytest
import tifffile
from PIL import Image

from insitu_tem.cli.main import main
from insitu_tem.core.model import Axis
from insitu_tem.core.project import save_session
from insitu_tem.core.session import DataSource, Session
from insitu_tem.figures.export import frame_figure, provenance, save_figure
from insitu_tem.figures.frame import FrameView


def bar_length_px(png_path) -> int:
    """Longest run of pure-white pixels in any row of the lower fifth of the image."""
    rgb = np.asarray(Image.open(png_path).convert("RGB")).astype(int)
    white = (rgb == 255).all(axis=2)
    best = 0
    for row in white[int(white.shape[0] * 0.8) :]:
        padded = np.concatenate([[0], row.astype(int), [0]])
        edges = np.flatnonzero(np.diff(padded))
        if len(edges):
            best = max(best, int((edges[1::2] - edges[::2]).max()))
    return best


@pytest.mark.parametrize("scale_nm, zoom", [(0.5, 2.0), (2.0, 1.0), (0.137, 3.0)])
def test_exported_scale_bar_length_in_pixels(tmp_path, scale_nm, zoom):
    frame = np.full((200, 300), 40.0)
    view = FrameView(
        frame, Axis("y", 200, scale_nm, 0, "nm"), Axis("x", 300, scale_nm, 0, "nm"), levels=(0, 255)
    )
    figure, drawn = frame_figure(view, pixels_per_image_pixel=zoom, dpi=100)
    path = save_figure(figure, tmp_path / "frame.png", dpi=100, record={})
    expected = drawn["bar_length"] / scale_nm * zoom
    assert bar_length_px(path) == pytest.approx(expected, abs=1.5)


def test_screen_and_export_choose_the_same_bar(qtbot):
    from insitu_tem.gui.widgets.image_view import CalibratedImageView

    row, col = Axis("y", 256, 2.0, 0, "nm"), Axis("x", 256, 2.0, 0, "nm")
    frame = np.random.default_rng(0).random((256, 256))
    screen = CalibratedImageView()
    qtbot.addWidget(screen)
    screen.resize(600, 600)
    screen.show()
    screen.set_frame(frame, axes=(row, col), auto_range=True)
    qtbot.waitUntil(lambda: screen.scale_bar.length > 0)
    _, drawn = frame_figure(FrameView(frame, row, col), dpi=100)
    assert screen.scale_bar.length == drawn["bar_length"] == 100.0


def test_png_carries_provenance(tmp_path):
    view = FrameView(np.ones((10, 10)), Axis("y", 10, 1, 0, "nm"), Axis("x", 10, 1, 0, "nm"))
    figure, _ = frame_figure(view, dpi=100)
    record = provenance(["/data/movie.dm4"], {"view": "movie", "frame": 3})
    save_figure(figure, tmp_path / "a.png", dpi=100, record=record)
    stored = json.loads(Image.open(tmp_path / "a.png").text["insitu-tem"])
    assert stored["sources"] == ["/data/movie.dm4"] and stored["parameters"]["frame"] == 3
    assert stored["program"] == "insitu-tem"


@pytest.mark.parametrize(
    "suffix, magic", [(".svg", b"<?xml"), (".pdf", b"%PDF"), (".tif", b"II*\x00")]
)
def test_vector_and_tiff_formats(tmp_path, suffix, magic):
    view = FrameView(np.ones((10, 10)), Axis("y", 10, 1, 0, "nm"), Axis("x", 10, 1, 0, "nm"))
    figure, _ = frame_figure(view, dpi=100)
    path = save_figure(figure, tmp_path / f"a{suffix}", dpi=100, record=provenance([], {}))
    assert path.read_bytes()[:4] == magic[:4]
    if suffix == ".svg":
        assert b"insitu-tem" in path.read_bytes()


@pytest.fixture
def project_path(tmp_path):
    movie = np.random.default_rng(1).integers(0, 1000, size=(8, 48, 64), dtype=np.uint16)
    tifffile.imwrite(
        tmp_path / "movie.tif",
        movie,
        imagej=True,
        resolution=(1.0, 1.0),
        metadata={"axes": "TYX", "unit": "nm", "finterval": 0.5},
    )
    path = tmp_path / "p.itproj"
    session = Session()
    session.add_source("movie", DataSource(str(tmp_path / "movie.tif")))
    session.set_scan_line("eels", {"start_rc": [20, 5], "end_rc": [20, 60]})
    session.set_frame(6)
    save_session(session, path)
    return path


def test_export_cli_renders_views_headless(project_path, tmp_path, capsys):
    out = tmp_path / "movie.png"
    assert (
        main(
            [
                "export",
                str(project_path),
                "--view",
                "movie",
                "--out",
                str(out),
                "--dpi",
                "150",
                "--json",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["out"] == str(out)
    assert json.loads(Image.open(out).text["insitu-tem"])["parameters"]["frame"] == 6
    montage = tmp_path / "montage.pdf"
    assert (
        main(
            [
                "export",
                str(project_path),
                "--view",
                "montage",
                "--out",
                str(montage),
                "--options",
                '{"times_s": [0, 1.5, 3.5]}',
            ]
        )
        == 0
    )
    assert montage.read_bytes()[:4] == b"%PDF"


def test_export_cli_movie_to_gif_and_mp4(project_path, tmp_path, capsys):
    gif = tmp_path / "m.gif"
    assert main(["export", str(project_path), "--out", str(gif), "--fps", "5"]) == 0
    assert Image.open(gif).n_frames == 8
    mp4 = tmp_path / "m.mp4"
    assert main(["export", str(project_path), "--out", str(mp4)]) == 0
    from insitu_tem.io.load import load

    assert load(mp4).shape[0] == 8


def test_export_cli_errors(project_path, tmp_path, capsys):
    assert (
        main(["export", str(project_path), "--view", "nbd", "--out", str(tmp_path / "x.png")]) == 2
    )
    assert "no nbd data" in capsys.readouterr().err
    assert (
        main(["export", str(project_path), "--view", "movie", "--out", str(tmp_path / "x.bmp")])
        == 2
    )
    assert "cannot export .bmp" in capsys.readouterr().err


def test_publication_figure_with_kymograph_from_the_sample_project(sample_data, tmp_path, capsys):
    project = sample_data / "sample.itproj"
    if not project.exists():
        pytest.skip("sample_data not generated")
    out = tmp_path / "figure.svg"
    assert (
        main(
            [
                "export",
                str(project),
                "--view",
                "figure",
                "--options",
                '{"times_s": [0, 15, 29.5]}',
                "--out",
                str(out),
            ]
        )
        == 0
    )
    svg = out.read_text()
    assert "Kymograph" in svg and "Distance along the line (nm)" in svg
    assert "times_s" in svg and "29.5" in svg


def test_kymograph_shows_the_front_advancing(sample_data):
    from insitu_tem.figures.views import kymograph_view
    from insitu_tem.workflows.project import open_session

    project_path = sample_data / "sample.itproj"
    if not project_path.exists():
        pytest.skip("sample_data not generated")
    view = kymograph_view(open_session(project_path))
    image = view.frame
    first, last = image[0], image[-1]
    assert view.axis_labels[0] == "Time (s)" and image.shape[0] == 60
    assert np.mean(last[:40]) < np.mean(first[:40]) - 0.1 * np.std(first), (
        "reacted region darkens behind the front"
    )
