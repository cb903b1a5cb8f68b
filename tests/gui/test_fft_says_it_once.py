"""soot_hrtem.tif (phase-contrast HRTEM of soot, no calibration in the file) in the FFT panel at
1280×800, as a microscopist reads it: why the lattice is not determined is said once, on the
lattice line ("lattice: not determined: …"), not a second time under it as a warning (the same
paragraph twice, the second behind the message column's scroll bar), and not as "lattice:
lattice not determined"."""

from insitu_tem.gui.panels.fft.spot_table import lattice_summary


def test_why_the_lattice_is_not_determined_is_said_once(qtbot, window, wait_idle, realdata):
    window.open_paths([realdata("soot_hrtem.tif")])
    qtbot.waitUntil(lambda: window.state.dataset("movie") is not None, timeout=60000)
    wait_idle(window, timeout=60000)
    fft = window.panels["hrtem"]
    fit = fft.jobs.shown.fit
    assert not fit.ok and fit.reason.startswith("lattice not determined")
    shown = "\n".join(label.text() for label in (fft.lattice_label, fft.warning_label))
    assert shown.count(fit.reason.removeprefix("lattice ")) == 1
    assert fft.lattice_label.text() == lattice_summary(fft.jobs.shown, calibrated=False)
    assert fft.lattice_label.text().startswith("lattice: not determined: the spacings")
    assert "lattice: lattice" not in shown
