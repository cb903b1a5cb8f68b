"""A projection the alignment leaves out (a frame of noise in a phantom series) is not
reconstructed: the volume is the one of the series without it, not one pulled towards the noise
frame's flat level along its rays."""

from dataclasses import replace

import numpy as np

from insitu_tem.analysis.tomo.alignment import align_tilt_series
from insitu_tem.samples.tomo import Phantom, make_series
from insitu_tem.workflows.tomo_reconstruct import prepared_channel, reconstruct_channel

K = 4


def volume(stack, tilts, alignment) -> np.ndarray:
    shape = stack.shape[1:]
    options = dict(reference_shape=shape, method="sirt", iterations=10)
    return reconstruct_channel(stack, tilts, alignment, **options).volume


def test_the_left_out_projection_is_not_reconstructed():
    phantom = Phantom(size=40, tilts_deg=tuple(np.arange(-60.0, 60.1, 10.0)), shift_rms_px=0.0)
    series = make_series(phantom)
    stack, tilts = np.asarray(series["haadf"], np.float32), np.asarray(phantom.tilts_deg)
    stack[K] = np.random.default_rng(0).poisson(stack[K].mean(), stack[K].shape)
    alignment = align_tilt_series(
        stack, tilts, method="none", axis_angle_deg=0.0, axis_offset_px=phantom.axis_offset_px
    )
    assert alignment.left_out_projections == (K,)
    prepared, kept_tilts, _ = prepared_channel(
        stack, tilts, alignment, reference_shape=stack.shape[1:]
    )
    assert (
        prepared.shape[0] == tilts.size - 1 and kept_tilts.tolist() == np.delete(tilts, K).tolist()
    )
    without = replace(
        alignment, tilts_deg=np.delete(tilts, K), shifts_px=np.delete(alignment.shifts_px, K, 0)
    )
    expected = volume(
        np.delete(stack, K, 0), np.delete(tilts, K), replace(without, left_out_projections=())
    )
    assert np.array_equal(volume(stack, tilts, alignment), expected)
    kept = volume(stack, tilts, replace(alignment, left_out_projections=()))
    assert not np.allclose(kept, expected, atol=0.05 * float(expected.max()))
