"""Gauss–Newton fits of the blurred-aperture disk model (:mod:`.disk_model`), all disks of a
pattern at once.

Each disk's pixels are one row of a batch, padded to the longest window with zero weight, so
every step (the linear coefficients, the coarse grid, the Gauss–Newton step with its halving,
the covariance) is a stacked array operation instead of a loop of small ones; each disk keeps
its own step size and stopping point, as if fitted alone.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy import special

from insitu_tem.analysis.diffraction.disk_fit import MIN_DISK_RADIUS_PX

MAX_STEP_PX = 0.5
_ITERATIONS = 30
_HALVINGS = 6
_TOLERANCE_PX = 1e-3
_GRID_VALUES = 16384


@dataclass(frozen=True)
class Windows:
    """Pixels of each disk's window, padded: (m, n) rows, cols (whole px), values (counts),
    weights (1/counts², 0 on padding) and (m, n, k) the interior polynomial's terms."""

    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    weight: np.ndarray
    poly: np.ndarray

    @classmethod
    def stack(cls, windows) -> Windows:
        """From per-disk (rows, cols, values, weight, poly) tuples of any lengths."""
        size = max(len(w[0]) for w in windows)
        k = windows[0][4].shape[1]
        out = [np.zeros((len(windows), size)) for _ in range(4)]
        poly = np.zeros((len(windows), size, k))
        for i, window in enumerate(windows):
            n = len(window[0])
            for array, part in zip(out, window[:4]):
                array[i, :n] = part
            out[0][i, n:], out[1][i, n:] = window[0][0], window[1][0]
            poly[i, :n] = window[4]
        return cls(*out, poly)

    def take(self, index) -> Windows:
        return Windows(
            *(a[index] for a in (self.rows, self.cols, self.values, self.weight)), self.poly[index]
        )


@dataclass(frozen=True)
class _Linear:
    """The linear part at a shape: χ² (m,), coefficients (m, k+1), design (m, n, k+1), the
    residual (m, n) and the aperture's derivatives by the free ones of (row, col, radius, blur)
    (m, n, f)."""

    chi2: np.ndarray
    coefficients: np.ndarray
    design: np.ndarray
    residual: np.ndarray
    slopes: np.ndarray

    def arrays(self) -> tuple:
        return self.chi2, self.coefficients, self.design, self.residual, self.slopes

    def take(self, index) -> _Linear:
        return _Linear(*(a[index] for a in self.arrays()))


def _aperture(w: Windows, shape: np.ndarray, free: int):
    """The blurred aperture (m, n) and its derivatives by the ``free`` first shape parameters
    (row, col, radius, blur)."""
    dr, dc = w.rows - shape[:, :1], w.cols - shape[:, 1:2]
    rho = np.maximum(np.hypot(dr, dc), 1e-9)
    blur = shape[:, 3:4]
    z = (rho - shape[:, 2:3]) / (np.sqrt(2.0) * blur)
    density = np.exp(-(z**2)) / (np.sqrt(2.0 * np.pi) * blur)
    slopes = [density * dr / rho, density * dc / rho]
    if free > 2:
        slopes += [density, density * z]
    return 0.5 * special.erfc(z), np.stack(slopes, axis=-1)


def _solve(normal: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.solve(normal, rhs[..., None])[..., 0]
    except np.linalg.LinAlgError:
        return (np.linalg.pinv(normal) @ rhs[..., None])[..., 0]


def _design(w: Windows, disk: np.ndarray) -> np.ndarray:
    return np.concatenate([np.ones(disk.shape + (1,)), w.poly * disk[..., None]], axis=-1)


def _weighted_fit(design: np.ndarray, values: np.ndarray, weight: np.ndarray):
    weighted = design * weight[..., None]
    normal = np.swapaxes(weighted, -1, -2) @ design
    coefficients = _solve(normal, np.einsum("...ni,...n->...i", weighted, values))
    residual = values - np.einsum("...ni,...i->...n", design, coefficients)
    return np.sum(weight * residual**2, axis=-1), coefficients, residual


def _linear_fit(w: Windows, shape: np.ndarray, free: int) -> _Linear:
    disk, slopes = _aperture(w, shape, free)
    design = _design(w, disk)
    chi2, coefficients, residual = _weighted_fit(design, w.values, w.weight)
    return _Linear(chi2, coefficients, design, residual, slopes)


def _coarse(w: Windows, shape: np.ndarray) -> np.ndarray:
    """``shape`` with each centre moved to the best of a 1 px grid within 0.4 radius + 1 px, a
    few disks at a time: each (disks, grid points, pixels) array holds at most
    :data:`_GRID_VALUES` values (128 KiB, which stays in cache and below the allocator's
    threshold for mapping fresh pages)."""
    points = len(_grid(int(np.ceil(0.4 * shape[:, 2] + 1.0).max()))) * w.rows.shape[1]
    size = max(_GRID_VALUES // points, 1)
    best = shape.copy()
    for first in range(0, len(shape), size):
        part = slice(first, first + size)
        best[part, :2] = _grid_best(w.take(part), shape[part])
    return best


@functools.lru_cache(maxsize=8)
def _grid(reach: int) -> np.ndarray:
    """(g, 2) whole-pixel (row, col) offsets within ``reach`` px (read-only)."""
    dr, dc = np.mgrid[-reach : reach + 1, -reach : reach + 1].reshape(2, -1)
    near = dr * dr + dc * dc <= reach * reach
    offsets = np.column_stack([dr[near], dc[near]])
    offsets.flags.writeable = False
    return offsets


def _grid_best(w: Windows, shape: np.ndarray) -> np.ndarray:
    """(m, 2) best grid centres of :func:`_coarse`.

    A window's pixels and the grid's offsets are whole pixels, so every pixel's offset from a
    grid centre lies on the integer lattice shifted by the start's fraction of a pixel: the
    aperture is evaluated once per lattice point and looked up. The normal equations of every
    grid point are sums over the pixels of the aperture (and its square) times per-pixel
    products of the polynomial's terms: batched matrix products."""
    span = np.ceil(0.4 * shape[:, 2] + 1.0)
    reach = int(span.max())
    offsets = _grid(reach)
    base = np.rint(shape[:, :2])
    pixel = np.rint(np.stack([w.rows - base[:, :1], w.cols - base[:, 1:2]])).astype(int)
    half = int(np.abs(pixel).max()) + reach
    lattice = np.arange(-half, half + 1) - (shape[:, :2] - base)[..., None]
    rho = np.sqrt(lattice[:, 0, :, None] ** 2 + lattice[:, 1, None, :] ** 2)
    edge = (rho - shape[:, 2, None, None]) / (np.sqrt(2.0) * shape[:, 3, None, None])
    table = 0.5 * special.erfc(edge).reshape(len(shape), -1)
    size = 2 * half + 1
    at = (pixel[0] + half) * size + pixel[1] + half
    step = offsets[:, 0] * size + offsets[:, 1]
    disk = np.take_along_axis(table, (at[:, None, :] - step[None, :, None]).reshape(len(at), -1), 1)
    disk = disk.reshape(len(shape), len(offsets), -1)
    coefficients = _solve(*_coarse_normal(w, disk))
    interior = coefficients[..., 1:] @ np.swapaxes(w.poly, 1, 2)
    residual = w.values[:, None] - coefficients[..., :1] - disk * interior
    chi2 = np.sum(w.weight[:, None] * residual**2, axis=-1)
    chi2[np.sum(offsets**2, axis=1)[None, :] > span[:, None] ** 2] = np.inf
    return shape[:, :2] + offsets[np.argmin(chi2, axis=1)]


def _coarse_normal(w: Windows, disk: np.ndarray):
    """Normal matrices (m, g, k+1, k+1) and right-hand sides (m, g, k+1) of the linear fit at
    each of g grid points with the (m, g, n) disk profiles (design: 1, then poly × disk)."""
    m, g, _ = disk.shape
    k = w.poly.shape[2]
    weighted = w.poly * w.weight[..., None]
    products = (weighted[..., :, None] * w.poly[..., None, :]).reshape(m, -1, k * k)
    normal = np.empty((m, g, k + 1, k + 1))
    normal[..., 0, 0] = np.sum(w.weight, axis=1)[:, None]
    normal[..., 0, 1:] = disk @ weighted
    normal[..., 1:, 0] = normal[..., 0, 1:]
    normal[..., 1:, 1:] = (disk**2 @ products).reshape(m, g, k, k)
    rhs = np.empty((m, g, k + 1))
    rhs[..., 0] = np.sum(w.weight * w.values, axis=1)[:, None]
    rhs[..., 1:] = disk @ (weighted * w.values[..., None])
    return normal, rhs


def _normal(w: Windows, fit: _Linear):
    """Gauss–Newton normal matrices and gradients (linear, then the free shape parameters)."""
    interior = np.einsum("mnk,mk->mn", w.poly, fit.coefficients[:, 1:])
    jacobian = np.concatenate([fit.design, interior[..., None] * fit.slopes], axis=-1)
    weighted = jacobian * w.weight[..., None]
    return np.swapaxes(weighted, 1, 2) @ jacobian, np.einsum("mni,mn->mi", weighted, fit.residual)


def _clamped(shape: np.ndarray) -> np.ndarray:
    shape[:, 2] = np.maximum(shape[:, 2], 0.5 * MIN_DISK_RADIUS_PX)
    shape[:, 3] = np.clip(shape[:, 3], 0.2, 0.5 * shape[:, 2])
    return shape


def _halved(w: Windows, fit: _Linear, shape, shift, free: int):
    """Step halving: per disk the first of ``_HALVINGS`` scaled steps that does not raise χ²;
    (accepted mask, scale, trial shapes, their fit)."""
    scale = np.minimum(1.0, MAX_STEP_PX / np.maximum(np.max(np.abs(shift), axis=1), 1e-12))
    accepted = np.zeros(len(shape), dtype=bool)
    trial, trial_fit = shape.copy(), fit
    pending = np.arange(len(shape))
    for _ in range(_HALVINGS):
        attempt = shape[pending]
        attempt[:, :free] += scale[pending, None] * shift[pending]
        attempt = _clamped(attempt)
        here = w if len(pending) == len(shape) else w.take(pending)
        attempt_fit = _linear_fit(here, attempt, free)
        better = attempt_fit.chi2 <= fit.chi2[pending]
        took = pending[better]
        trial[took] = attempt[better]
        if len(took) == len(shape):
            return np.ones(len(shape), dtype=bool), scale, trial, attempt_fit
        trial_fit = _merged(trial_fit, took, attempt_fit.take(better))
        accepted[took] = True
        scale[pending[~better]] *= 0.5
        pending = pending[~better]
        if not pending.size:
            break
    return accepted, scale, trial, trial_fit


def _merged(fit: _Linear, index: np.ndarray, part: _Linear) -> _Linear:
    if not index.size:
        return fit
    arrays = [a.copy() for a in fit.arrays()]
    for array, new in zip(arrays, part.arrays()):
        array[index] = new
    return _Linear(*arrays)


def _refine(w: Windows, shape: np.ndarray, free: int, anchor: np.ndarray, leash: np.ndarray):
    """Gauss–Newton with step halving, each disk until its centre step is below the tolerance,
    no halved step lowers χ² or its centre is more than ``leash`` (m,) px from ``anchor``
    (m, 2), its start (it has left the disk): (shapes, fit, stopped mask).

    The disks still iterating carry their windows, shapes and fit along (``here``), so a step
    costs only their rows; a disk's shape and fit are stored when it stops."""
    fit = _linear_fit(w, shape, free)
    done = np.zeros(len(shape), dtype=bool)
    active = np.arange(len(shape))
    here, here_fit, here_shape = w, fit, shape
    for _ in range(_ITERATIONS):
        normal, gradient = _normal(here, here_fit)
        shift = _solve(normal, gradient)[:, here_fit.coefficients.shape[1] :]
        accepted, scale, here_shape, here_fit = _halved(here, here_fit, here_shape, shift, free)
        gone = np.hypot(*(here_shape[:, :2] - anchor).T) > leash
        stop = ~accepted | (scale * np.max(np.abs(shift[:, :2]), axis=1) < _TOLERANCE_PX) | gone
        done[active[stop]] = True
        if stop.all():
            break
        if stop.any():
            _store(shape, fit, active[stop], here_shape[stop], here_fit.take(stop))
            going = np.flatnonzero(~stop)
            active, here_shape = active[going], here_shape[going]
            here, here_fit = here.take(going), here_fit.take(going)
            anchor, leash = anchor[going], leash[going]
    _store(shape, fit, active, here_shape, here_fit)
    return shape, fit, done


def _store(shape, fit: _Linear, index, part_shape, part: _Linear) -> None:
    shape[index] = part_shape
    for array, new in zip(fit.arrays(), part.arrays()):
        array[index] = new


def fit_models(
    w: Windows, starts: np.ndarray, *, radius, blur, free_shape: bool, leash=np.inf
) -> list:
    """Per disk (centre, radius, blur, centre 1σ, edge significance, χ²) or None (no
    convergence), from ``starts`` (m, 2) with the given radius and blur (scalars or (m,) px;
    free with ``free_shape``); a disk stops as soon as its centre is more than ``leash`` px from its
    start.

    The centre's 1σ is the least-squares covariance scaled by χ²/dof when above 1; the edge
    significance is the χ² gained over the polynomial alone, over that misfit.
    """
    free = 4 if free_shape else 2
    m = len(starts)
    start = np.column_stack(
        [starts, np.broadcast_to(radius, m), np.broadcast_to(np.asarray(blur, dtype=float), m)]
    )
    bound = np.broadcast_to(np.asarray(leash, dtype=float), (m,))
    shape, fit, converged = _refine(w, _coarse(w, start.astype(float)), free, starts, bound)
    k = fit.coefficients.shape[1]
    covariance = np.linalg.pinv(_normal(w, fit)[0])
    dof = np.maximum(np.sum(w.weight > 0, axis=1) - covariance.shape[1], 1)
    misfit = np.maximum(fit.chi2 / dof, 1.0)
    sigma = np.sqrt(0.5 * (covariance[:, k, k] + covariance[:, k + 1, k + 1]) * misfit)
    no_edge = _weighted_fit(w.poly, w.values, w.weight)[0]
    return [
        (
            shape[i, :2],
            float(shape[i, 2]),
            float(shape[i, 3]),
            float(sigma[i]),
            float((no_edge[i] - fit.chi2[i]) / misfit[i]),
            float(fit.chi2[i]),
        )
        if converged[i]
        else None
        for i in range(m)
    ]
