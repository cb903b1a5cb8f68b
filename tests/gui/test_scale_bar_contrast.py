"""The scale bar's length over a bright corner of the image (the lower right, where it sits; as in
fei_example_tem_stack.emd): it stays legible, white on a dark ground."""

import numpy as np
from PySide6.QtGui import QColor

from insitu_tem.core.model import Axis
from insitu_tem.gui.widgets.image_view import CalibratedImageView


def dark_fraction(view: CalibratedImageView) -> float:
    """Share of the pixels under the scale bar's text that are dark (luminance < 100)."""
    image = view.grab().toImage()
    label = view.scale_bar._label
    box = view.mapFromScene(label.sceneBoundingRect()).boundingRect()
    values = [
        QColor(image.pixel(x, y)).lightness()
        for y in range(box.top(), box.bottom() + 1)
        for x in range(box.left(), box.right() + 1)
    ]
    return float(np.mean(np.asarray(values) < 100))


def test_the_scale_bar_text_is_legible_over_a_bright_image(qtbot):
    view = CalibratedImageView()
    qtbot.addWidget(view)
    view.resize(400, 400)
    view.show()
    qtbot.waitExposed(view)
    frame = np.zeros((64, 64), np.float32)
    frame[32:, 32:] = 1.0
    axes = (Axis("y", 64, 0.5, 0.0, "nm"), Axis("x", 64, 0.5, 0.0, "nm"))
    view.set_frame(frame, axes=axes, auto_range=True)
    qtbot.wait(50)
    assert view.scale_bar._label.isVisible() and view.scale_bar._label.toPlainText().endswith("nm")
    assert dark_fraction(view) > 0.5


def test_the_scale_bar_sits_on_a_narrow_image_not_beside_it(qtbot):
    """A pattern four times taller than wide (as FFTComplexEven.emd's half FFT) in a square view:
    the bar and its length lie over the image (before, half of the bar hung in the black margin
    to the right of it)."""
    view = CalibratedImageView()
    qtbot.addWidget(view)
    view.resize(400, 400)
    view.show()
    qtbot.waitExposed(view)
    axes = (Axis("y", 64, 0.5, 0.0, "nm"), Axis("x", 16, 0.5, 0.0, "nm"))
    view.set_frame(np.ones((64, 16), np.float32), axes=axes, auto_range=True)
    qtbot.wait(50)
    bar = view.scale_bar._bar.rect()
    assert 0.0 <= bar.left() and bar.right() <= 8.0
    assert view.scale_bar._label.toPlainText() in ("1 nm", "2 nm")
