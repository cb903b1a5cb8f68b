"""Opening a file that holds a spectrum image and the image recorded beside it (a Bruker .bcf: the
HAADF and the EDX cube; a Velox map), as a microscopist expects: no question, the spectrum image
in the EELS panel (raised, half of a laptop window's height, the image the other half), its image
in the image (Movie) panel — but never over a movie already open (then the session's survey,
tests/gui/test_survey_role.py); any other mix of signals still asks which to open."""

import numpy as np
import pytest

from insitu_tem.core.model import Axis, Dataset
from insitu_tem.gui.controllers import opener
from insitu_tem.gui.widgets.signal_chooser import SignalChooser
from insitu_tem.io.signal_summaries import SignalSummary
from tests.gui.test_signal_chooser import ChooserAsker, chooser_of, two_signal_emd
from tests.gui.test_window_layout_and_keys import shown_docks
from tests.gui.user_actions import reopen, save_with_ctrl_s

SCAN = (Axis("scan_y", 4, 2.0, 0.0, "nm"), Axis("scan_x", 5, 2.0, 0.0, "nm"))
ENERGY = Axis("E", 300, 0.1, -5.0, "eV")


def haadf_and_spectrum_image(path) -> tuple[Dataset, Dataset]:
    """What the reader gives for a map file: a HAADF image (4 × 5 px, 2 nm/px) and an EELS
    spectrum image of the same 4 × 5 probes × 300 channels (a zero-loss peak and a plasmon)."""
    energy = ENERGY.coordinates()
    spectrum = 1e5 * np.exp(-0.5 * (energy / 0.3) ** 2) + 1e3 / (1 + ((energy - 15) / 2) ** 2)
    cube = np.random.default_rng(1).poisson(np.broadcast_to(spectrum + 50.0, (4, 5, 300)))
    signals = ("HAADF", "EELS")
    common = {"source": str(path), "signals": signals}
    return (
        Dataset(
            "image",
            np.random.default_rng(0).random((4, 5)),
            SCAN,
            {"title": "HAADF", "signal_index": 0},
            **common,
        ),
        Dataset(
            "spectrum_series",
            cube.astype(np.float32),
            (*SCAN, ENERGY),
            {"title": "EELS", "signal_index": 1, "signal_type": "EELS"},
            **common,
        ),
    )


@pytest.fixture
def asking(window):
    """The window asks which signal to open with the dialog the desktop app shows."""
    window.asker = ChooserAsker(window)
    return window


@pytest.fixture
def map_file(tmp_path, monkeypatch):
    """A file whose reader lists a HAADF image and an EELS spectrum image."""
    path = tmp_path / "map.emd"
    path.write_bytes(b"map")
    datasets = haadf_and_spectrum_image(path)
    summaries = tuple(
        SignalSummary(i, d.metadata["title"], d.kind, d.metadata.get("signal_type", ""), d.axes)
        for i, d in enumerate(datasets)
    )
    listing, loading = opener.load_or_list, opener.load

    def listed(where):
        return summaries if str(where) == str(path) else listing(where)

    def loaded(where, *, signal=None, kind=None):
        return (
            datasets[signal or 0]
            if str(where) == str(path)
            else loading(where, **{"signal": signal, "kind": kind})
        )

    monkeypatch.setattr(opener, "load_or_list", listed)
    monkeypatch.setattr(opener, "load", loaded)
    return path


def test_a_spectrum_image_with_its_haadf_opens_both_without_a_question(
    qtbot, asking, wait_idle, map_file, reporter
):
    window = asking
    window.open_paths([map_file])
    qtbot.waitUntil(lambda: window.state.dataset("eels") is not None, timeout=30000)
    qtbot.waitUntil(lambda: window.state.dataset("movie") is not None, timeout=30000)
    wait_idle(window)
    assert window.asker.questions == [] and window.findChildren(SignalChooser) == []
    assert window.state.dataset("eels").shape == (4, 5, 300)
    assert window.state.dataset("movie").metadata["title"] == "HAADF"
    assert not window.docks["eels"].visibleRegion().isEmpty(), "the EELS panel is in view"
    qtbot.waitUntil(
        lambda: (
            abs(shown_docks(window)["eels"].height() - shown_docks(window)["movie"].height())
            < 0.15 * window.height()
        )
    )
    assert window.recent.paths() == [str(map_file)]
    assert reporter.reports == []
    assert window.statusBar().currentMessage() == (
        "map.emd: the EELS spectrum image in the EELS panel, the HAADF image in the Movie panel"
    )
    assert window.docks["eels"].windowTitle() == "EELS"


def test_both_come_back_with_the_project(
    qtbot, asking, wait_idle, map_file, tmp_path, monkeypatch, settings, reporter
):
    window = asking
    window.open_paths([map_file])
    qtbot.waitUntil(lambda: window.state.dataset("movie") is not None, timeout=30000)
    qtbot.waitUntil(lambda: window.state.dataset("eels") is not None, timeout=30000)
    wait_idle(window)
    project = tmp_path / "map.itproj"
    save_with_ctrl_s(qtbot, window, monkeypatch, project)
    window.close()
    reopened = reopen(qtbot, settings, reporter, project, wait_idle, timeout=30000)
    qtbot.waitUntil(lambda: reopened.state.dataset("eels") is not None, timeout=30000)
    qtbot.waitUntil(lambda: reopened.state.dataset("movie") is not None, timeout=30000)
    wait_idle(reopened)
    assert reopened.asker.questions == []
    assert reopened.state.session.source("eels").signal == 1
    assert reopened.state.session.source("movie").signal == 0
    assert reopened.state.dataset("movie").metadata["title"] == "HAADF"
    reopened.tasks.cancel()
    reopened.tasks.wait_for_done(5000)


def test_an_open_movie_is_not_replaced_and_other_mixes_still_ask(
    qtbot, asking, wait_idle, movie_file, map_file, tmp_path
):
    window = asking
    window.open_paths([movie_file])
    wait_idle(window)
    window.open_paths([map_file])
    qtbot.waitUntil(lambda: window.state.dataset("eels") is not None, timeout=30000)
    wait_idle(window)
    assert window.state.dataset("movie").source == str(movie_file)
    window.open_paths([two_signal_emd(tmp_path / "two.emd")])
    chooser_of(qtbot, window).reject()


def test_the_real_bcf_opens_its_edx_cube_and_its_haadf(qtbot, window, wait_idle, realdata):
    window.open_paths([realdata("edstomo_idp/0.bcf")])
    qtbot.waitUntil(lambda: window.state.dataset("eels") is not None, timeout=60000)
    qtbot.waitUntil(lambda: window.state.dataset("movie") is not None, timeout=60000)
    assert window.asker.questions == []
    assert window.state.dataset("eels").metadata["title"] == "EDX"
    assert window.state.dataset("movie").metadata["title"] == "HAADF"
    assert window.docks["eels"].windowTitle() == "EDS"
    assert (
        window.statusBar()
        .currentMessage()
        .startswith(
            "0.bcf: the EDX spectrum image in the EDS panel, the HAADF image in the Movie panel"
        )
    )
    wait_idle(window, timeout=120000)


def test_a_map_file_is_laid_out_once_for_its_image_and_spectrum_image(
    qtbot, window, wait_idle, map_file
):
    """Both signals are read, then placed, then the docks laid out once: no layout of the image
    alone shows first (before, the image's layout came first and the map's moved every dock)."""
    initial = window.dock_layout.fitted
    window.workbench()
    seen = []
    window.state.dataset_changed.connect(lambda *_: seen.append(window.dock_layout.fitted))
    window.open_paths([map_file])
    wait_idle(window)
    qtbot.waitUntil(lambda: window.state.dataset("eels") is not None, timeout=5000)
    final = window.dock_layout.fitted
    assert final.spectra and final.image
    assert set(seen) <= {initial, final}
    assert "eels" in shown_docks(window)
