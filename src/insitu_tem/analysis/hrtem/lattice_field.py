"""How much a lattice varies across the analysed region: a systematic term of its 1σ.

A STEM image is written line by line over seconds; drift of the specimen or the scan stretches
the lattice by different amounts in different parts of the field, so the spacing of a large region
is an average of spacings that differ by more than their noise. On the real SrTiO3 image
``16_STOimage_1.ser`` (1024², session 30) the (100) spacing along the slow-scan axis reads
4.02–4.04 Å in the top half's 256² tiles and 4.09–4.12 Å in the bottom half's (1σ ≈ 0.01 Å each);
the whole image gave 4.066 ± 0.003 Å and its top-left quadrant 4.046 ± 0.005 Å, 3.5σ apart
though the quadrant is part of the image.

The indexed spots are refined again under a Hann window over each half of the region (top,
bottom, left, right; :func:`half_spectrum`) and the lattice basis is refitted on them with the
same indices. Each half's noise 1σ comes from the spots' own 1σ (Cramér–Rao, :mod:`.fft_lattice`):
a half window has half the samples and half the extent along the split axis, which multiplies a
spot's 1σ by √2 across the split and by 2√2 along it (Rife & Boorstyn 1974); the half fit's
covariance is scaled by its reduced χ² when that exceeds 1, as the lattice fit's is (on synthetic
periodic lattices of 128–512 px the halves' differences over that 1σ scatter with standard
deviation 0.89–1.05). For a lattice that changes linearly across the field, two halves differ by
Δ and each half, or a quadrant, differs from the whole by Δ/2. When Δ exceeds
:data:`DETECTION_Z` times its noise σ_Δ the lattice is taken to vary, and the systematic variance

    s² = Σ_splits (Δ² − σ_Δ²)/4

(the two splits, rows and columns, adding) enters the spacing's 1σ in quadrature. Below the
detection the term is zero: a periodic lattice keeps its 1σ (the abTEM validation corpus is
unchanged to the digit), and a difference of the order of the noise does not inflate it.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from insitu_tem.analysis.hrtem.fft_lattice import Spot
from insitu_tem.analysis.hrtem.fft_spectrum import PowerSpectrum
from insitu_tem.analysis.hrtem.fft_spot_refinement import refine_positions
from insitu_tem.analysis.hrtem.lattice_fit import LatticeFit

MAX_SPOTS = 24
DETECTION_Z = 3.0
_MAX_MOVE_PX = 1.0
_ACROSS = math.sqrt(2.0)
_ALONG = 2.0 * math.sqrt(2.0)


def _hann(n: int) -> np.ndarray:
    return np.hanning(n + 2)[1:-1]


def _half_window(n: int, *, first: bool) -> np.ndarray:
    half = n // 2
    window = np.zeros(n)
    if first:
        window[:half] = _hann(half)
    else:
        window[n - half :] = _hann(half)
    return window


def half_spectrum(spectrum: PowerSpectrum, *, axis: int, first: bool) -> PowerSpectrum:
    """The power spectrum of one half of the region under its own Hann window.

    Parameters
    ----------
    spectrum : PowerSpectrum
        Spectrum of the whole region (:func:`.fft_spectrum.power_spectrum`).
    axis : int
        0 splits the rows (top and bottom halves), 1 the columns (left and right).
    first : bool
        True for the top (left) half, False for the bottom (right) one.

    Returns
    -------
    PowerSpectrum
        On the same FFT grid as ``spectrum`` (the other half zero), mean under the window removed.
    """
    rows, cols = spectrum.shape
    full = np.outer(_hann(rows), _hann(cols))
    if axis == 0:
        half = np.outer(_half_window(rows, first=first), _hann(cols))
    else:
        half = np.outer(_hann(rows), _half_window(cols, first=first))
    windowed = spectrum.windowed * (half / full)
    windowed = windowed - half * (windowed.sum() / half.sum())
    power = np.abs(np.fft.fftshift(np.fft.fft2(windowed))) ** 2
    return PowerSpectrum(power=power, windowed=windowed, pixel_nm=spectrum.pixel_nm)


def _fit_basis(
    g: np.ndarray, sigma: np.ndarray, hk: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """Weighted least-squares basis (a*, b*) flattened and its covariance from the spots' own 1σ
    (per coordinate, no χ² scaling: the noise alone); None when the spots do not fix it."""
    design = np.zeros((2 * len(g), 2 * hk.shape[1]))
    for row, h_k in enumerate(hk):
        for axis in range(2):
            design[2 * row + axis, axis::2] = h_k
    root = 1.0 / sigma.ravel()[:, None]
    weighted = design * root
    if np.linalg.matrix_rank(weighted) < design.shape[1]:
        return None
    covariance = np.linalg.inv(weighted.T @ weighted)
    parameters = covariance @ weighted.T @ (root[:, 0] * g.ravel())
    dof = weighted.shape[0] - weighted.shape[1]
    if dof > 0:
        chi2 = float(np.sum((weighted @ parameters - root[:, 0] * g.ravel()) ** 2)) / dof
        covariance = covariance * max(chi2, 1.0)
    return parameters, covariance


def _spacings(parameters: np.ndarray, covariance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spacings 1/|g| of the basis vectors and their 1σ, the units' inverse."""
    vectors = parameters.reshape(-1, 2)
    spacing = 1.0 / np.linalg.norm(vectors, axis=1)
    sigma = np.empty(len(vectors))
    for i, vector in enumerate(vectors):
        gradient = -vector * spacing[i] ** 3
        block = covariance[2 * i : 2 * i + 2, 2 * i : 2 * i + 2]
        sigma[i] = math.sqrt(max(float(gradient @ block @ gradient), 0.0))
    return spacing, sigma


def _split_variance(
    spectrum: PowerSpectrum, full: np.ndarray, sigma_g: np.ndarray, hk: np.ndarray, axis: int
) -> np.ndarray:
    """Systematic relative variance of each spacing from the two halves along ``axis``
    (nan when a half does not fix the basis)."""
    positions = [
        refine_positions(half_spectrum(spectrum, axis=axis, first=first), np.rint(full).astype(int))
        for first in (True, False)
    ]
    kept = np.all([np.max(np.abs(p - full), axis=1) <= _MAX_MOVE_PX for p in positions], axis=0)
    scale = np.full(2, _ACROSS)
    scale[axis] = _ALONG
    sigma = sigma_g[kept, None] * scale[None, :]
    step = np.asarray(spectrum.k_step_per_nm)
    fits = [_fit_basis(p[kept] * step, sigma, hk[kept]) for p in positions]
    if any(f is None for f in fits):
        return np.full(hk.shape[1], math.nan)
    (d_first, s_first), (d_second, s_second) = (_spacings(*f) for f in fits)
    mean = 0.5 * (d_first + d_second)
    difference, noise = (d_first - d_second) ** 2, s_first**2 + s_second**2
    excess = np.where(difference > DETECTION_Z**2 * noise, (difference - noise) / 4.0, 0.0)
    return excess / mean**2


def field_spread(
    spectrum: PowerSpectrum, spots: tuple[Spot, ...], fit: LatticeFit
) -> tuple[float, float]:
    """Relative systematic 1σ of the spacings (d_a, d_b) from their change across the region.

    The indexed spots (at most :data:`MAX_SPOTS`, strongest first) are refined under the Hann
    window of each half; spots that move more than one FFT px in either half of a split are left
    out of that split. Returns nan for a spacing no split could measure (too few spots, or a 1-D
    lattice's d_b).

    Parameters
    ----------
    spectrum : PowerSpectrum
        Spectrum the spots were measured on.
    spots : tuple of Spot
        The spots of ``fit``, in the order of ``fit.indices``.
    fit : LatticeFit
        The lattice fitted to ``spots``.

    Returns
    -------
    tuple of float
        Relative 1σ of d_a and d_b (dimensionless).
    """
    nan = (math.nan, math.nan)
    if not fit.ok:
        return nan
    chosen = [
        i
        for i, hk in enumerate(fit.indices)
        if hk != (0, 0) and math.isfinite(spots[i].sigma_g_per_nm) and spots[i].sigma_g_per_nm > 0
    ][:MAX_SPOTS]
    if len(chosen) < 2:
        return nan
    full = np.array([[spots[i].row_px, spots[i].col_px] for i in chosen])
    hk = np.array([fit.indices[i] for i in chosen])[:, : 2 if fit.two_dimensional else 1]
    sigma_g = np.array([spots[i].sigma_g_per_nm for i in chosen])
    splits = np.array([_split_variance(spectrum, full, sigma_g, hk, axis) for axis in (0, 1)])
    measured = np.isfinite(splits).any(axis=0)
    total = np.where(measured, np.sqrt(np.nansum(splits, axis=0)), math.nan)
    return float(total[0]), float(total[1]) if total.size > 1 else math.nan


def with_field_term(fit: LatticeFit, spread: tuple[float, float]) -> LatticeFit:
    """``fit`` with the relative across-field 1σ ``spread`` of each spacing added to its 1σ in
    quadrature and :attr:`LatticeFit.field_spread` set (a nan spread adds nothing)."""
    if not fit.ok:
        return fit
    terms = [s if math.isfinite(s) else 0.0 for s in spread]
    return replace(
        fit,
        sigma_d_a_nm=math.hypot(fit.sigma_d_a_nm, terms[0] * fit.d_a_nm),
        sigma_d_b_nm=math.hypot(fit.sigma_d_b_nm, terms[1] * fit.d_b_nm),
        field_spread=(float(spread[0]), float(spread[1])),
    )


def field_warning(fit: LatticeFit) -> str:
    """One sentence for the user when the lattice varies across the region (a non-zero
    :attr:`LatticeFit.field_spread`), else ""."""
    if not fit.ok:
        return ""
    named = [
        f"{name} by {100 * s:.2f} %"
        for name, s in zip(("d_a", "d_b"), fit.field_spread)
        if math.isfinite(s) and s > 0
    ]
    if not named:
        return ""
    return (
        "the lattice varies across the region: its halves differ beyond their noise "
        f"({DETECTION_Z:g}σ) and the spacings spread {' and '.join(named)} (1σ, in their ±): "
        "scan distortion, drift or strain; measure smaller regions to map it"
    )
