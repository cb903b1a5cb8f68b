"""Sub-pixel phase correlation between two frames with real FFTs.

Frames are turned into weighted spectra once (mean removed, apodised by a
Tukey window times an optional mask, ``scipy.fft.rfft2`` in float32, on ``workers``
threads); a displacement is found from the cross-power spectrum by an integer
peak search on its inverse FFT, then refined by evaluating the band-limited
correlation on a fine grid around that peak with two small matrix products
(a local upsampled DFT, as in Guizar-Sicairos et al., Opt. Lett. 33, 156
(2008), restricted to the frequencies the low-pass keeps). The 1σ of the shift is the sandwich
(robust) covariance of that peak as an M-estimator: the low-passed cross-power phases are the
data, the curvature of the correlation peak the bread and the scatter of the phase residuals
the meat, so noise of both frames and whatever the two frames do not share (scene changes,
content entering at the edges) count as measured, with no noise model assumed (Huber, Proc.
5th Berkeley Symp. 1, 221 (1967)). Everything per
frame stays in float32/complex64; the cross-power spectrum is normalised by multiplying with
the low-pass over its modulus (no complex division), the kept band is copied once (a row
``take`` and a column slice) for both the refinement and the covariance, and the small
products run on one BLAS thread, since BLAS threads contending for a few shared cores cost
more than they save.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import scipy.fft as sfft

WORKERS = os.cpu_count() or 1


@cache
def _blas_controller():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def one_blas_thread():
    """Context manager holding BLAS at one thread (process-wide) for its block.

    Small matrix products lose more to BLAS threads contending for a few shared cores than
    they gain; callers that run such products from several threads at once enter this once
    around all of them.
    """
    return _blas_controller().limit(limits=1, user_api="blas")


def tukey(n: int, alpha: float) -> np.ndarray:
    """Tukey (tapered cosine) window of ``n`` points; ``alpha`` is the tapered fraction (0-1)."""
    x = np.linspace(0.0, 1.0, n)
    edge = np.minimum(x, 1.0 - x)
    if alpha <= 0:
        return np.ones(n)
    return np.where(
        edge < alpha / 2, 0.5 * (1.0 - np.cos(2.0 * np.pi * np.minimum(edge / alpha, 0.5))), 1.0
    )


def dilated(mask: np.ndarray, iterations: int) -> np.ndarray:
    """A 2-D boolean mask dilated ``iterations`` times by the 4-connected cross: the pixels
    within ``iterations`` steps (city-block distance) of a True pixel, nothing outside the frame
    (``scipy.ndimage.binary_dilation(mask, iterations=iterations)`` for ``iterations`` ≥ 1, as
    OR-ed shifted slices, several times faster)."""
    out = np.array(mask, dtype=bool)
    for _ in range(iterations):
        grown = out.copy()
        grown[1:] |= out[:-1]
        grown[:-1] |= out[1:]
        grown[:, 1:] |= out[:, :-1]
        grown[:, :-1] |= out[:, 1:]
        out = grown
    return out


@dataclass(frozen=True)
class PeakShift:
    """Displacement of the moving frame's content relative to the reference.

    Attributes
    ----------
    shift_px : tuple of float
        (dy, dx) in px.
    peak : float
        Height of the normalised correlation peak (0-1; higher is surer).
    covariance_px2 : numpy.ndarray
        (2, 2) covariance of ``shift_px``, px² (the sandwich of the module docstring plus the
        refinement grid's quantisation); infinite when the peak has no curvature.
    """

    shift_px: tuple[float, float]
    peak: float
    covariance_px2: np.ndarray = field(default_factory=lambda: np.full((2, 2), np.inf))


class PhaseCorrelator:
    """Measures (dy, dx) between frames of one shape.

    Parameters
    ----------
    shape : tuple of int
        Frame shape (rows, cols), px.
    mask : numpy.ndarray of bool or float, optional
        Weight per pixel (True/1 = use); static regions only, e.g. the substrate.
        Its edges are softened (Gaussian, 4 px) so they do not pin the peak at 0.
    upsample : int
        Sub-pixel resolution 1/upsample px of the refinement grid.
    peak_sigma_px : float
        Width of the Gaussian low-pass applied to the correlation peak, px;
        suppresses shot noise at high spatial frequencies.
    workers : int
        Threads of each FFT (1 when frames are registered on several threads at once).
    """

    def __init__(
        self,
        shape: tuple[int, int],
        *,
        mask=None,
        upsample: int = 20,
        peak_sigma_px: float = 1.5,
        workers: int = WORKERS,
    ) -> None:
        rows, cols = (int(s) for s in shape)
        if rows < 8 or cols < 8:
            raise ValueError(
                f"frames of {rows}x{cols} px are too small to register; use at least 8x8 px"
            )
        if upsample < 1:
            raise ValueError(f"upsample must be >= 1, got {upsample}")
        self.shape = (rows, cols)
        self.upsample = int(upsample)
        self.workers = max(1, int(workers))
        weight = np.outer(tukey(rows, 0.3), tukey(cols, 0.3))
        if mask is not None:
            from scipy import ndimage

            mask = np.asarray(mask, dtype=float)
            if mask.shape != self.shape:
                raise ValueError(
                    f"mask shape {mask.shape} differs from the frame shape {self.shape}"
                )
            if not mask.any():
                raise ValueError("the registration mask selects no pixel; mark a static region")
            weight = weight * np.clip(ndimage.gaussian_filter(mask, 4.0), 0.0, 1.0)
        self.weight = weight.astype(np.float32)
        self._weight_sum = float(self.weight.sum())
        fy = sfft.fftfreq(rows)
        fx = sfft.rfftfreq(cols)
        lowpass = np.exp(-2 * (np.pi * peak_sigma_px) ** 2 * (fy[:, None] ** 2 + fx[None, :] ** 2))
        self._lowpass = lowpass.astype(np.float32)
        keep_y = np.exp(-2 * (np.pi * peak_sigma_px * fy) ** 2) > 1e-4
        keep_x = np.exp(-2 * (np.pi * peak_sigma_px * fx) ** 2) > 1e-4
        self._iy, self._nx = np.flatnonzero(keep_y), int(np.count_nonzero(keep_x))
        hermitian = np.where((fx == 0) | (np.isclose(fx, 0.5)), 1.0, 2.0).astype(np.float32)
        self._fy, self._fx = fy[self._iy], fx[: self._nx]
        self._hermitian = hermitian[: self._nx]
        self._inflation = float(weight.size * np.sum(weight**4) / np.sum(weight**2) ** 2)
        self._peak_norm = float(lowpass.sum() * 2 - lowpass[:, 0].sum()) / (rows * cols)

    def spectrum(self, frame) -> np.ndarray:
        """Weighted real FFT of a frame (mean removed), complex64."""
        data = np.array(frame, dtype=np.float32)
        if data.shape != self.shape:
            raise ValueError(f"frame shape {data.shape} differs from {self.shape}")
        mean = float((data * self.weight).sum() / self._weight_sum)
        data -= np.float32(mean)
        data *= self.weight
        return sfft.rfft2(data, workers=self.workers)

    def shift_spectrum(self, spectrum: np.ndarray, shift_px) -> np.ndarray:
        """Spectrum of the frame content moved by ``shift_px`` (dy, dx)."""
        row_phase = np.exp(-2j * np.pi * sfft.fftfreq(self.shape[0]) * shift_px[0]).astype(
            np.complex64
        )
        col_phase = np.exp(-2j * np.pi * sfft.rfftfreq(self.shape[1]) * shift_px[1]).astype(
            np.complex64
        )
        return spectrum * row_phase[:, None] * col_phase[None, :]

    def measure(
        self, reference: np.ndarray, moving: np.ndarray, *, near=None, radius: float | None = None
    ) -> PeakShift:
        """Displacement of ``moving`` relative to ``reference`` (both from :meth:`spectrum`),
        searched within ``radius`` px of ``near`` (dy, dx) when given (default: anywhere).
        The small products run on one BLAS thread."""
        with one_blas_thread():
            return self.measure_one_thread(reference, moving, near=near, radius=radius)

    def measure_one_thread(
        self, reference: np.ndarray, moving: np.ndarray, *, near=None, radius: float | None = None
    ) -> PeakShift:
        """:meth:`measure` for a caller that holds BLAS at one thread (changing the BLAS threads
        is process-wide, so threads registering frames at once must not each change it)."""
        cross = np.conj(reference)
        cross *= moving
        del reference, moving
        weight = np.abs(cross)
        weight += np.float32(1e-12)
        cross *= np.divide(self._lowpass, weight, out=weight)
        del weight
        band = cross[self._iy, : self._nx]
        coarse = self._unscaled_correlation(cross)
        del cross
        if radius is not None:
            coarse = np.where(self._distance(near) <= radius, coarse, -np.inf)
        index = np.unravel_index(int(np.argmax(coarse)), coarse.shape)
        centre = [float(i - n if i > n // 2 else i) for i, n in zip(index, self.shape)]
        del coarse
        refined, height = self._refine(band, centre)
        covariance = self._covariance(band, refined)
        return PeakShift((refined[0], refined[1]), float(height / self._peak_norm), covariance)

    def _unscaled_correlation(self, cross: np.ndarray) -> np.ndarray:
        """Inverse real FFT of ``cross`` without the 1/N scale (only its maximum is used),
        transformed along the rows in place: ``irfft2`` would allocate a complex copy."""
        rows_done = sfft.ifft(cross, axis=0, norm="forward", overwrite_x=True, workers=self.workers)
        return sfft.irfft(rows_done, n=self.shape[1], axis=1, norm="forward", workers=self.workers)

    def _covariance(self, band: np.ndarray, shift: list[float]) -> np.ndarray:
        """Sandwich covariance (px²) of the peak of the low-passed phase correlation at ``shift``
        from its kept frequencies ``band``.

        Per kept frequency k the residual phasor is ``c_k exp(2πi k·d)``: its imaginary part
        times 2πk is the score, its real part times (2πk)(2πk)ᵀ the curvature. Rfft columns
        other than 0 and Nyquist stand for two frequencies (weight ``h`` = 2) whose scores are
        one independent term, hence the score weight 2h. The apodisation correlates
        neighbouring frequencies, which inflates the variance by N Σw⁴ / (Σw²)² (the window's
        equivalent-noise-bandwidth factor; Harris, Proc. IEEE 66, 51 (1978)).
        """
        row_phase = np.exp(2j * np.pi * self._fy * shift[0]).astype(np.complex64)
        col_phase = np.exp(2j * np.pi * self._fx * shift[1]).astype(np.complex64)
        residual = band * row_phase[:, None]
        residual *= col_phase
        k = (2 * np.pi * self._fy).astype(np.float32), (2 * np.pi * self._fx).astype(np.float32)
        h = self._hermitian
        cos, sin2 = residual.real * h, residual.imag**2 * (2 * h)
        curvature, meat = np.empty((2, 2)), np.empty((2, 2))
        for weights, out in ((cos, curvature), (sin2, meat)):
            out[0, 0] = (k[0] ** 2) @ weights.sum(axis=1)
            out[1, 1] = weights.sum(axis=0) @ (k[1] ** 2)
            out[0, 1] = out[1, 0] = k[0] @ weights @ k[1]
        if not np.all(np.linalg.eigvalsh(curvature) > 0):
            return np.full((2, 2), np.inf)
        bread = np.linalg.inv(curvature)
        quantisation = np.eye(2) / (12.0 * self.upsample**2)
        return self._inflation * (bread @ meat @ bread) + quantisation

    def _distance(self, near) -> np.ndarray:
        """Distance of every (wrapped) integer shift from ``near`` (dy, dx), px."""
        centre = np.zeros(2) if near is None else np.asarray(near, dtype=float)
        rows, cols = (np.fft.fftfreq(n, 1.0 / n) for n in self.shape)
        dy = (rows[:, None] - centre[0] + self.shape[0] / 2) % self.shape[0] - self.shape[0] / 2
        dx = (cols[None, :] - centre[1] + self.shape[1] / 2) % self.shape[1] - self.shape[1] / 2
        return np.hypot(dy, dx)

    def _refine(self, band: np.ndarray, centre: list[float]) -> tuple[list[float], float]:
        n_up = int(np.ceil(1.5 * self.upsample))
        offsets = (np.arange(n_up) - n_up // 2) / self.upsample
        rows = np.exp(2j * np.pi * np.outer(centre[0] + offsets, self._fy)).astype(np.complex64)
        cols = np.exp(2j * np.pi * np.outer(self._fx, centre[1] + offsets)).astype(np.complex64)
        cols *= self._hermitian[:, None]
        grid = (rows @ band @ cols).real / (self.shape[0] * self.shape[1])
        r, c = np.unravel_index(int(np.argmax(grid)), grid.shape)
        dr, dc = (
            three_point_vertex(grid[max(r - 1, 0) : r + 2, c]),
            three_point_vertex(grid[r, max(c - 1, 0) : c + 2]),
        )
        if r in (0, n_up - 1):
            dr = 0.0
        if c in (0, n_up - 1):
            dc = 0.0
        shift = [
            centre[0] + offsets[r] + dr / self.upsample,
            centre[1] + offsets[c] + dc / self.upsample,
        ]
        return shift, float(grid[r, c])


def three_point_vertex(values: np.ndarray) -> float:
    """Vertex offset (-0.5..0.5) of a parabola through three samples (0 if not three)."""
    if values.size != 3:
        return 0.0
    left, mid, right = (float(v) for v in values)
    denominator = left - 2 * mid + right
    if denominator >= 0:
        return 0.0
    return float(np.clip(0.5 * (left - right) / denominator, -0.5, 0.5))
