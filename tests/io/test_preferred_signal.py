"""Which signal of a multi-signal file opens first, in the window and on the command line alike:
a recorded one before one computed from it (complex values: an FFT, an exit wave), else the
file's first."""

import dask.array as da
import numpy as np

import insitu_tem.io.load as load_module
import insitu_tem.io.signal_summaries as summaries_module
from insitu_tem.core.model import Axis
from insitu_tem.io.load import load
from insitu_tem.io.signal_summaries import SignalSummary, load_or_list, preferred_signal
from insitu_tem.io.readers.raw import RawAxis, RawSignal

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


def test_the_command_line_opens_what_the_window_opens(realdata):
    """Without --signal, ``load`` (every command) opens the signal the window opens, the HAADF
    image of FFTComplexEven.emd (before: its half FFT, signal 0), says which and how to pick
    another, and reads nothing more: a lazy load stays lazy."""
    path = realdata("FFTComplexEven.emd")
    dataset = load(path)
    assert dataset.metadata["signal_index"] == preferred_signal(load_or_list(path)) == 1
    assert dataset.kind == "image" and dataset.metadata["title"] == "HAADF"
    assert "showing 1: HAADF, the first recorded signal that opens" in dataset.warnings[0]
    assert dataset.warnings[0].endswith("choose another with --signal N")
    assert isinstance(load(path, lazy=True).array, da.Array)
    assert load(path, signal=0).kind == "pattern"


def test_a_signal_that_cannot_be_opened_is_passed_over(monkeypatch):
    """The command line passes over what the chooser shows greyed out (an empty signal), and the
    complex-valued FFT, as the window does; the first signal is named when it opens."""
    raw = {
        "fft": RawSignal(np.ones((8, 5), complex), (RawAxis("ky", 8), RawAxis("kx", 5)), "FFT"),
        "empty": RawSignal(np.ones((0, 8)), (RawAxis("y", 0), RawAxis("x", 8)), "empty"),
        "image": RawSignal(np.ones((8, 8)), (RawAxis("y", 8), RawAxis("x", 8)), "image"),
    }
    for order, expected in ((("fft", "empty", "image"), 2), (("image", "fft"), 0)):
        signals = [raw[name] for name in order]
        for module in (load_module, summaries_module):
            monkeypatch.setattr(module, "read_signals", lambda *a, **k: (signals, False))
        dataset = load("x.emd")
        assert dataset.metadata["signal_index"] == preferred_signal(load_or_list("x.emd"))
        assert dataset.metadata["signal_index"] == expected
        assert f"showing {expected}: {order[expected]}" in dataset.warnings[0]


def test_a_kind_named_opens_the_signal_of_that_kind(realdata):
    """``--kind`` names what the data are: ``pattern`` opens the half FFT (signal 0), not the
    HAADF image forced into a pattern, and ``image`` the HAADF (signal 1), as the window would
    among the file's images (before: the half FFT forced into an image, the first in the file
    that opens as one)."""
    path = realdata("FFTComplexEven.emd")
    dataset = load(path, kind="pattern")
    assert dataset.metadata["signal_index"] == 0 and np.iscomplexobj(dataset.array)
    dataset = load(path, kind="image")
    assert dataset.metadata["signal_index"] == 1 and dataset.metadata["title"] == "HAADF"
    assert "showing 1: HAADF, the first recorded image that opens" in dataset.warnings[0]


def test_a_kind_named_prefers_a_recorded_signal_of_that_kind(monkeypatch):
    """Among the signals of the kind asked for, a recorded one before a complex-valued one
    computed from it, as the window chooses; a signal of another kind is forced into it only
    when none is of that kind."""
    pattern = (RawAxis("ky", 8, 0.1, 0.0, "1/nm"), RawAxis("kx", 8, 0.1, 0.0, "1/nm"))
    image = (RawAxis("y", 8, 1.0, 0.0, "nm"), RawAxis("x", 8, 1.0, 0.0, "nm"))
    raw = {
        "image": RawSignal(np.ones((8, 8)), image, "image"),
        "fft": RawSignal(np.ones((8, 8), complex), pattern, "FFT"),
        "pattern": RawSignal(np.ones((8, 8)), pattern, "pattern"),
    }
    cases = (
        (("image", "fft", "pattern"), "pattern", 2),
        (("image", "fft"), "pattern", 1),
        (("image", "fft"), "image", 0),
        (("fft", "image"), "image", 1),
        (("image", "image"), "pattern", 0),
    )
    for order, kind, expected in cases:
        signals = [raw[name] for name in order]
        monkeypatch.setattr(load_module, "read_signals", lambda *a, **k: (signals, False))
        dataset = load("x.emd", kind=kind)
        assert (dataset.metadata["signal_index"], dataset.kind) == (expected, kind), order
