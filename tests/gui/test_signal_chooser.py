"""Opening a file that holds several signals, as a user does: a dialog lists them in words (title,
kind, size, calibration, the panel that shows it) with the first recorded signal selected (an
image before the FFT computed from it); arrow keys
and Enter open another, which goes to its panel and comes back when the project is reopened; Esc
opens nothing; a file with one signal opens without a question."""

import zipfile

import h5py
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel

from insitu_tem.gui.asker import DialogAsker, HeadlessAsker
from insitu_tem.gui.widgets.signal_chooser import SignalChooser


def two_signal_emd(path):
    """A Berkeley EMD file with a HAADF image (32² px, 0.5 nm/px) and a low-loss EELS spectrum
    (600 channels from −5 eV, 0.1 eV/channel: a ZLP and a plasmon at 15 eV)."""
    rng = np.random.default_rng(0)
    energy = -5.0 + 0.1 * np.arange(600)
    spectrum = 1e5 * np.exp(-0.5 * (energy / 0.3) ** 2) + 1e3 / (1 + ((energy - 15) / 2) ** 2)
    signals = {
        "haadf": (rng.random((32, 32)), [("y", np.arange(32) * 0.5, "nm")] * 1),
        "low_loss": (spectrum + 50.0, [("E", energy, "eV")]),
    }
    signals["haadf"][1].append(("x", np.arange(32) * 0.5, "nm"))
    with h5py.File(path, "w") as file:
        file.attrs["version_major"], file.attrs["version_minor"] = 0, 2
        for name, (array, dims) in signals.items():
            group = file.create_group(f"data/{name}")
            group.attrs["emd_group_type"] = 1
            group["data"] = array.astype(np.float32)
            for number, (label, values, units) in enumerate(dims, 1):
                group[f"dim{number}"] = values
                group[f"dim{number}"].attrs["name"], group[f"dim{number}"].attrs["units"] = (
                    label,
                    units,
                )
    return path


class ChooserAsker(HeadlessAsker):
    """Asks which signal to open with the desktop app's dialog; any other question headless (a
    failed test's window closes without waiting for an answer)."""

    def __init__(self, parent) -> None:
        super().__init__()
        self.parent = parent

    choose_signal = DialogAsker.choose_signal


@pytest.fixture
def asking(window):
    """The window asks which signal to open with the dialog the desktop app shows."""
    window.asker = ChooserAsker(window)
    return window


def chooser_of(qtbot, window) -> SignalChooser:
    """The signal chooser once it is on screen."""
    qtbot.waitUntil(
        lambda: any(d.isVisible() for d in window.findChildren(SignalChooser)), timeout=30000
    )
    (dialog,) = [d for d in window.findChildren(SignalChooser) if d.isVisible()]
    return dialog


def rows(dialog) -> list[list[str]]:
    table = dialog.table
    return [
        [table.topLevelItem(r).text(c) for c in range(table.columnCount())]
        for r in range(table.topLevelItemCount())
    ]


def test_the_second_signal_chosen_with_the_keyboard_opens_in_eels_and_comes_back_with_the_project(
    qtbot, asking, wait_idle, movie_file, tmp_path, monkeypatch, settings, reporter
):
    window = asking
    window.open_paths([movie_file])
    wait_idle(window)
    assert window.findChildren(SignalChooser) == []
    assert window.state.dataset("movie") is not None

    path = two_signal_emd(tmp_path / "two.emd")
    window.open_paths([path])
    dialog = chooser_of(qtbot, window)
    assert rows(dialog) == [
        ["0", "haadf", "image", "32 × 32 px", "0.5 nm/px", "Movie"],
        ["1", "low_loss", "spectrum", "600 channels", "−5 to 54.9 eV, 0.1 eV/channel", "EELS"],
    ]
    assert dialog.selected() == 0 and "two.emd" in dialog.windowTitle()
    assert dialog.table.headerItem().text(0) == "--signal", "the number --signal takes, from 0"
    assert "give --signal the number in the first column, counted from 0" in " ".join(
        label.text() for label in dialog.findChildren(QLabel)
    )
    qtbot.keyClick(dialog.table, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.state.dataset("eels") is not None, timeout=30000)
    wait_idle(window)
    qtbot.waitUntil(lambda: window.findChildren(SignalChooser) == [])
    panel = window.panels["eels"]
    assert len(panel.curve.getData()[0]) == 600 and panel.energy.offset == pytest.approx(-5.0)
    assert window.state.dataset("movie").source == str(movie_file)
    assert "signal 2 of 2 (low_loss) opened — --signal 1 on the command line" in (
        window.statusBar().currentMessage()
    )
    assert window.state.session.source("eels").signal == 1

    project = tmp_path / "session.itproj"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(project), ""))
    wait_idle(window)
    window.save_action.trigger()
    assert project.exists()
    window.close()
    from insitu_tem.gui.main_window import MainWindow

    reopened = MainWindow(settings, reporter)
    qtbot.addWidget(reopened)
    reopened.open_paths([project])
    qtbot.waitUntil(lambda: reopened.state.dataset("eels") is not None, timeout=30000)
    wait_idle(reopened)
    assert reopened.asker.questions == []
    assert reopened.state.dataset("eels").metadata["title"] == "low_loss"
    assert len(reopened.panels["eels"].curve.getData()[0]) == 600
    assert reporter.reports == []


def test_escape_opens_nothing(qtbot, asking, wait_idle, tmp_path, reporter):
    window = asking
    window.open_paths([two_signal_emd(tmp_path / "two.emd")])
    dialog = chooser_of(qtbot, window)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Escape)
    wait_idle(window)
    qtbot.waitUntil(lambda: window.findChildren(SignalChooser) == [])
    assert all(window.state.dataset(role) is None for role in ("movie", "eels", "nbd"))
    assert window.recent.paths() == [] and reporter.reports == []


def test_without_a_user_the_first_recorded_signal_opens(qtbot, window, wait_idle, tmp_path):
    window.open_paths([two_signal_emd(tmp_path / "two.emd")])
    wait_idle(window)
    assert window.asker.questions == ["signal of two.emd"]
    assert window.state.dataset("movie").metadata["title"] == "haadf"
    assert "signal 1 of 2 (haadf) opened — --signal 0 on the command line" in (
        window.statusBar().currentMessage()
    )


def test_an_image_and_its_fft_open_the_image_in_the_movie_panel(window, wait_idle, realdata):
    """FFTComplexEven.emd holds a half FFT (complex, 1/nm) computed from the HAADF image beside
    it: the image opens, in the panel for images, not the FFT as a diffraction pattern."""
    window.open_paths([realdata("FFTComplexEven.emd")])
    wait_idle(window, timeout=60000)
    assert window.asker.questions == ["signal of FFTComplexEven.emd"]
    assert window.state.dataset("nbd") is None
    image = window.panels["movie"].dataset
    assert image.metadata["title"] == "HAADF" and image.axes[-1].units == "nm"
    assert "signal 2 of 2 (HAADF) opened — --signal 1 on the command line" in (
        window.statusBar().currentMessage()
    )


def test_the_user_can_still_open_the_fft(qtbot, asking, wait_idle, realdata):
    window = asking
    window.open_paths([realdata("FFTComplexEven.emd")])
    dialog = chooser_of(qtbot, window)
    assert [row[1:3] for row in rows(dialog)] == [
        ["Half FFT (HAADF)", "diffraction pattern (complex)"],
        ["HAADF", "image"],
    ]
    assert dialog.selected() == 1
    qtbot.keyClick(dialog.table, Qt.Key.Key_Up)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.state.dataset("nbd") is not None, timeout=30000)
    wait_idle(window, timeout=60000)
    assert window.state.dataset("nbd").metadata["title"] == "Half FFT"
    assert window.state.dataset("movie") is None


def test_velox_eels_low_loss_chosen_from_eighteen_signals(
    qtbot, asking, wait_idle, realdata, tmp_path
):
    with zipfile.ZipFile(realdata("velox_EELS_EDS.zip")) as archive:
        archive.extractall(tmp_path)
    (path,) = tmp_path.glob("*.emd")
    window = asking
    window.open_paths([path])
    dialog = chooser_of(qtbot, window)
    listed = rows(dialog)
    assert len(listed) == 18 and dialog.selected() == 0
    assert listed[0][1:4] == ["EDS (UltraX3)", "EDS spectrum", "4096 channels"]
    assert len({row[1] for row in listed[:6]}) == 6, "one EDS spectrum per detector"
    assert listed[13][1:4] == ["a (DF-S)", "image", "128 × 128 px"]
    assert listed[16][1:] == [
        "EELS (Zebra)",
        "EELS spectrum image",
        "16 × 20 probes × 2048 channels",
        "−21.5 to 324.8 eV, 0.1692 eV/channel; 158.7 nm/probe",
        "EELS",
    ]
    assert listed[17][2] == "EDS spectrum image"
    for _ in range(16):
        qtbot.keyClick(dialog.table, Qt.Key.Key_Down)
    assert dialog.selected() == 16
    qtbot.keyClick(dialog.table, Qt.Key.Key_Enter)
    qtbot.waitUntil(lambda: window.state.dataset("eels") is not None, timeout=60000)
    wait_idle(window)
    panel = window.panels["eels"]
    assert panel.dataset.kind == "spectrum_series" and panel.dataset.n_items == 320
    assert panel.energy.offset == pytest.approx(-21.5026, abs=1e-3)
    assert window.state.session.source("eels").signal == 16
