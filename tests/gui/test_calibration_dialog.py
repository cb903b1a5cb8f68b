"""Edit ▸ Set Calibration as a user reads it: the current pixel size without a tail of zeros,
and a typed size read back exactly."""

from types import SimpleNamespace

import numpy as np
from PySide6.QtCore import Qt

from insitu_tem.core.model import Axis, Dataset
from insitu_tem.gui.widgets.calibration_dialog import CalibrationDialog


def test_the_pixel_size_is_shown_without_trailing_zeros_and_typed_sizes_read_back(qtbot):
    movie = Dataset(
        "movie",
        np.zeros((2, 4, 4), np.float32),
        (Axis("t", 2, 1.0, 0.0, "s"), Axis("y", 4, 2.0, 0.0, "nm"), Axis("x", 4, 2.0, 0.0, "nm")),
    )
    state = SimpleNamespace(dataset=lambda role: movie if role == "movie" else None)
    dialog = CalibrationDialog(state)
    qtbot.addWidget(dialog)
    assert dialog.scale.text() == "2"
    dialog.scale.selectAll()
    qtbot.keyClicks(dialog.scale, "0.0100127")
    qtbot.keyClick(dialog.scale, Qt.Key.Key_Return)
    assert dialog.scale.text() == "0.0100127"
    assert dialog.values() == ("movie", 0.0100127, "nm")
