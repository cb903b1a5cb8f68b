"""Linear convolution of real arrays through :mod:`scipy.fft`.

The same computation as :func:`scipy.signal.fftconvolve` for real inputs in the modes "full"
and "same" (zero padding to the fast lengths of ``scipy.fft.next_fast_len``, ``rfftn`` of both
inputs, ``irfftn`` of their product, crop), so results are bit-identical to it; it exists to
keep ``scipy.signal`` (which imports ``scipy.stats``, ``optimize`` and ``interpolate``, about
1 CPU s) out of the diffraction workers' start-up.
"""

from __future__ import annotations

import numpy as np
from scipy import fft


def fft_convolve(first, second, *, mode: str = "full") -> np.ndarray:
    """Linear convolution of two real arrays of the same dimensionality.

    Parameters
    ----------
    first, second : array_like
        Real arrays (integers are converted to float64; float32 stays float32).
    mode : {"full", "same"}, keyword-only
        "full": the whole convolution, shape ``first.shape + second.shape - 1``; "same": its
        central part with the shape of ``first``.

    Returns
    -------
    numpy.ndarray
        The convolution, in the units of ``first`` times those of ``second``.

    Notes
    -----
    Axes where either array has length 1 are combined by broadcasting, as in
    :func:`scipy.signal.fftconvolve`.
    """
    a, b = _real(first), _real(second)
    if a.ndim != b.ndim:
        raise ValueError("the two arrays must have the same dimensionality")
    if mode not in ("full", "same"):
        raise ValueError(f"mode must be 'full' or 'same', not {mode!r}")
    axes = [i for i in range(a.ndim) if a.shape[i] != 1 and b.shape[i] != 1]
    shape = [
        a.shape[i] + b.shape[i] - 1 if i in axes else max(a.shape[i], b.shape[i])
        for i in range(a.ndim)
    ]
    if axes:
        lengths = [fft.next_fast_len(shape[i], True) for i in axes]
        product = fft.rfftn(a, lengths, axes=axes) * fft.rfftn(b, lengths, axes=axes)
        full = fft.irfftn(product, lengths, axes=axes)[tuple(slice(n) for n in shape)]
    else:
        full = a * b
    if mode == "same":
        start = [(n - m) // 2 for n, m in zip(full.shape, a.shape)]
        full = full[tuple(slice(s, s + m) for s, m in zip(start, a.shape))]
    return full.copy()


def _real(values) -> np.ndarray:
    array = np.asarray(values)
    if np.iscomplexobj(array):
        raise ValueError("fft_convolve takes real arrays")
    return array.astype(np.float64) if np.issubdtype(array.dtype, np.integer) else array
