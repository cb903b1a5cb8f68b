"""FFT overlays and calibration as a user meets them at the microscope: the real SrTiO3
image opens zoomed on its reflections with labels that do not overlap, a click picks the
nearest spot (or the spot whose label was clicked), and calibrating on SrTiO3 (100) fits
all reflections, reads 3.905 Å afterwards and keeps the zoom."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from insitu_tem.io.load import load
from insitu_tem.samples import hrtem

A_NM = 0.3905
TIMEOUT = 300000


@pytest.fixture
def panel(fft_panel):
    return fft_panel


def open_dataset(qtbot, panel, dataset):
    with qtbot.waitSignal(panel.measurement_shown, timeout=TIMEOUT):
        panel.state.set_dataset("hrtem", dataset)
    qtbot.waitUntil(panel.tasks.is_idle, timeout=TIMEOUT)


def pixel_range(view):
    """The visible range in pixels of the view's image, (row0, row1, col0, col1); the column
    range also follows the widget's width (locked aspect) when the labels re-flow."""
    rect = view.view.viewRect()
    row, col = view.axes
    return [row.to_index(rect.top()), row.to_index(rect.bottom())] + [
        col.to_index(rect.left()),
        col.to_index(rect.right()),
    ]


def screen_point(panel, x: float, y: float) -> QPoint:
    view = panel.fft_view
    return view.mapFromScene(view.view.mapViewToScene(QPointF(x, y)))


def click(qtbot, panel, point: QPoint) -> None:
    with qtbot.waitSignal(panel.picks_changed, timeout=10000):
        qtbot.mouseClick(panel.fft_view.viewport(), Qt.MouseButton.LeftButton, pos=point)


def test_sto_opens_on_its_reflections_and_calibrates_on_all_of_them(
    qtbot, panel, realdata, reporter
):
    open_dataset(qtbot, panel, load(realdata("16_STOimage.emi")))
    m = panel.jobs.measurement
    low = [s for s, (h, k) in zip(m.spots, m.fit.indices) if 0 < abs(h) + abs(k) <= 2]
    rect = panel.fft_view.view.viewRect()
    assert len(low) >= 6 and rect.width() < 0.4 * (0.5 / panel.pixel_nm()[0])
    assert all(rect.contains(QPointF(*panel.spots.view_position(s))) for s in low)
    shown = panel.spots_overlay.visible_label_rects()
    assert len(shown) >= 6
    assert not any(a.intersects(b) for i, a in enumerate(shown) for b in shown[i + 1 :])
    qtbot.waitUntil(lambda: "SrTiO3 ×0.96" in panel.candidates_label.text(), timeout=TIMEOUT)

    panel.fft_view.view.scaleBy((0.8, 0.8))
    zoom = pixel_range(panel.fft_view)
    with qtbot.waitSignal(panel.measurement_shown, timeout=TIMEOUT):
        panel.controls.set_reference("SrTiO3", "100")
    qtbot.waitUntil(panel.tasks.is_idle, timeout=TIMEOUT)
    fit = panel.jobs.lattice_calibration
    assert fit.ok and len(fit.hkl) >= 6 and fit.factor == pytest.approx(0.966, abs=0.004)
    assert "anisotropy" in panel.warning_label.text() and panel.controls.apply_button.isEnabled()
    with qtbot.waitSignal(panel.measurement_shown, timeout=TIMEOUT):
        qtbot.mouseClick(panel.controls.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(panel.tasks.is_idle, timeout=TIMEOUT)
    check = panel.jobs.measurement.calibration
    sigma = math.hypot(check.sigma_measured_d_nm, A_NM * fit.sigma_factor)
    assert check.agrees and abs(check.measured_d_nm - A_NM) <= sigma
    rows_cols = pixel_range(panel.fft_view)
    assert np.allclose(rows_cols[:2], zoom[:2], atol=0.5)
    assert np.mean(rows_cols[2:]) == pytest.approx(np.mean(zoom[2:]), abs=0.5)
    assert panel.state.session.result("fft").value["calibration"]["factor"] == pytest.approx(
        1.0, abs=2e-3
    )
    assert reporter.reports == []


@pytest.fixture(scope="module")
def wo3(tmp_path_factory):
    movie_path, truth_path = hrtem.write(tmp_path_factory.mktemp("fft_overlays"))
    return load(movie_path), json.loads(truth_path.read_text())


def two_close_spots(panel):
    spots = panel.jobs.measurement.spots
    pairs = [(a, b) for i, a in enumerate(spots) for b in spots[i + 1 :]]
    return min(
        pairs,
        key=lambda p: math.dist(panel.spots.view_position(p[0]), panel.spots.view_position(p[1])),
    )


def test_a_click_between_two_spots_picks_the_nearer_one(qtbot, panel, wo3):
    open_dataset(qtbot, panel, wo3[0])
    panel.fft_view.view.autoRange(padding=0)
    first, second = two_close_spots(panel)
    a = np.array(screen_point(panel, *panel.spots.view_position(first)).toTuple(), float)
    b = np.array(screen_point(panel, *panel.spots.view_position(second)).toTuple(), float)
    for near, target in ((a, first), (b, second)):
        other = b if near is a else a
        step = min(0.4 * np.linalg.norm(other - near), 9.0)
        point = near + step * (other - near) / np.linalg.norm(other - near)
        click(qtbot, panel, QPoint(*np.round(point).astype(int)))
        assert panel.jobs.picked[-1] == target


def test_clicking_a_label_picks_its_spot(qtbot, panel, wo3):
    open_dataset(qtbot, panel, wo3[0])
    labels = panel.spots_overlay.labels
    index = next(i for i, label in enumerate(labels) if label.isVisible())
    centre = labels[index].sceneBoundingRect().center()
    click(qtbot, panel, panel.fft_view.mapFromScene(centre))
    assert panel.jobs.picked == [panel.jobs.measurement.spots[index]]


def test_a_label_beside_the_views_edge_moves_to_the_side_that_is_on_screen(qtbot, panel, wo3):
    open_dataset(qtbot, panel, wo3[0])
    overlay, view = panel.spots_overlay, panel.fft_view.view
    rect = view.viewRect()
    inside = [i for i, (x, y) in enumerate(overlay.positions) if rect.contains(QPointF(x, y))]
    index = max(inside, key=lambda i: overlay.positions[i][0])
    x, y = overlay.positions[index]
    right = x + 0.02 * rect.width()
    view.setRange(xRange=(right - rect.width(), right), padding=0)
    label = overlay.labels[index]
    assert view.viewRect().contains(QPointF(x, y)) and label.isVisible()
    on_screen = panel.fft_view.mapFromScene(label.sceneBoundingRect()).boundingRect()
    assert panel.fft_view.viewport().rect().contains(on_screen)
    assert label.pos().x() < x


def test_spot_labels_are_legible_on_a_dark_ground_over_the_spectrum(qtbot, panel, wo3):
    open_dataset(qtbot, panel, wo3[0])
    view = panel.fft_view
    image = view.grab().toImage()
    shown = [label for label in panel.spots_overlay.labels if label.isVisible()]
    assert shown
    for label in shown:
        box = view.mapFromScene(label.sceneBoundingRect()).boundingRect().adjusted(1, 1, -1, -1)
        lightness = np.array(
            [
                [image.pixelColor(x, y).lightness() for x in range(box.left(), box.right())]
                for y in range(box.top(), box.bottom())
            ]
        )
        assert np.mean(lightness < 80) > 0.5, (label.toPlainText(), np.mean(lightness < 80))
