"""The NBD map exported from the GUI (File ▸ Export Figure ▸ nbd-map renders a snapshot of the
session) is the map on screen: choosing a map or releasing a detector ring keeps the choice in
the session, so the figure shows that map and that detector without saving the project first,
and its provenance names them (the map, the detector's radii as on the pattern)."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from insitu_tem.figures.nbd_map import nbd_map_view
from insitu_tem.figures.views import render_view
from insitu_tem.samples import nbd
from insitu_tem.samples.nbd_raster import raster_scan
from tests.gui.user_actions import drag_on_view, open_nbd

pytestmark = pytest.mark.slow


def test_the_exported_map_is_the_map_on_screen(qtbot, nbd_panel):
    open_nbd(qtbot, nbd_panel, raster_scan())
    tab = nbd_panel.map_tab
    untouched = nbd_map_view(nbd_panel.state.session.snapshot())
    np.testing.assert_allclose(untouched.frame.ravel(), tab.map.image.image.ravel())
    tab.choice.setCurrentText("Virtual annular dark field")
    inner, outer = tab.radii["ADF"]
    centre, scale = tab.rings.inner.centre, nbd.SCALE_PER_NM
    drag_on_view(
        nbd_panel.view,
        QPointF(centre.x() + inner * scale, centre.y()),
        QPointF(centre.x() + (inner + 10.0) * scale, centre.y()),
    )
    moved = tab.radii["ADF"]
    assert moved[0] > inner + 5
    exported = nbd_map_view(nbd_panel.state.session.snapshot())
    np.testing.assert_allclose(exported.frame.ravel(), tab.map.image.image.ravel())
    assert f"{moved[0]:.1f}–{outer:.1f} px" in " ".join(exported.note.split())
    _, recorded = render_view(nbd_panel.state.session.snapshot(), "nbd-map", dpi=30)
    assert recorded["map"] == tab.choice.currentText() and recorded["detector"] == "ADF"
    np.testing.assert_allclose(recorded["detector_radii_px"], moved)
    assert recorded["detector_radii_px"][0] != inner
    tab.choice.setCurrentText("Lattice strain")
    exported = nbd_map_view(nbd_panel.state.session.snapshot())
    assert exported.colorbar_label == "Lattice strain (%)"
    np.testing.assert_allclose(exported.frame.ravel(), tab.map.image.image.ravel(), equal_nan=True)
