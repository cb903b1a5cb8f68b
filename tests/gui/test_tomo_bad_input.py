"""Tomography panel given a stack too large for memory: refused from the header as the ``tomo``
command refuses it, with the message in the panel, and nothing read."""

import struct

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

import insitu_tem.io.readers.budget as budget
from insitu_tem.cli.main import main


def write_mrc(path, shape, *, data=True):
    """A float32 MRC stack (z, y, x) and its .rawtlt; ``data=False`` leaves the data a hole
    (a sparse file: the header promises it, the disk does not hold it)."""
    nz, ny, nx = shape
    header = bytearray(1024)
    header[:16] = struct.pack("<4i", nx, ny, nz, 2)
    header[208:212] = b"MAP "
    header[212:216] = b"\x44\x44\x00\x00"
    with open(path, "wb") as stream:
        stream.write(bytes(header))
        if data:
            stream.write(np.ones(shape, np.float32).tobytes())
        else:
            stream.truncate(1024 + nz * ny * nx * 4)
    path.with_suffix(".rawtlt").write_text("\n".join(str(a) for a in np.linspace(-60, 60, nz)))
    return path


def open_with_button(qtbot, panel, monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    qtbot.mouseClick(panel.opener.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.info.text().startswith("Reading"), timeout=30000)
    return panel.info.text()


def test_a_stack_beyond_the_budget_is_refused_as_by_the_tomo_command(
    qtbot, tomo_panel, monkeypatch, tmp_path, capsys
):
    path = write_mrc(tmp_path / "series.mrc", (32, 64, 64))
    monkeypatch.setattr(budget, "memory_budget", lambda: 2**20)
    shown = open_with_button(qtbot, tomo_panel, monkeypatch, path)
    assert "budget" in shown and "crop or bin" in shown
    assert tomo_panel.controller.series is None and not tomo_panel.align_button.isEnabled()
    assert main(["tomo", str(path), "--out", str(tmp_path / "out")]) == 2
    assert shown.removeprefix("Failed: ") in capsys.readouterr().err


def test_a_header_promising_more_than_memory_is_refused_before_reading(
    qtbot, tomo_panel, monkeypatch, tmp_path
):
    path = write_mrc(tmp_path / "huge.mrc", (4000, 2048, 2048), data=False)
    monkeypatch.setattr(budget, "memory_budget", lambda: 8 * 2**30)
    shown = open_with_button(qtbot, tomo_panel, monkeypatch, path)
    assert "decodes to 67.1 GB" in shown and "budget" in shown
    assert tomo_panel.controller.series is None
