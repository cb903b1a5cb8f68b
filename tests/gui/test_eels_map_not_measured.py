"""An EELS spectrum image whose window map is withheld at some probes: those probes are painted
in the not-measured colour (not drawn as 0 counts, which the grey map shows as its darkest
value), the title counts them and the cursor over one reads "not measured" with the reason."""

import numpy as np
import pyqtgraph as pg

from insitu_tem.gui.panels.eels.profiles import EelsProfiles
from insitu_tem.gui.widgets.not_measured import NOT_MEASURED_RGB
from tests.gui.test_eels_panel import hover

REASON = "signal window on the Ti L3 edge of the neighbouring phase"


def withheld_map_value() -> dict:
    """A 3 × 4 spectrum image's EELS result value: window counts 100–1100, NaN at (0, 1) and
    (2, 3); shifts measured everywhere."""
    counts = np.linspace(100.0, 1100.0, 12)
    counts[[1, 11]] = np.nan
    return {
        "edge": "O-K",
        "nav_shape": [3, 4],
        "chemical_shift_eV": np.linspace(-0.5, 0.5, 12).tolist(),
        "chemical_shift_stderr_eV": [0.05] * 12,
        "map_counts": counts.tolist(),
        "map_counts_sigma": np.sqrt(np.nan_to_num(counts)).tolist(),
        "map_ok": False,
        "map_reason": REASON,
        "edge_reason": "",
    }


def rendered(image: pg.ImageItem, row: int, col: int) -> tuple[int, int, int, int]:
    image.render()
    colour = image.qimage.pixelColor(col, row)
    return colour.red(), colour.green(), colour.blue(), colour.alpha()


def test_probes_without_a_window_count_are_shown_not_measured(qtbot):
    profiles = EelsProfiles()
    qtbot.addWidget(profiles)
    profiles.resize(500, 700)
    profiles.show()
    texts = []
    profiles.cursor_text.connect(texts.append)
    profiles.show_result(withheld_map_value())
    assert np.isnan(profiles.window_map.image[0, 1]), "not drawn as 0 counts"
    assert rendered(profiles.window_map, 0, 1)[3] == 0
    assert rendered(profiles.window_missing, 0, 1) == (*NOT_MEASURED_RGB, 255)
    assert rendered(profiles.window_missing, 0, 0)[3] == 0, "measured probes are not covered"
    assert rendered(profiles.window_map, 0, 0)[:3] == (0, 0, 0), "the lowest measured is black"
    title = profiles.window_plot.getPlotItem().titleLabel.text
    assert "2 probes not measured (blue)" in title
    qtbot.waitUntil(lambda: profiles.window_plot.getPlotItem().vb.viewRange()[0][1] > 3.5)
    hover(profiles.window_plot, pg.Point(1.5, 0.5))
    assert texts and f"O-K window not measured ({REASON})" in texts[-1]
    assert "shift −0.4" in texts[-1] or "shift -0.4" in texts[-1]
    hover(profiles.window_plot, pg.Point(0.5, 0.5))
    assert "window 100 ± 10 counts" in texts[-1]
