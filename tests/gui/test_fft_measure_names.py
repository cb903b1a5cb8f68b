"""The FFT panel's Measure tab names the image it measures on by the image's role."""

from __future__ import annotations

from tests.gui.test_fft_panel import panel, sample  # noqa: F401 - the fixtures


def test_the_measure_tab_names_a_survey_image_so_and_measures_on_it(
    qtbot,
    panel,  # noqa: F811
    sample,  # noqa: F811
):
    dataset, _ = sample
    with qtbot.waitSignal(panel.measurement_shown, timeout=30000):
        panel.state.set_dataset("survey", dataset)
    qtbot.waitUntil(panel.tasks.is_idle, timeout=30000)
    target = panel.measure.target
    assert [target.itemText(i) for i in range(target.count())] == [
        "Survey image",
        "FFT",
        "Filtered",
    ]
    target.setCurrentIndex(1)
    assert panel.measure.view is panel.fft_view
    target.setCurrentIndex(0)
    assert panel.measure.view is panel.image_view
    assert panel.measure.geometry()["view"] == "Survey image"
