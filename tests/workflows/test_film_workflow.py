"""Film thickness, reacted area and the manual marks' fit as session results: known answers on a
synthetic film, provenance, and what makes them stale."""

import numpy as np
import pytest

from insitu_tem.core.model import Axis, Dataset
from insitu_tem.core.results import Result
from insitu_tem.core.session import Session
from insitu_tem.core.uncertainty_text import value_with_sigma
from insitu_tem.figures.kinetics import thickness_text
from insitu_tem.workflows import film, front_manual

N_FRAMES, SIZE, PIXEL_NM = 10, 64, 2.0


def swelling_film() -> Dataset:
    """A horizontal film, rows 20 to 40 in frame 0, whose top edge rises 1 px every 3 frames,
    reacted (darker) left of column 4 t."""
    rows, cols = np.mgrid[:SIZE, :SIZE]
    frames = []
    for t in range(N_FRAMES):
        inside = (rows >= 20 - t // 3) & (rows < 40)
        image = np.where(inside, 500.0, 1500.0)
        image[inside & (cols < 4 * t)] = 200.0
        frames.append(image)
    axes = (
        Axis("t", N_FRAMES, 0.5, 0.0, "s"),
        Axis("y", SIZE, PIXEL_NM, 0.0, "nm"),
        Axis("x", SIZE, PIXEL_NM, 0.0, "nm"),
    )
    return Dataset("movie", np.stack(frames).astype(np.float32), axes)


@pytest.fixture
def session() -> Session:
    s = Session()
    s.set_dataset("movie", swelling_film())
    return s


def test_thickness_along_a_line_across_the_film(session):
    result = film.run_thickness(session, line_rc=[[5.0, 50.0], [55.0, 50.0]], width_px=5)
    value = result.value
    assert value["ok"] and value["reference"] == pytest.approx(40.0, abs=2.0)
    assert value["units"] == "nm" and value["strain"][-1] == pytest.approx(3 / 20, abs=0.03)
    assert result.parameters["line_rc"] == [[5.0, 50.0], [55.0, 50.0]]
    assert session.result_status(film.THICKNESS) == "current"
    assert value["reference_sigma"] == film.thickness_at_start(value)[1] >= PIXEL_NM
    text = thickness_text(value)
    assert f"(1σ {value['reference_sigma']:.2g} nm, the first frames' scatter)" in text
    final, sigma = value["final_strain_percent"], value["final_strain_sigma_percent"]
    strain = f"strain in the last frames {value_with_sigma(final, sigma)} % (1σ: edge fits, start"
    assert strain in text and sigma > 0
    strain_sigma = np.asarray(value["strain_sigma"], float)
    assert np.isfinite(strain_sigma[np.isfinite(np.asarray(value["strain"], float))]).all()
    assert len(value["length_sigma_px"]) == len(value["strain"])


def test_reacted_area_in_a_region_is_stored_with_its_outline(session):
    result = film.run_area(session, region_rc=[22, 38, 0, 64])
    value = result.value
    assert value["polarity"] == -1 and value["units"] == "nm²"
    expected = np.array([4 * t * 16 * PIXEL_NM**2 for t in range(N_FRAMES)])
    np.testing.assert_allclose(value["area"][2:], expected[2:], atol=16 * PIXEL_NM**2)
    assert len(value["contours_rc"]) == N_FRAMES and len(value["contours_rc"][-1]) > 3
    assert result.parameters["region_rc"] == [22, 38, 0, 64]


def test_manual_fit_follows_the_marks_and_the_drift(session):
    session.set_analysis_line([(30.0, 0.0), (30.0, 63.0)])
    session.set_marks({t: [[30.0, 4.0 * t]] for t in range(1, 4)})
    few = front_manual.run(session)
    assert not few.value["fit"]["ok"] and "5 frames" in few.value["fit"]["reason"]
    session.set_marks({t: [[30.0, 4.0 * t]] for t in range(1, 9)})
    assert session.result_status(front_manual.NAME) == "stale"
    value = front_manual.run(session).value
    np.testing.assert_allclose(value["position"], [8.0 * t for t in range(1, 9)], atol=1e-6)
    assert value["fit"]["ok"] and value["fit"]["n"] == pytest.approx(1.0, abs=0.05)
    drift = Result({"shifts_px": np.zeros((N_FRAMES, 2))}, {"reference": "first"})
    session.store_result("drift", drift)
    assert session.result(front_manual.NAME) is None
