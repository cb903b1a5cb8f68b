"""Opening a project with a movie and an HRTEM image: the FFT panel measures the image, not
the movie first; without its image it shows the movie; the image's stored result is drawn once,
not measured again."""

import time

import numpy as np
import tifffile

from insitu_tem.gui.controllers import opener
from insitu_tem.gui.panels.fft.controller import FftController


def _project(window, wait_idle, movie_file, tmp_path):
    image = tmp_path / "image.tif"
    frame = np.random.default_rng(1).integers(0, 1000, size=(48, 48), dtype=np.uint16)
    tifffile.imwrite(image, frame, imagej=True, resolution=(1.0, 1.0), metadata={"unit": "nm"})
    window.open_paths([movie_file])
    wait_idle(window)
    window.workbench().opener.open(image, role="hrtem")
    wait_idle(window)
    assert window.panels["hrtem"].dataset is window.state.dataset("hrtem")
    project = tmp_path / "session.itproj"
    window.project.save(project)
    return project, image


def _measured_roles(monkeypatch, image) -> list:
    """Roles of the regions the FFT panel measures; the image arrives after the movie."""
    load = opener.load

    def image_last(path, **options):
        if path.name == image.name:
            time.sleep(1.0)
        return load(path, **options)

    monkeypatch.setattr(opener, "load", image_last)
    roles = []
    measure = FftController.measure

    def recording(self, region):
        roles.append(region.role)
        return measure(self, region)

    monkeypatch.setattr(FftController, "measure", recording)
    return roles


def test_the_fft_panel_measures_the_projects_image_only(
    window, wait_idle, movie_file, tmp_path, monkeypatch
):
    project, image = _project(window, wait_idle, movie_file, tmp_path)
    roles = _measured_roles(monkeypatch, image)
    window.open_paths([project])
    wait_idle(window)
    assert window.state.dataset("movie") is not None
    assert window.panels["hrtem"].dataset is window.state.dataset("hrtem")
    assert set(roles) == {"hrtem"}


def test_the_fft_panel_shows_the_movie_when_the_projects_image_is_missing(
    qtbot, window, wait_idle, movie_file, tmp_path, monkeypatch
):
    project, image = _project(window, wait_idle, movie_file, tmp_path)
    image.unlink()
    roles = _measured_roles(monkeypatch, image)
    with qtbot.waitSignal(window.project.restored, timeout=30000):
        window.open_paths([project])
    wait_idle(window)
    assert window.state.dataset("hrtem") is None
    assert window.panels["hrtem"].dataset is window.state.dataset("movie")
    assert roles == ["movie"]


def test_reopening_a_project_draws_its_fft_result_once(window, wait_idle, movie_file, tmp_path):
    project, _image = _project(window, wait_idle, movie_file, tmp_path)
    started = []
    window.tasks.started.connect(lambda _task, description: started.append(description))
    window.open_paths([project])
    wait_idle(window)
    assert started.count("FFT") == 1 and "FFT lattice" not in started
