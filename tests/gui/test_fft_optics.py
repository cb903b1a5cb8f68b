"""The FFT panel's voltage and Cs, driven like a user: the broad ring under Thon rings is measured
with them (the defocus fitted and shown), and the file's voltage and Cs fill the fields."""

from __future__ import annotations

from PySide6.QtCore import Qt

from insitu_tem.analysis.hrtem.thon_fit import Optics
from insitu_tem.gui.panels.fft import controller
from insitu_tem.core.model import Axis, Dataset
from tests.analysis.hrtem.test_thon_fit import OPTICS, PIXEL_NM, phase_contrast_image
from tests.gui.test_fft_panel import panel  # noqa: F401 - the panel fixture


def thon_image(metadata: dict) -> Dataset:
    """A 200 kV, Cs 1 mm phase-contrast image at 150 nm underfocus of a 3 Å ring."""
    image = phase_contrast_image(150.0, 2)
    axes = tuple(Axis(name, n, PIXEL_NM, 0.0, "nm") for name, n in zip("yx", image.shape))
    return Dataset("image", image, axes, metadata, source="thon.tif")


def open_in(qtbot, widget, dataset):
    with qtbot.waitSignal(widget.measurement_shown, timeout=60000):
        widget.state.set_dataset("hrtem", dataset)
    qtbot.waitUntil(widget.tasks.is_idle, timeout=60000)


def choose(qtbot, combo, index):
    combo.setFocus()
    while combo.currentIndex() < index:
        qtbot.keyClick(combo, Qt.Key.Key_Down)


def test_with_the_voltage_and_cs_given_the_ring_under_thon_rings_is_read_with_its_defocus(
    qtbot,
    panel,  # noqa: F811
):
    open_in(qtbot, panel, thon_image({}))
    panel.set_roi_px(0, 0, 384)
    qtbot.waitUntil(panel.tasks.is_idle, timeout=60000)
    fields = panel.controls.aberrations
    assert "broad ring" not in panel.warning_label.text()
    assert not fields.kv.isEnabled() and not fields.cs_mm.isEnabled()
    choose(qtbot, fields.known, 1)
    assert fields.kv.isEnabled() and fields.cs_mm.isEnabled() and not fields.defocus_nm.isEnabled()
    fields.kv.lineEdit().selectAll()
    qtbot.keyClicks(fields.kv.lineEdit(), "200")
    qtbot.keyClick(fields.kv.lineEdit(), Qt.Key.Key_Return)
    fields.cs_mm.lineEdit().selectAll()
    qtbot.keyClicks(fields.cs_mm.lineEdit(), "1")
    qtbot.keyClick(fields.cs_mm.lineEdit(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Thon rings: defocus" in panel.warning_label.text(), timeout=60000)
    text = panel.warning_label.text()
    d, sigma = (float(x) for x in text.split("broad ring at d = ")[1].split(" Å")[0].split(" ± "))
    assert abs(d - 3.0) < 3 * sigma and "(underfocus)" in text
    defocus = float(text.split("Thon rings: defocus ")[1].split(" ±")[0])
    assert abs(defocus - 150.0) < 10.0
    assert panel.jobs.region.optics == OPTICS
    assert panel.project_state()["aberrations"]["known"] == 1
    while panel.undo_stack.canUndo():
        panel.undo_stack.undo()
    assert fields.optics() is None


def test_the_files_voltage_and_cs_are_shown_and_given(qtbot, panel):  # noqa: F811
    open_in(qtbot, panel, thon_image({"beam_energy_kV": 200.0, "cs_mm": 1.0}))
    fields = panel.controls.aberrations
    assert fields.kv.text() == "200 kV" and fields.cs_mm.value() == 1.0
    assert fields.optics() == Optics(200.0, 1.0) and not fields.is_given()


def test_the_voltage_typed_is_the_one_every_measurement_of_the_region_uses(
    qtbot,
    panel,  # noqa: F811
    monkeypatch,
):
    asked, measure = [], controller.measure_lattice

    def measure_lattice(*args, **options):
        asked.append((options["energy_kV"], options["optics"]))
        return measure(*args, **options)

    monkeypatch.setattr(f"{controller.__name__}.measure_lattice", measure_lattice)
    open_in(qtbot, panel, thon_image({}))
    fields = panel.controls.aberrations
    assert fields.kv.text() == "300 kV"
    choose(qtbot, fields.known, 1)
    fields.kv.lineEdit().selectAll()
    qtbot.keyClicks(fields.kv.lineEdit(), "200")
    qtbot.keyClick(fields.kv.lineEdit(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: fields.optics() == Optics(200.0, 1.2), timeout=60000)
    qtbot.waitUntil(panel.tasks.is_idle, timeout=60000)
    assert panel.jobs.region.optics == Optics(200.0, 1.2)
    energy_kV, optics = asked[-1]
    assert optics == Optics(200.0, 1.2) and energy_kV == 200.0


def test_a_file_without_a_voltage_reads_at_the_default_not_the_previous_files(
    qtbot,
    panel,  # noqa: F811
):
    open_in(qtbot, panel, thon_image({"beam_energy_kV": 200.0, "cs_mm": 1.0}))
    image = phase_contrast_image(150.0, 2)[:256, :256]
    axes = tuple(Axis(name, n, PIXEL_NM, 0.0, "nm") for name, n in zip("yx", image.shape))
    open_in(qtbot, panel, Dataset("image", image, axes, {}, source="other.tif"))
    assert panel.controls.aberrations.kv.text() == "300 kV"
    assert panel.jobs.region.energy_kV == 300.0
