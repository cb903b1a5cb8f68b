"""The NBD map of a 2-D scan exported (`insitu-tem export --view nbd-map`): the virtual BF image
by default (the Map tab's first map), the map chosen in the project otherwise, on the scan's
axes in nm with a colour bar."""

import json

import numpy as np
import pytest
from PIL import Image

from insitu_tem.analysis.diffraction.virtual_detector import default_detector, virtual_image
from insitu_tem.cli.main import main
from insitu_tem.core.model import DataError
from insitu_tem.core.project import save_session
from insitu_tem.core.session import Session
from insitu_tem.figures.nbd_map import nbd_map_view
from insitu_tem.figures.views import render_view
from insitu_tem.io.load import load
from insitu_tem.samples import nbd_raster
from insitu_tem.workflows import nbd

ROWS, COLS = 4, 5


@pytest.fixture(scope="module")
def raster(tmp_path_factory):
    folder = tmp_path_factory.mktemp("raster")
    return nbd_raster.write(folder, rows=ROWS, cols=COLS)


def _session(raster) -> Session:
    session = Session(checksums=False)
    session.set_dataset("nbd", load(raster))
    return session


def _patterns(session):
    dataset = session.dataset("nbd")
    return np.asarray(dataset.array).reshape((-1,) + dataset.shape[-2:])


def test_the_default_map_is_the_virtual_bf_image_the_map_tab_opens_on(raster):
    session = _session(raster)
    view = nbd_map_view(session)
    patterns = _patterns(session)
    detector = default_detector(patterns)
    inner, outer = detector.radii("BF")
    expected = virtual_image(patterns, centre_rc=detector.centre_rc, inner_px=inner, outer_px=outer)
    np.testing.assert_array_equal(view.frame, expected.reshape(ROWS, COLS))
    assert view.row_axis.units == view.col_axis.units == "nm" and view.col_axis.scale == 10.0
    assert view.colorbar and view.colorbar_label == "Virtual bright field (counts)"
    assert "from the beam of the mean pattern" in " ".join(view.note.split())


def test_the_map_chosen_in_the_project_is_exported_with_its_units(raster):
    session = _session(raster)
    value = nbd.run(session).value
    session.set_panel_state("nbd", {"map": {"quantity": "Lattice strain"}})
    view = nbd_map_view(session)
    strain = 100 * np.array(value["lattice_strain"], float).reshape(ROWS, COLS)
    np.testing.assert_array_equal(view.frame, strain)
    assert view.colorbar_label == "Lattice strain (%)" and view.missing_colour
    assert view.levels[0] == -view.levels[1]
    session.set_panel_state(
        "nbd", {"map": {"quantity": "Virtual bright field", "radii_px": {"BF": [0, 9.0]}}}
    )
    view = nbd_map_view(session)
    centres = np.array(value["centre_px"], float)
    expected = virtual_image(_patterns(session), centre_rc=centres, inner_px=0.0, outer_px=9.0)
    np.testing.assert_array_equal(view.frame.ravel(), expected)
    assert "the fitted beam centre of each probe" in " ".join(view.note.split())


def test_a_measured_map_before_the_analysis_says_what_to_do(raster):
    session = _session(raster)
    session.set_panel_state("nbd", {"map": {"quantity": "Lattice strain"}})
    with pytest.raises(DataError, match="analyse the scan"):
        nbd_map_view(session)


def test_a_line_scan_has_no_map(sample_data):
    path = sample_data / "nbd_linescan.hspy"
    if not path.exists():
        pytest.skip("sample_data/nbd_linescan.hspy not generated")
    session = Session(checksums=False)
    session.set_dataset("nbd", load(path))
    with pytest.raises(DataError, match="not a 2-D scan"):
        render_view(session, "nbd-map", dpi=50)


def test_export_writes_the_nbd_map_png(raster, tmp_path, capsys):
    session = _session(raster)
    project = tmp_path / "raster.itproj"
    save_session(session, project)
    out = tmp_path / "map.png"
    code = main(["export", str(project), "--view", "nbd-map", "--out", str(out), "--dpi", "100"])
    assert code == 0, capsys.readouterr().err
    image = Image.open(out)
    width_in = 85 / 25.4
    assert abs(image.width - width_in * 100) <= 1 and abs(image.height - 0.9 * width_in * 100) <= 1
    assert json.loads(image.text["insitu-tem"])["parameters"]["view"] == "nbd-map"
    grey = np.asarray(image.convert("L"), float)
    assert grey.std() > 20 and (grey < 50).mean() > 0.02


def test_the_pattern_of_a_2d_scan_is_titled_with_its_row_and_column(raster):
    from insitu_tem.figures.views import pattern_view

    session = _session(raster)
    session.set_probe(11)
    assert pattern_view(session).title == "NBD, probe 12 (row 3, col 2 at x = 10 nm, y = 20 nm)"


def _exported_record(session, tmp_path, name: str) -> dict:
    project = tmp_path / f"{name}.itproj"
    save_session(session, project)
    out = tmp_path / f"{name}.png"
    code = main(["export", str(project), "--view", "nbd-map", "--out", str(out), "--dpi", "50"])
    assert code == 0
    return json.loads(Image.open(out).text["insitu-tem"])["parameters"]


def test_the_export_records_which_map_and_which_detector_it_draws(raster, tmp_path):
    session = _session(raster)
    default = _exported_record(session, tmp_path, "default")
    inner, outer = default_detector(_patterns(session)).radii("BF")
    assert default["map"] == "Virtual bright field" and default["detector"] == "BF"
    assert default["detector_radii_px"] == [inner, outer]
    assert default["map_units"] == "counts" and default["map_colour_map"] == "CET-L1"
    shown = nbd_map_view(session)
    assert default["map_levels"] == [float(np.nanmin(shown.frame)), float(np.nanmax(shown.frame))]
    session.set_panel_state(
        "nbd", {"map": {"quantity": "Virtual annular dark field", "radii_px": {"ADF": [5, 11]}}}
    )
    adf = _exported_record(session, tmp_path, "adf")
    assert adf["map"] == "Virtual annular dark field" and adf["detector"] == "ADF"
    assert adf["detector_radii_px"] == [5.0, 11.0]
    assert len(adf["detector_centre_rc_px"]) == 2
    session.set_panel_state(
        "nbd", {"map": {"quantity": "Virtual annular dark field", "radii_px": {"ADF": [6, 11]}}}
    )
    assert _exported_record(session, tmp_path, "adf6")["detector_radii_px"] == [6.0, 11.0]


def test_a_measured_map_records_its_name_and_the_ring_spacing(raster):
    session = _session(raster)
    nbd.run(session)
    session.set_panel_state("nbd", {"map": {"quantity": "Lattice strain"}})
    _, strain = render_view(session, "nbd-map", dpi=50)
    assert strain["map"] == "Lattice strain" and strain["map_units"] == "%"
    assert "detector" not in strain and "known_d_A" not in strain
    assert strain["map_levels"][0] == -strain["map_levels"][1]
