"""The survey role in project files: a schema-3 project that kept a map's HAADF survey as its
"HRTEM image" (the image read from the spectrum image's own file) opens with it as the survey,
with its calibration, view and the result inputs that named it; an HRTEM image of its own file
stays the HRTEM image; the survey round-trips in schema 4."""

import json

from insitu_tem.core.project import SCHEMA_VERSION, load_session, save_session


def schema_3(tmp_path, hrtem_path: str):
    document = {
        "schema_version": 3,
        "program_version": "0.33",
        "datasets": {
            "movie": {"path": "movie.tif", "sha256": "", "signal": None, "kind": "movie"},
            "hrtem": {"path": hrtem_path, "sha256": "", "signal": 0, "kind": "image"},
            "eels": {"path": "0.bcf", "sha256": "", "signal": 1, "kind": "spectrum_series"},
        },
        "calibration": {"hrtem": {"scale": 13.0, "units": "nm"}},
        "view": {"frame": 2, "probe": 0, "hrtem.cmap": "viridis", "hrtem.frame": 0},
        "results": {"fft": {"value": {"d": 1.0}, "inputs": {"hrtem": "file:3:1"}}},
    }
    path = tmp_path / "old.itproj"
    path.write_text(json.dumps(document))
    return path


def test_a_maps_survey_kept_as_the_hrtem_image_opens_as_the_survey(tmp_path):
    session = load_session(schema_3(tmp_path, "0.bcf"))
    assert session.roles == ["movie", "eels", "survey"]
    assert session.source("survey").path == str(tmp_path / "0.bcf")
    assert session.source("survey").signal == 0
    assert session.calibration("survey") == {"scale": 13.0, "units": "nm"}
    assert session.view("survey.cmap") == "viridis" and session.frame == 2
    assert session.result("fft").inputs == {"survey": "file:3:1"}
    save_session(session, tmp_path / "new.itproj")
    document = json.loads((tmp_path / "new.itproj").read_text())
    assert document["schema_version"] == SCHEMA_VERSION == 4
    assert set(document["datasets"]) == {"movie", "eels", "survey"}
    assert load_session(tmp_path / "new.itproj").source("survey").signal == 0


def test_an_hrtem_image_of_its_own_file_stays_the_hrtem_image(tmp_path):
    session = load_session(schema_3(tmp_path, "soot.tif"))
    assert session.roles == ["movie", "hrtem", "eels"]
    assert session.calibration("hrtem") == {"scale": 13.0, "units": "nm"}
    assert session.view("hrtem.cmap") == "viridis"
    assert session.result("fft").inputs == {"hrtem": "file:3:1"}
