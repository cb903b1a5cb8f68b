"""The Tomography panel names the projections every alignment reason is about by their tilts, as
its projection view shows them (the command line's 0-based indices are not the user's): a frame
of noise left out of the reconstruction, the projections the projection matching stopped on,
those unconstrained along the axis or left unshifted; and its tilt-axis label says only why the
direction was not found, not the alignment's other reasons (the status line says those)."""

import numpy as np
from PySide6.QtCore import Qt

from insitu_tem.analysis.tomo.alignment import _matching_reasons
from insitu_tem.analysis.tomo.alignment_result import Alignment
from insitu_tem.analysis.tomo.geometry import within_half_field
from insitu_tem.analysis.tomo.neighbour_chain import unlike_reason
from insitu_tem.gui.panels.tomo.axis_control import left_out_text, reason_text
from insitu_tem.samples.tomo import Phantom, make_series
from tests.cli.test_tomo_bad_input import write_mrc
from tests.cli.test_tomo_noise_declined import NOISE_TILTS, noise

K = 5


def open_and_align(qtbot, panel, path, *, auto_axis=True):
    with qtbot.waitSignal(panel.controller.seriesLoaded, timeout=60000):
        panel.open_path(path)
    if not auto_axis:
        qtbot.mouseClick(panel.axis.auto, Qt.MouseButton.LeftButton)
    panel.align_method.setCurrentText("xcorr")
    with qtbot.waitSignal(panel.controller.aligned, timeout=120000):
        qtbot.mouseClick(panel.align_button, Qt.MouseButton.LeftButton)
    return panel.controller.alignment


def test_a_frame_of_noise_is_named_by_its_tilt_and_left_out(qtbot, tomo_panel, tmp_path):
    phantom = Phantom(size=48, tilts_deg=tuple(np.arange(-60.0, 60.1, 7.5)), seed=3)
    stack, tilts = make_series(phantom)["haadf"], np.asarray(phantom.tilts_deg)
    stack[K] = np.random.default_rng(0).poisson(stack[K].mean(), stack[K].shape)
    path = write_mrc(tmp_path / "s.mrc", stack, tilts)
    alignment = open_and_align(qtbot, tomo_panel, path, auto_axis=False)
    assert alignment.ok and alignment.left_out_projections == (K,)
    shown = tomo_panel.info.text()
    assert f"the projection at {tilts[K]:+.1f}° shares far less structure" in shown
    assert "Left out of the reconstruction — check it" in shown and "projections [" not in shown


def test_the_axis_label_gives_only_the_directions_reason(qtbot, tomo_panel, tmp_path):
    path = write_mrc(tmp_path / "noise.mrc", noise(np.random.default_rng(7)), NOISE_TILTS)
    alignment = open_and_align(qtbot, tomo_panel, path)
    assert tomo_panel.axis.auto.isChecked() and alignment.axis_method == ""
    label = tomo_panel.axis.result.text()
    assert label.startswith("+0.00° — tilt-axis direction not found, 0° used: ")
    assert "type it, offset " in label and "share no more structure" not in label
    shown = tomo_panel.info.text()
    assert "tilt-axis direction not found" in shown and "share no more structure" in shown


def test_every_reason_names_its_projections_by_tilt():
    tilts = np.linspace(-60, 60, 9)
    reason = (
        "projection matching stopped: a step would have moved projections [1, 2] by more than "
        "half the image; projections [5] are not constrained along the tilt axis; the shifts of "
        "projections [8] reach 40 px, beyond half the 64 × 64 px image"
    )
    alignment = Alignment(
        tilts,
        np.zeros((9, 2)),
        *(0.0,) * 5,
        np.ones(9),
        "auto",
        ok=False,
        reason=reason,
        stopped_projections=(1, 2),
        unconstrained_projections=(5,),
        unshifted_projections=(8,),
    )
    text = reason_text(alignment)
    assert "moved the projections at -45.0°, -30.0° by more than" in text
    assert "the projection at +15.0° is not constrained" in text
    assert "the shift of the projection at +60.0° reaches 40 px" in text
    assert "projections [" not in text


def one_projection_each(tilts):
    shifts = np.zeros((len(tilts), 2))
    shifts[8] = 40.0
    unshifted = within_half_field(shifts, np.ones_like(shifts), (64, 64))[3]
    reasons = [unlike_reason(np.array([3])), *_matching_reasons((1, 2), (5,)), unshifted]
    return Alignment(
        tilts,
        np.zeros((len(tilts), 2)),
        *(0.0,) * 5,
        np.ones(len(tilts)),
        "auto",
        ok=False,
        reason="; ".join(reasons),
        unlike_projections=(3,),
        stopped_projections=(1, 2),
        unconstrained_projections=(5,),
        unshifted_projections=(8,),
        left_out_projections=(6,),
    )


def test_one_projection_is_named_in_the_singular():
    """The analysis words every list of projections in the plural ("projections [5] are not
    constrained"); the panel says "the projection at +15.0° is" for one, and keeps the plural for
    two."""
    alignment = one_projection_each(np.linspace(-60, 60, 9))
    text = reason_text(alignment)
    assert "the projection at -15.0° shares no more structure with its neighbouring" in text
    assert "(its correlation peak is at or below" in text
    assert "nothing to align on — check it" in text
    assert "moved the projections at -45.0°, -30.0° by more than" in text
    assert (
        "the projection at +15.0° is not constrained along the tilt axis (its registration" in text
    )
    assert "its shift may be pixels off" in text
    assert "the shift of the projection at +60.0° reaches 40 px" in text
    assert "it is left unshifted — check it" in text
    assert "projections [" not in text and "check them" not in text
    left_out = left_out_text(alignment)
    assert left_out.startswith("the projection at +30.0° shares far less structure")
    assert "than the neighbours share with their other neighbours" in left_out
    assert left_out.endswith("Left out of the reconstruction — check it")
