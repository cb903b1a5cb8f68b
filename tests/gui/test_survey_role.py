"""A map opened beside a movie: its HAADF image is the session's survey, not an "HRTEM image".
The FFT panel shows it, the status bar, the Set Calibration list and an exported overview call it
the survey image, a saved project keeps it as the survey, and a project saved before the survey
role (schema 3, the survey kept as the HRTEM image) opens with it as the survey."""

import json

import numpy as np

from insitu_tem.figures.views import overview_views
from insitu_tem.gui.widgets.calibration_dialog import CalibrationDialog
from tests.gui.test_open_spectrum_image import map_file  # noqa: F401 - fixture


def open_map_over_movie(qtbot, window, wait_idle, movie_file, map_file):  # noqa: F811
    window.open_paths([movie_file])
    wait_idle(window)
    window.open_paths([map_file])
    qtbot.waitUntil(lambda: window.state.dataset("survey") is not None, timeout=30000)
    qtbot.waitUntil(lambda: window.state.dataset("eels") is not None, timeout=30000)
    wait_idle(window)


def test_the_maps_haadf_is_the_survey_and_says_so(
    qtbot,
    window,
    wait_idle,
    movie_file,
    map_file,  # noqa: F811 - fixture
):
    open_map_over_movie(qtbot, window, wait_idle, movie_file, map_file)
    survey = window.state.dataset("survey")
    assert window.state.dataset("hrtem") is None and survey.metadata["title"] == "HAADF"
    fft = window.panels["hrtem"]
    assert fft.dataset is survey and np.array_equal(fft.image_view.frame, survey.array)
    assert window.statusBar().currentMessage() == (
        "map.emd: the EELS spectrum image in the EELS panel, the HAADF image as the survey in "
        "the FFT panel (a movie is open)"
    )
    dialog = CalibrationDialog(window.state)
    labels = [dialog.role.itemText(i) for i in range(dialog.role.count())]
    assert labels == ["Movie (movie.tif)", "EELS spectra (map.emd)", "Survey image (map.emd)"]
    dialog.role.setCurrentIndex(2)
    assert dialog.values()[0] == "survey" and dialog.scale.value() == 2.0
    titles = [view.title for view in overview_views(window.state.session)]
    assert "Survey image, HAADF (map.emd)" in titles
    assert not any("HRTEM" in title for title in titles)


def test_a_saved_project_keeps_the_survey(
    qtbot,
    window,
    wait_idle,
    movie_file,
    map_file,  # noqa: F811 - fixture
    tmp_path,
):
    open_map_over_movie(qtbot, window, wait_idle, movie_file, map_file)
    project = tmp_path / "map.itproj"
    window.project.save(project)
    assert set(json.loads(project.read_text())["datasets"]) == {"movie", "eels", "survey"}


def test_a_project_saved_with_the_survey_as_hrtem_image_opens_with_it_as_the_survey(
    qtbot,
    window,
    wait_idle,
    movie_file,
    map_file,  # noqa: F811 - fixture
    tmp_path,
):
    open_map_over_movie(qtbot, window, wait_idle, movie_file, map_file)
    project = tmp_path / "old.itproj"
    window.project.save(project)
    document = json.loads(project.read_text())
    document["schema_version"] = 3
    document["datasets"]["hrtem"] = document["datasets"].pop("survey")
    project.write_text(json.dumps(document))
    window.asker.yes = True
    with qtbot.waitSignal(window.project.restored, timeout=30000):
        window.open_paths([project])
    wait_idle(window)
    assert window.state.dataset("hrtem") is None
    survey = window.state.dataset("survey")
    assert survey is not None and survey.metadata["title"] == "HAADF"
    assert window.panels["hrtem"].dataset is survey
