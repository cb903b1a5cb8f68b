"""Projector and reconstructions against the analytic nanowire phantom (known geometry)."""

import numpy as np
import pytest

from insitu_tem.analysis.tomo.projector import projector
from insitu_tem.analysis.tomo.reconstruct import angular_weights, mlem_reprojections, reconstruct
from insitu_tem.samples.tomo import Phantom, make_series, projection, volumes

PHANTOM = Phantom(
    size=48, tilts_deg=tuple(np.arange(-60.0, 60.1, 10.0)), shift_rms_px=0.0, counts=200.0
)


@pytest.fixture(scope="module")
def series():
    data = make_series(PHANTOM)
    return data, volumes(data["phantom"])


def test_projector_reproduces_the_analytic_projections(series):
    data, truth = series
    n, phantom = PHANTOM.size, data["phantom"]
    proj = projector(data["tilts_deg"], n, axis_offset_px=phantom.axis_offset_px)
    columns = np.ascontiguousarray(truth["density"].transpose(0, 2, 1)).reshape(n * n, n)
    sino = proj.forward(columns).reshape(len(data["tilts_deg"]), n, n).transpose(0, 2, 1)
    for k in (0, 3, 6):
        exact = projection(phantom, data["tilts_deg"][k], np.zeros(2))[0]
        assert np.corrcoef(sino[k].ravel(), exact.ravel())[0, 1] > 0.999
        assert abs(sino[k].sum() - exact.sum()) < 0.01 * exact.sum()


@pytest.mark.parametrize("method, r_min", [("wbp", 0.6), ("sirt", 0.93), ("mlem", 0.93)])
def test_reconstruction_matches_the_phantom(series, method, r_min):
    data, truth = series
    result = reconstruct(
        data["haadf"] / data["scale"],
        data["tilts_deg"],
        method=method,
        axis_offset_px=PHANTOM.axis_offset_px,
    )
    assert result.ok and result.volume.shape == (48, 48, 48) and result.volume.dtype == np.float32
    r = np.corrcoef(result.volume.ravel(), truth["density"].ravel())[0, 1]
    assert r > r_min
    wrong = reconstruct(
        data["haadf"] / data["scale"], data["tilts_deg"], method=method, axis_offset_px=-6.0
    )
    assert np.corrcoef(wrong.volume.ravel(), truth["density"].ravel())[0, 1] < r - 0.03
    if method != "wbp":
        assert result.volume.min() >= 0


def test_small_memory_budget_gives_the_same_volume(series):
    data, _ = series
    whole = reconstruct(data["haadf"], data["tilts_deg"], method="sirt", iterations=5)
    chunked = reconstruct(
        data["haadf"], data["tilts_deg"], method="sirt", iterations=5, max_memory_bytes=1
    )
    np.testing.assert_allclose(chunked.volume, whole.volume, rtol=1e-4, atol=1e-4)


def test_reprojections_are_those_of_the_reconstructed_volume(series):
    """The projection-matching references: the MLEM volume from some tilts, re-projected at the
    others chunk by chunk (a small budget: one slice a chunk), equal the whole volume's
    re-projection."""
    data, _ = series
    n, offset = PHANTOM.size, PHANTOM.axis_offset_px
    use = np.arange(len(data["tilts_deg"])) % 3 != 0
    tilts = np.asarray(data["tilts_deg"])
    volume = reconstruct(
        data["haadf"][use],
        tilts[use],
        method="mlem",
        iterations=6,
        axis_offset_px=offset,
        smooth_px=0.0,
    ).volume
    proj = projector(tilts[~use], n, axis_offset_px=offset)
    columns = np.ascontiguousarray(volume.transpose(0, 2, 1)).reshape(n * n, n)
    expected = proj.forward(columns).reshape(int((~use).sum()), n, n).transpose(0, 2, 1)
    found = mlem_reprojections(
        data["haadf"][use],
        tilts[use],
        tilts[~use],
        iterations=6,
        axis_offset_px=offset,
        max_memory_bytes=2**16,
    )
    assert found.shape == expected.shape
    assert np.allclose(found, expected, rtol=1e-4, atol=1e-4 * float(expected.max()))


def test_cancel_and_progress(series):
    data, _ = series
    seen = []
    result = reconstruct(
        data["haadf"],
        data["tilts_deg"],
        method="mlem",
        iterations=50,
        should_stop=lambda: len(seen) > 3,
        progress=lambda f, m: seen.append(f),
    )
    assert not result.ok and result.reason == "cancelled"
    assert 0 < seen[0] < seen[-1] < 1


def test_angular_weights_cover_the_tilt_range():
    weights = angular_weights(np.array([10.0, -10.0, 0.0, 20.0]))
    np.testing.assert_allclose(weights, np.deg2rad([10, 10, 10, 10]))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"method": "art"}, "method"),
        ({"iterations": 0}, "iterations"),
    ],
)
def test_bad_options_raise(series, kwargs, message):
    data, _ = series
    with pytest.raises(ValueError, match=message):
        reconstruct(data["haadf"], data["tilts_deg"], **kwargs)
    with pytest.raises(ValueError, match="angle"):
        reconstruct(data["haadf"], data["tilts_deg"][:-1])
