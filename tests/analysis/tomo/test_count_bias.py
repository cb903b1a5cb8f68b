"""The core count's simulated bias (tomo.count_bias) calibrates an independent series."""

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.tomo.count_bias import N_SLICES, _disks, core_count_bias
from insitu_tem.analysis.tomo.material_volume import _filled_above, _plateau
from insitu_tem.analysis.tomo.projector import projector
from insitu_tem.analysis.tomo.reconstruct import reconstruct
from insitu_tem.analysis.tomo.segment import segment

SHAPE, RADII, CENTRE, DENSITIES = (48, 48), (8.0, 14.0), (24.3, 22.8), (3.0, 1.5)


def _count(data, inside, outside):
    level = (_plateau(data, inside)[0] + _plateau(data, outside)[0]) / 2
    return float(_filled_above(data, level).sum())


def _measured_count(tilts: np.ndarray, seed: int) -> tuple[float, float]:
    """Midpoint count of the core of an independently simulated series, and its true area."""
    image, area = _disks(SHAPE, RADII, CENTRE, DENSITIES)
    proj = projector(tilts, SHAPE[1], nz=SHAPE[0])
    sinogram = proj.forward(image.reshape(-1, 1).astype(np.float32)).reshape(tilts.size, -1)
    mean = np.repeat(np.maximum(sinogram, 0)[:, None, :], N_SLICES, axis=1)
    counts = np.random.default_rng(seed).poisson(mean).astype(np.float32)
    volume = reconstruct(counts, tilts, method="mlem", iterations=20).volume
    labels = segment(volume, method="multiotsu", classes=3).labels
    data = ndimage.gaussian_filter(volume, 1.0)
    return _count(data, labels == 2, labels == 1), area * N_SLICES


def test_the_bias_calibrates_a_series_of_other_noise():
    tilts = np.arange(-60.0, 60.1, 7.5)
    bias = core_count_bias(
        SHAPE,
        tilts,
        iterations=20,
        radii=RADII,
        centre_zx=CENTRE,
        densities=DENSITIES,
        count=_count,
    )
    for seed in (7, 8):
        count, area = _measured_count(tilts, seed)
        assert abs(count / (1 + bias) / area - 1) < 0.01
