"""Which signal of a multi-signal file opens first: a recorded one before one computed from it
(complex values: an FFT, an exit wave), else the file's first."""

from insitu_tem.core.model import Axis
from insitu_tem.io.load import SignalSummary, load_or_list, preferred_signal

IMAGE = (Axis("y", 8, 1.0, 0.0, "nm"), Axis("x", 8, 1.0, 0.0, "nm"))
PATTERN = (Axis("ky", 8, 0.1, 0.0, "1/nm"), Axis("kx", 5, 0.1, 0.0, "1/nm"))


def summary(index, kind, axes, *, complex_valued=False, problem=""):
    return SignalSummary(index, f"s{index}", kind, "", axes, problem, (), "", complex_valued)


def test_the_half_fft_of_fft_complex_even_is_not_the_first_choice(realdata):
    found = load_or_list(realdata("FFTComplexEven.emd"))
    assert [(s.title, s.complex_valued) for s in found] == [("Half FFT", True), ("HAADF", False)]
    assert preferred_signal(found) == 1


def test_recorded_signals_keep_the_file_order():
    assert preferred_signal([summary(0, "pattern", PATTERN), summary(1, "image", IMAGE)]) == 0
    computed = summary(0, "pattern", PATTERN, complex_valued=True)
    assert preferred_signal([computed, summary(1, "image", IMAGE)]) == 1
    broken = summary(1, "", IMAGE, problem="cannot be read")
    assert preferred_signal([computed, broken]) == 0
