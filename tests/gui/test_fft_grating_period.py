"""A grating imaged at low magnification (FFTComplexEven.emd's HAADF: a cross-grating of
≈455.8 nm period, 16.8 px, in a 128² image): the FFT panel opens on a region wide enough for the
grating's first orders, so the lattice it reports is the period, not its 3rd–5th harmonics."""

import re

import pytest

from insitu_tem.io.load import load

PERIOD_A = 4558.0


@pytest.fixture
def panel(fft_panel):
    return fft_panel


def test_the_grating_period_is_what_the_panel_reports(qtbot, panel, realdata):
    dataset = load(realdata("FFTComplexEven.emd"), signal=1)
    with qtbot.waitSignal(panel.measurement_shown, timeout=60000):
        panel.state.set_dataset("hrtem", dataset)
    text = panel.lattice_label.text()
    spacings = [float(d) for d in re.findall(r"d[₁₂] = ([0-9.]+)", text)]
    assert len(spacings) == 2, text
    assert spacings == pytest.approx([PERIOD_A, PERIOD_A], rel=0.02), text
    listed = [float(d) for d in panel.table.column_texts(0)]
    assert any(d == pytest.approx(PERIOD_A, rel=0.02) for d in listed), listed
