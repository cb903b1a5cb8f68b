"""A long hint in an empty plot wraps inside the plot instead of running off both sides: the
NBD panel on a half FFT (FFTComplexEven.emd) says why it has no radial profile, all of it
readable at 1280 × 800."""

from PySide6.QtCore import QRectF

from insitu_tem.gui.widgets.plot_hint import PlotHint
from insitu_tem.gui.widgets.plot_factory import plot_widget


def _inside(hint: PlotHint) -> bool:
    label = hint.label
    shown = label.mapRectToParent(label.boundingRect())
    return QRectF(hint.plot.vb.rect()).contains(shown)


def test_a_long_reason_wraps_inside_a_narrow_plot(qtbot):
    widget = plot_widget()
    qtbot.addWidget(widget)
    widget.resize(300, 200)
    widget.show()
    qtbot.waitExposed(widget)
    reason = "No radial profile: the centre is not measured\n(" + "a long reason " * 12 + ")"
    hint = PlotHint(widget.getPlotItem(), reason)
    assert hint.label.isVisible() and _inside(hint)
    widget.resize(600, 200)
    qtbot.waitUntil(lambda: hint.plot.vb.rect().width() > 400)
    assert _inside(hint)


def test_the_nbd_panel_on_a_half_fft_says_why_in_full(qtbot, window, wait_idle, realdata):
    window.open_paths([realdata("FFTComplexEven.emd")], signal=0)
    wait_idle(window, timeout=60000)
    hint = window.panels["nbd"].profile_plots.hint
    assert hint.label.isVisible() and "centre is not measured" in hint.label.toPlainText()
    assert _inside(hint)
