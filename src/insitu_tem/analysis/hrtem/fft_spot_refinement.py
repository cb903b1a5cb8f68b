"""Sub-pixel position of a reflection in a power spectrum.

A spot position is refined to sub-pixel precision by Newton iterations on the
windowed discrete-time Fourier transform ``|F(u, v)|²`` evaluated off the FFT
grid, which for an isolated reflection peaks exactly at its spatial frequency.
Positions are in FFT pixels from the spectrum centre, (row, col).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from insitu_tem.analysis.hrtem.fft_lattice import PowerSpectrum


def _parabolic(minus: float, centre: float, plus: float) -> float:
    denominator = minus - 2.0 * centre + plus
    return (
        0.0 if denominator >= 0 else float(np.clip(0.5 * (minus - plus) / denominator, -0.5, 0.5))
    )


def _dtft_derivatives(windowed: np.ndarray, u: float, v: float) -> tuple[np.ndarray, np.ndarray]:
    """Gradient and Hessian of |F|² at fractional frequency (u, v) FFT px (unshifted grid)."""
    n_rows, n_cols = windowed.shape
    a = -2j * np.pi * np.arange(n_rows) / n_rows
    b = -2j * np.pi * np.arange(n_cols) / n_cols
    e_row, e_col = np.exp(a * u), np.exp(b * v)
    columns = np.stack([e_col, e_col * b, e_col * b * b], axis=1)
    g0, g1, g2 = (windowed @ columns.real + 1j * (windowed @ columns.imag)).T
    f = e_row @ g0
    fu, fuu = (e_row * a) @ g0, (e_row * a * a) @ g0
    fv, fvv, fuv = e_row @ g1, e_row @ g2, (e_row * a) @ g1
    conj = np.conj(f)
    gradient = 2.0 * np.real(np.array([conj * fu, conj * fv]))
    hessian = 2.0 * np.real(
        np.array(
            [
                [abs(fu) ** 2 + conj * fuu, np.conj(fu) * fv + conj * fuv],
                [np.conj(fu) * fv + conj * fuv, abs(fv) ** 2 + conj * fvv],
            ]
        )
    )
    return gradient, hessian


def _climb(power: np.ndarray, row: int, col: int, *, exclude: tuple[int, int]) -> tuple[int, int]:
    """Follow the steepest ascent of ``power`` on the pixel grid to a local maximum."""
    n_rows, n_cols = power.shape
    for _ in range(4):
        r_lo, c_lo = max(row - 1, 0), max(col - 1, 0)
        box = power[r_lo : row + 2, c_lo : col + 2].copy()
        if r_lo <= exclude[0] <= row + 1 and c_lo <= exclude[1] <= col + 1:
            box[exclude[0] - r_lo, exclude[1] - c_lo] = -np.inf
        best_r, best_c = np.unravel_index(int(np.argmax(box)), box.shape)
        if (r_lo + best_r, c_lo + best_c) == (row, col):
            break
        row, col = r_lo + int(best_r), c_lo + int(best_c)
    return min(max(row, 1), n_rows - 2), min(max(col, 1), n_cols - 2)


def refine_position(
    spectrum: PowerSpectrum, d_row: int, d_col: int, *, iterations: int = 6
) -> tuple[float, float]:
    """Sub-pixel position of the reflection nearest FFT pixel (d_row, d_col) from the centre.

    Parabolic interpolation on the FFT grid, then Newton steps on the windowed
    DTFT power; falls back to the parabolic estimate if Newton leaves the pixel.

    Parameters
    ----------
    spectrum : PowerSpectrum
        Power spectrum of the region (:func:`.lattice.power_spectrum`).
    d_row, d_col : int
        Starting FFT pixel, offset from the spectrum centre, FFT px.
    iterations : int
        Largest number of Newton steps.

    Returns
    -------
    tuple of float
        (row, col) offset from the spectrum centre, FFT px.
    """
    r0, c0 = spectrum.centre
    p = spectrum.power
    n_rows, n_cols = p.shape
    row, col = _climb(p, r0 + int(d_row), c0 + int(d_col), exclude=(r0, c0))
    d_row, d_col = row - r0, col - c0
    start = np.array(
        [
            d_row + _parabolic(p[(row - 1) % n_rows, col], p[row, col], p[(row + 1) % n_rows, col]),
            d_col + _parabolic(p[row, (col - 1) % n_cols], p[row, col], p[row, (col + 1) % n_cols]),
        ]
    )
    position = start.copy()
    for _ in range(iterations):
        gradient, hessian = _dtft_derivatives(spectrum.windowed, position[0], position[1])
        if np.linalg.det(hessian) <= 0 or hessian[0, 0] >= 0:
            return float(start[0]), float(start[1])
        step = -np.linalg.solve(hessian, gradient)
        position = position + step
        if np.max(np.abs(position - start)) > 1.0:
            return float(start[0]), float(start[1])
        if np.max(np.abs(step)) < 1e-5:
            break
    return float(position[0]), float(position[1])
