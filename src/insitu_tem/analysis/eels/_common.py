"""Input checks and small vectorised helpers shared by the EELS analyses."""

from __future__ import annotations

import numpy as np

from insitu_tem.core.model import Axis


def as_spectra(
    spectra, energy: Axis, *, convert: bool = True
) -> tuple[np.ndarray, tuple[int, ...]]:
    """Return ``spectra`` as a (n_spectra, n_channels) array and its navigation shape.

    The array is float64 unless ``convert`` is False (then float32 stays
    float32 and other dtypes become float64).

    Raises
    ------
    ValueError
        When the last dimension does not match ``energy`` or the axis is not in eV.
    """
    array = np.asarray(spectra)
    if array.ndim == 0 or array.shape[-1] != energy.size:
        raise ValueError(
            f"spectra of shape {array.shape} do not match the energy axis of {energy.size} "
            "channels; "
            "pass the spectra with energy as the last dimension"
        )
    if energy.units != "eV":
        raise ValueError(
            f"the energy axis is in {energy.units!r}, not eV; calibrate it first (e.g. --scale "
            "0.05 --units eV)"
        )
    nav_shape = array.shape[:-1]
    dtype = np.float32 if not convert and array.dtype == np.float32 else np.float64
    return array.reshape(-1, energy.size).astype(dtype, copy=False), nav_shape


def channel_range(energy: Axis, window_eV: tuple[float, float], *, minimum: int = 3) -> slice:
    """Channels whose centres fall inside ``window_eV`` (low, high), as a slice.

    Raises
    ------
    ValueError
        When the window is reversed, outside the axis, or holds fewer than ``minimum`` channels.
    """
    low, high = (float(v) for v in window_eV)
    if not high > low:
        raise ValueError(
            f"window {low:g}–{high:g} eV is empty; give it as LOW,HIGH with LOW < HIGH"
        )
    first = int(np.ceil(energy.to_index(low) - 1e-9))
    last = int(np.floor(energy.to_index(high) + 1e-9))
    first, last = max(first, 0), min(last, energy.size - 1)
    if last - first + 1 < minimum:
        coords = energy.coordinates()
        raise ValueError(
            f"window {low:g}–{high:g} eV holds {max(last - first + 1, 0)} channels of a spectrum "
            f"covering {coords[0]:.4g}–{coords[-1]:.4g} eV; widen it (at least {minimum} channels)"
        )
    return slice(first, last + 1)


def smooth(spectra: np.ndarray, sigma_channels: float) -> np.ndarray:
    """Gaussian smoothing along the energy axis (no-op for sigma <= 0)."""
    if sigma_channels <= 0:
        return spectra
    from scipy.ndimage import gaussian_filter1d

    return gaussian_filter1d(spectra, sigma_channels, axis=-1, mode="nearest")


def residual_maker(size: int, degree: int) -> np.ndarray:
    """The residual maker ``I − V V⁺`` of a least-squares polynomial of ``degree`` over ``size``
    equally spaced channels (``V`` its Vandermonde matrix on [−1, 1], ``V⁺`` the pseudo-inverse):
    a window's counts times it are the fit's residuals."""
    basis = np.vander(np.linspace(-1.0, 1.0, size), degree + 1)
    return np.eye(size) - basis @ np.linalg.pinv(basis)


def parabola_vertex(
    left: np.ndarray, centre: np.ndarray, right: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Sub-sample offset (in samples, within ±0.5) and curvature of the parabola through three
    values."""
    curvature = left - 2.0 * centre + right
    with np.errstate(divide="ignore", invalid="ignore"):
        offset = np.where(curvature != 0, 0.5 * (left - right) / curvature, 0.0)
    return np.clip(offset, -0.5, 0.5), curvature


def reshape_nav(values: np.ndarray, nav_shape: tuple[int, ...]) -> np.ndarray:
    """Give per-spectrum values (n_spectra, ...) back their navigation shape."""
    return np.asarray(values).reshape(nav_shape + np.asarray(values).shape[1:])
