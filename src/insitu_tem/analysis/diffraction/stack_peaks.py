"""The peaks of a stack of images as :func:`skimage.feature.peak_local_max` finds them in each.

``peak_local_max`` keeps the pixels equal to the maximum of their (2 d + 1)² neighbourhood,
above the threshold and off the border, brightest first, then drops any within d (Chebyshev) of
a brighter one kept. Two such maxima closer than d lie in each other's neighbourhood, so they
are equal: where no two candidates of an image tie, that last step drops nothing. The stack is
filtered at once and the candidates of all images sorted together; an image whose candidates
tie goes through ``peak_local_max`` itself, so the answer is ``peak_local_max``'s in every case,
without its per-image spacing search (a k-d tree and a Python loop over the candidates).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage
from skimage.feature import peak_local_max


def stack_peaks(images, thresholds, *, min_distance: int, border: int) -> list[np.ndarray]:
    """Per image, ``peak_local_max(image, min_distance=min_distance, threshold_abs=threshold,
    exclude_border=border)``: its peaks (k, 2) (row, col), brightest first.

    Parameters
    ----------
    images : array_like
        (n, rows, cols) real images.
    thresholds : array_like
        (n,) the least value of a peak of each image (exclusive), in the images' units.
    min_distance : int
        Neighbourhood half-width and least spacing of the peaks, px (>= 1).
    border : int
        Width of the border left out, px (>= 0).
    """
    stack = np.asarray(images)
    limits = np.asarray(thresholds, dtype=float)
    size = 2 * int(min_distance) + 1
    peak = stack == ndimage.maximum_filter(stack, size=(1, size, size), mode="nearest")
    peak[peak.reshape(len(stack), -1).all(axis=1)] = False
    peak &= stack > limits[:, None, None]
    if border > 0:
        peak[:, :border] = peak[:, -border:] = False
        peak[:, :, :border] = peak[:, :, -border:] = False
    owner, rows, cols = np.nonzero(peak)
    values = stack[owner, rows, cols]
    order = np.lexsort((-values, owner))
    split = np.cumsum(np.bincount(owner, minlength=len(stack)))[:-1]
    found = []
    for i, part in enumerate(np.split(order, split)):
        if np.any(np.diff(values[part]) == 0):
            found.append(
                peak_local_max(
                    stack[i],
                    min_distance=int(min_distance),
                    threshold_abs=limits[i],
                    exclude_border=int(border),
                )
            )
        else:
            found.append(np.stack([rows[part], cols[part]], axis=1))
    return found
