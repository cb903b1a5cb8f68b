"""A spectrum whose energy axis reads 30 eV high: the identification measures the offset, and
what the user sees follows it — the line markers sit on the peaks as recorded (database energy
plus the offset), on screen and in the export, and a clicked line's map integrates the peak
where it is, as a correctly calibrated spectrum's would."""

import pytest

from insitu_tem.core.model import Axis, Dataset
from insitu_tem.figures.views import spectrum_view
from insitu_tem.workflows import eds_identify
from tests.gui.test_eds_panel import (
    click_row,
    eds_tasks,
    identified,
    panel,
    spectrum_image,
)
from tests.gui.test_eels_panel import open_in

pytestmark = pytest.mark.slow
__all__ = ["eds_tasks", "panel"]
OFFSET_EV = 30.0


def reading_high(dataset: Dataset) -> Dataset:
    """``dataset`` with an energy axis that reads :data:`OFFSET_EV` high."""
    energy = dataset.signal_axes[-1]
    axis = Axis(energy.name, energy.size, energy.scale, energy.offset + OFFSET_EV, "eV")
    return Dataset(dataset.kind, dataset.array, (*dataset.axes[:-1], axis), dataset.metadata)


def test_markers_and_maps_follow_the_measured_axis_offset(qtbot, panel):
    calibrated = spectrum_image()
    open_in(panel, reading_high(calibrated))
    rows = identified(qtbot, panel)
    value = panel.eds.result_value()
    offset, sigma = value["energy_offset_ev"], value["energy_offset_ev_sigma"]
    assert abs(offset - OFFSET_EV) < 3 * sigma
    fe = next(f for f in value["findings"] if f["element"] == "Fe")
    expected_kev = (fe["line_energies_ev"][0] + offset) / 1000.0
    shown = [m.value() for m in panel.plot.markers]
    assert min(abs(x - expected_kev) for x in shown) < 1e-9
    exported = [m[0] for m in spectrum_view(panel.state.session).labelled_markers]
    assert sorted(exported) == pytest.approx(sorted(shown))

    table = panel.eds_view.table
    names = [table.item(r, 0).text() for r in range(table.rowCount())]
    click_row(qtbot, table, names.index("Fe"))
    qtbot.waitUntil(lambda: panel.eds_view.map_title.startswith("Fe Kα"), timeout=30000)
    truth = eds_identify.line_map(calibrated, "Fe_Ka", identification=None).counts
    assert abs(panel.eds_view.image.image.sum() / truth.sum() - 1.0) < 0.005
    assert rows["Fe"][2] == "present"
