"""Tomographic reconstruction on the CPU: WBP, SIRT and MLEM over all slices at once.

Every slice perpendicular to the tilt axis is an independent 2-D problem with
the same system matrix ``A`` (:mod:`.projector`), so slices are stacked as the
columns of one dense matrix and each iteration is two sparse-times-dense
products. Slices are processed in chunks whose size is set by a memory budget;
two chunks run at once (scipy's sparse products release the GIL).

* WBP: ramp-filtered (Ram–Lak, spatial-domain kernel [1]_) back-projection,
  each tilt weighted by the angle it covers, radians.
* SIRT: ``x ← x + C Aᵀ R (b − A x)`` with ``R``, ``C`` the inverse row and
  column sums of ``A`` [2]_, clipped at 0 when ``nonnegative``.
* MLEM (the "EM" of the EDS-tomography papers): ``x ← x · Aᵀ(b / A x) / Aᵀ1``
  [3]_, non-negative by construction.

References
----------
.. [1] A. C. Kak and M. Slaney, *Principles of Computerized Tomographic
   Imaging* (1988), eq. 61 of ch. 3.
.. [2] P. Gilbert, J. Theor. Biol. 36, 105 (1972).
.. [3] L. A. Shepp and Y. Vardi, IEEE Trans. Med. Imaging 1, 113 (1982).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from threading import Lock
from typing import Callable

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.tomo.projector import Projector, projector

METHODS = ("wbp", "sirt", "mlem")
DEFAULT_ITERATIONS = {"wbp": 1, "sirt": 30, "mlem": 20}
DEFAULT_SMOOTH_PX = 1.0
DEFAULT_MEMORY_BYTES = 512 * 2**20
_EPS = np.float32(1e-6)
_MIN_CHUNK = 32


@dataclass(frozen=True)
class Reconstruction:
    """A reconstructed volume.

    Attributes
    ----------
    volume : numpy.ndarray
        (z, y, x) float32, in the projections' units per px of path length.
    method : str
        ``"wbp"``, ``"sirt"`` or ``"mlem"``.
    iterations : int
        Iterations run (1 for WBP).
    reprojection_error : float
        ``‖A x − b‖ / ‖b‖`` over all slices (dimensionless).
    ok : bool
        False when cancelled (``volume`` then holds the slices finished).
    reason : str
        Why ``ok`` is False.
    """

    volume: np.ndarray
    method: str
    iterations: int
    reprojection_error: float
    ok: bool = True
    reason: str = ""


class _Cancelled(Exception):
    pass


def ramp_kernel(n: int) -> np.ndarray:
    """Spatial-domain Ram–Lak kernel for unit detector spacing, length ``2 n - 1`` (centre at ``n
    - 1``)."""
    k = np.arange(-(n - 1), n)
    kernel = np.zeros(k.size, dtype=np.float64)
    kernel[k == 0] = 0.25
    odd = k % 2 == 1
    kernel[odd] = -1.0 / (np.pi * k[odd]) ** 2
    return kernel


def _ramp_filter(sinograms: np.ndarray) -> np.ndarray:
    """Ramp-filter (n_tilts, n_det, n) sinograms along the detector axis."""
    n_det = sinograms.shape[1]
    size = int(2 ** np.ceil(np.log2(3 * n_det)))
    response = np.fft.rfft(ramp_kernel(n_det), size)
    spectrum = np.fft.rfft(sinograms, size, axis=1) * response[None, :, None]
    full = np.fft.irfft(spectrum, size, axis=1)
    return full[:, n_det - 1 : 2 * n_det - 1].astype(np.float32)


def angular_weights(tilts_deg: np.ndarray) -> np.ndarray:
    """Angle covered by each tilt (half the gap to each neighbour), radians."""
    order = np.argsort(tilts_deg)
    theta = np.deg2rad(np.asarray(tilts_deg, dtype=float)[order])
    if theta.size == 1:
        return np.array([np.pi])
    gaps = np.diff(theta)
    covered = np.concatenate([[gaps[0]], gaps]) / 2 + np.concatenate([gaps, [gaps[-1]]]) / 2
    weights = np.empty_like(covered)
    weights[order] = covered
    return weights


@dataclass(frozen=True)
class _Plan:
    proj: Projector
    method: str
    iterations: int
    nonnegative: bool
    weights: np.ndarray
    row_sum: np.ndarray
    row_inv: np.ndarray
    col_inv: np.ndarray


def _plan(tilts, n_det, nz, offset, method, iterations, nonnegative, z_step=1) -> _Plan:
    proj = projector(tilts, n_det, nz=nz, axis_offset_px=offset, z_step=z_step)
    ones_col = np.ones((proj.nz * proj.nx, 1), dtype=np.float32)
    ones_row = np.ones((proj.n_tilts * proj.n_det, 1), dtype=np.float32)
    row_sum = proj.forward(ones_col)
    col_sum = proj.back(ones_row)
    row_inv = np.where(row_sum > _EPS, 1.0 / np.maximum(row_sum, _EPS), 0.0).astype(np.float32)
    col_inv = np.where(col_sum > _EPS, 1.0 / np.maximum(col_sum, _EPS), 0.0).astype(np.float32)
    weights = np.repeat(angular_weights(np.asarray(tilts, dtype=float)), n_det).astype(np.float32)[
        :, None
    ]
    return _Plan(proj, method, iterations, nonnegative, weights, row_sum, row_inv, col_inv)


def _solve(plan: _Plan, b: np.ndarray, tick: Callable[[], None]) -> np.ndarray:
    proj = plan.proj
    if plan.method == "wbp":
        filtered = _ramp_filter(b.reshape(proj.n_tilts, proj.n_det, -1)).reshape(b.shape)
        tick()
        return proj.back(filtered * plan.weights)
    if plan.method == "sirt":
        x = np.zeros((proj.nz * proj.nx, b.shape[1]), dtype=np.float32)
        for k in range(plan.iterations):
            x += plan.col_inv * proj.back(plan.row_inv * (b - proj.forward(x) if k else b))
            if plan.nonnegative:
                np.maximum(x, 0, out=x)
            tick()
        return x
    b = np.maximum(b, 0)
    sensitivity = plan.col_inv
    start = (b.sum(axis=0) / max(float(plan.row_sum.sum()), 1.0)).astype(np.float32)
    x = np.ones((proj.nz * proj.nx, b.shape[1]), dtype=np.float32) * start
    for k in range(plan.iterations):
        estimate = proj.forward(x) if k else plan.row_sum * start
        ratio = np.divide(b, estimate, out=np.zeros_like(estimate), where=estimate > _EPS)
        update = proj.back(ratio)
        update *= sensitivity
        x *= update
        tick()
    return x


def _chunks(ny: int, per_slice: int, budget: int) -> tuple[int, list[int], int]:
    """Slices per chunk, the chunks' first slices and the threads to run them on: half of the
    slices for each of two threads, within the memory budget, but at least ``_MIN_CHUNK`` (a
    sparse product over fewer columns costs more per column than the second thread gains)."""
    by_memory = max(1, budget // (2 * per_slice))
    chunk = int(min(by_memory, max(_MIN_CHUNK, -(-ny // 2))))
    starts = list(range(0, ny, chunk))
    return chunk, starts, max(1, min(2, len(starts), os.cpu_count() or 1))


def _sinograms(projections: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Rows ``start:stop`` of (n_tilts, rows, cols) projections as sinogram columns
    (n_tilts * cols, stop - start), float32."""
    n_tilts, _, nx = projections.shape
    b = np.ascontiguousarray(projections[:, start:stop, :].transpose(0, 2, 1), dtype=np.float32)
    return b.reshape(n_tilts * nx, stop - start)


def _check(projections: np.ndarray, tilts: np.ndarray, method: str, iterations: int) -> None:
    if projections.ndim != 3:
        raise ValueError(
            f"projections must be (n_tilts, rows, cols); got shape {projections.shape}"
        )
    if tilts.size != projections.shape[0]:
        raise ValueError(
            f"{tilts.size} tilt angles for {projections.shape[0]} projections; give one angle per "
            "projection"
        )
    if method not in METHODS:
        raise ValueError(f"method {method!r} is not one of {', '.join(METHODS)}")
    if iterations < 1:
        raise ValueError(f"iterations must be >= 1; got {iterations}")
    if not np.all(np.isfinite(tilts)) or np.abs(tilts).max() > 90:
        raise ValueError("tilt angles must be finite and within ±90°")


def reconstruct(
    projections: np.ndarray,
    tilts_deg,
    *,
    method: str = "sirt",
    iterations: int | None = None,
    axis_offset_px: float = 0.0,
    thickness_px: int | None = None,
    nonnegative: bool = True,
    smooth_px: float = DEFAULT_SMOOTH_PX,
    max_memory_bytes: int = DEFAULT_MEMORY_BYTES,
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> Reconstruction:
    """Reconstruct a volume from an aligned tilt series.

    Parameters
    ----------
    projections : ndarray
        (n_tilts, rows, cols) aligned projections, tilt axis along the rows.
    tilts_deg : array_like
        Tilt angle of each projection, degrees.
    method : {"wbp", "sirt", "mlem"}
        Algorithm (see module docstring).
    iterations : int, optional
        Iterations (default 30 for SIRT, 20 for MLEM; ignored by WBP).
    axis_offset_px : float
        Tilt-axis column minus the centre column ``(cols - 1) / 2``, px.
    thickness_px : int, optional
        Volume size along z, px (default ``cols``).
    nonnegative : bool
        Clip SIRT iterates at 0.
    smooth_px : float
        σ of a 3-D Gaussian post-filter, px (0: none). Iterative methods
        amplify shot noise as they converge; at 20 counts/px MLEM-20 with
        σ = 1 px reaches Pearson r ≈ 0.98 against the sample phantom where
        the unfiltered volume reaches 0.88.
    max_memory_bytes : int
        Budget for the working arrays of the slices in flight (the volume and
        the system matrix come on top).
    should_stop : callable, optional
        Polled after every iteration; returning True stops (``ok=False``).
    progress : callable, optional
        ``progress(fraction, message)``.

    Returns
    -------
    Reconstruction
    """
    tilts = np.asarray(tilts_deg, dtype=float).ravel()
    if method == "wbp":
        iterations = 1
    elif iterations is None:
        iterations = DEFAULT_ITERATIONS.get(method, 1)
    projections = np.asarray(projections)
    _check(projections, tilts, method, iterations)
    n_tilts, ny, nx = projections.shape
    plan = _plan(
        tilts, nx, int(thickness_px or nx), axis_offset_px, method, iterations, nonnegative
    )
    nz = plan.proj.nz
    volume = np.zeros((nz, ny, nx), dtype=np.float32)
    state = {"done": 0, "residual": 0.0, "norm": 0.0}
    chunk, starts, workers = _chunks(ny, 4 * (4 * nz * nx + 4 * n_tilts * nx), max_memory_bytes)
    total = len(starts) * iterations
    lock = Lock()

    def tick() -> None:
        with lock:
            state["done"] += 1
            if progress is not None:
                progress(state["done"] / total, f"{method.upper()} {state['done']}/{total}")
        if should_stop is not None and should_stop():
            raise _Cancelled

    def run_chunk(start: int) -> None:
        stop = min(start + chunk, ny)
        b = _sinograms(projections, start, stop)
        x = _solve(plan, b, tick)
        residual = plan.proj.forward(x) - b
        with lock:
            state["residual"] += float(np.square(residual, dtype=np.float64).sum())
            state["norm"] += float(np.square(b, dtype=np.float64).sum())
        volume[:, start:stop, :] = x.reshape(nz, nx, stop - start).transpose(0, 2, 1)

    try:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(run_chunk, starts))
    except _Cancelled:
        return Reconstruction(volume, method, iterations, float("nan"), False, "cancelled")
    error = float(np.sqrt(state["residual"] / state["norm"])) if state["norm"] > 0 else float("nan")
    if smooth_px > 0:
        ndimage.gaussian_filter(volume, smooth_px, output=volume, mode="nearest")
    return Reconstruction(volume, method, iterations, error)


def mlem_reprojections(
    projections: np.ndarray,
    tilts_deg,
    target_tilts_deg,
    *,
    iterations: int,
    axis_offset_px: float = 0.0,
    z_step: int = 1,
    max_memory_bytes: int = DEFAULT_MEMORY_BYTES,
) -> np.ndarray:
    """Re-projections at ``target_tilts_deg`` of the MLEM reconstruction :func:`reconstruct`
    makes from aligned ``projections`` (no smoothing), computed slice chunk by slice chunk
    without assembling the volume.

    Parameters
    ----------
    projections : ndarray
        (n_tilts, rows, cols) aligned projections, tilt axis along the rows.
    tilts_deg, target_tilts_deg : array_like
        Tilts of ``projections`` and of the re-projections, degrees.
    iterations : int
        MLEM iterations.
    z_step : int
        Voxel depth along the beam, px: the volume is ``cols`` px thick in ``cols / z_step``
        voxels (:func:`.projector.projector`).
    axis_offset_px, max_memory_bytes
        As :func:`reconstruct`.

    Returns
    -------
    ndarray
        (n_target, rows, cols) float32 re-projections.
    """
    tilts = np.asarray(tilts_deg, dtype=float).ravel()
    projections = np.asarray(projections)
    _check(projections, tilts, "mlem", iterations)
    n_tilts, ny, nx = projections.shape
    nz = -(-nx // z_step)
    plan = _plan(tilts, nx, nz, axis_offset_px, "mlem", iterations, True, z_step)
    target = projector(target_tilts_deg, nx, nz=nz, axis_offset_px=axis_offset_px, z_step=z_step)
    images = np.empty((target.n_tilts, ny, nx), dtype=np.float32)
    chunk, starts, workers = _chunks(ny, 4 * (4 * nz * nx + 4 * n_tilts * nx), max_memory_bytes)

    def run_chunk(start: int) -> None:
        stop = min(start + chunk, ny)
        x = _solve(plan, _sinograms(projections, start, stop), lambda: None)
        sino = target.forward(x).reshape(target.n_tilts, nx, stop - start)
        images[:, start:stop, :] = sino.transpose(0, 2, 1)

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(run_chunk, starts))
    return images
