"""Segmentation of reconstructed volumes: thresholds, watershed, and a classifier trained on
scribbles.

Labels are small integers ordered by intensity for the automatic methods
(0 the darkest class: vacuum and voids; for a core–shell wire 1 the shell,
2 the core). Multi-Otsu [1]_ picks ``classes − 1`` thresholds; ``watershed``
floods the gradient magnitude of the smoothed volume from markers deep
inside each multi-Otsu class [2]_; :func:`classify_scribbles` trains a random
forest on multiscale intensity, edge and texture features of the voxels the
user scribbled and labels every voxel [3]_.

References
----------
.. [1] N. Otsu, IEEE Trans. Syst. Man Cybern. 9, 62 (1979); P.-S. Liao,
   T.-S. Chen and P.-C. Chung, J. Inf. Sci. Eng. 17, 713 (2001).
.. [2] S. Beucher and F. Meyer, in *Mathematical Morphology in Image
   Processing*, Marcel Dekker (1993), ch. 12.
.. [3] L. Breiman, Mach. Learn. 45, 5 (2001); the approach of ilastik,
   S. Berg et al., Nat. Methods 16, 1226 (2019).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage
from skimage.filters import threshold_multiotsu, threshold_otsu
from skimage.segmentation import watershed

METHODS = ("otsu", "multiotsu", "watershed")
_FEATURE_SIGMAS = (1.0, 2.0, 4.0)


@dataclass(frozen=True)
class Segmentation:
    """Integer labels of a volume.

    Attributes
    ----------
    labels : ndarray
        (z, y, x) uint8.
    thresholds : tuple of float
        Intensity thresholds used (empty for the classifier).
    method : str
    ok : bool
    reason : str
    """

    labels: np.ndarray
    thresholds: tuple[float, ...]
    method: str
    ok: bool = True
    reason: str = ""


def _smoothed(volume: np.ndarray, sigma: float) -> np.ndarray:
    return (
        ndimage.gaussian_filter(np.asarray(volume, dtype=np.float32), sigma)
        if sigma > 0
        else np.asarray(volume, np.float32)
    )


def segment(
    volume: np.ndarray, *, method: str = "multiotsu", classes: int = 3, smooth_px: float = 1.0
) -> Segmentation:
    """Label a volume by intensity.

    Parameters
    ----------
    volume : ndarray
        (z, y, x) reconstruction.
    method : {"otsu", "multiotsu", "watershed"}
    classes : int
        Number of classes for multi-Otsu and watershed (2 for Otsu).
    smooth_px : float
        σ of a Gaussian applied first, px.

    Returns
    -------
    Segmentation
        ``ok=False`` when the volume holds fewer distinct values than classes.
    """
    if method not in METHODS:
        raise ValueError(f"segmentation method {method!r} is not one of {', '.join(METHODS)}")
    if volume.ndim != 3:
        raise ValueError(f"a volume must be (z, y, x); got shape {volume.shape}")
    classes = 2 if method == "otsu" else int(classes)
    if not 2 <= classes <= 8:
        raise ValueError(f"classes must be 2-8; got {classes}")
    data = _smoothed(volume, smooth_px)
    sample = data.ravel()[:: max(1, data.size // 2_000_000)]
    if np.unique(sample).size < max(classes, 16):
        return Segmentation(
            np.zeros(volume.shape, np.uint8), (), method, False, "the volume is (nearly) constant"
        )
    thresholds = (
        (threshold_otsu(sample),)
        if classes == 2
        else tuple(threshold_multiotsu(sample, classes=classes))
    )
    labels = np.digitize(data, thresholds).astype(np.uint8)
    if method == "watershed":
        labels = _watershed(data, labels, classes)
    return Segmentation(labels, tuple(float(t) for t in thresholds), method)


def _watershed(data: np.ndarray, labels: np.ndarray, classes: int) -> np.ndarray:
    markers = np.zeros(labels.shape, dtype=np.int32)
    for k in range(classes):
        markers[ndimage.binary_erosion(labels == k, iterations=2)] = k + 1
    gradient = ndimage.gaussian_gradient_magnitude(data, 1.0)
    return (watershed(gradient, markers) - 1).astype(np.uint8)


def _features(volume: np.ndarray) -> np.ndarray:
    from skimage.feature import multiscale_basic_features  # imports matplotlib (0.4 s)

    data = np.asarray(volume, dtype=np.float32)
    scale = float(np.percentile(data, 99.5) - np.percentile(data, 0.5)) or 1.0
    return multiscale_basic_features(
        data / scale,
        intensity=True,
        edges=True,
        texture=True,
        sigma_min=_FEATURE_SIGMAS[0],
        sigma_max=_FEATURE_SIGMAS[-1],
        num_sigma=len(_FEATURE_SIGMAS),
    ).astype(np.float32)


def classify_scribbles(
    volume: np.ndarray, scribbles: np.ndarray, *, trees: int = 50, seed: int = 0
) -> Segmentation:
    """Label every voxel with a random forest trained on the user's scribbles.

    Parameters
    ----------
    volume : ndarray
        (z, y, x) reconstruction.
    scribbles : ndarray
        Same shape, int: 0 unlabelled, 1..K the class drawn there.
    trees : int
        Trees in the forest.
    seed : int
        Random state (results are reproducible).

    Returns
    -------
    Segmentation
        Labels 1..K (``ok=False`` with fewer than two scribbled classes).
    """
    from sklearn.ensemble import RandomForestClassifier

    if scribbles.shape != volume.shape:
        raise ValueError(f"scribbles {scribbles.shape} must have the volume's shape {volume.shape}")
    drawn = scribbles > 0
    if np.unique(scribbles[drawn]).size < 2:
        return Segmentation(
            np.zeros(volume.shape, np.uint8),
            (),
            "classifier",
            False,
            "scribble at least two classes",
        )
    features = _features(volume)
    forest = RandomForestClassifier(n_estimators=trees, max_depth=12, n_jobs=1, random_state=seed)
    forest.fit(features[drawn], scribbles[drawn])
    flat = features.reshape(-1, features.shape[-1])
    labels = np.concatenate(
        [forest.predict(flat[i : i + 500_000]) for i in range(0, flat.shape[0], 500_000)]
    )
    return Segmentation(labels.reshape(volume.shape).astype(np.uint8), (), "classifier")
