"""Chemical shift on the recorded counts by a forward model of plural scattering.

Fourier-log moves the counting noise of the plasmon peak onto the losses above it and leaves a
single-scattering spectrum whose noise is not that of its counts. Here the shift is fitted to
the recorded (ZLP-aligned) counts instead. Split the single scattering S at the start E_lo of
the fitted region into S_a (losses below E_lo) and S_b (above). With the ZLP Z of area I_0,
J = Z ⊗ exp(S/I_0) = J_a ⊗ exp(S_b/I_0), J_a = Z ⊗ exp(S_a/I_0), and below 2 E_lo, where
S_b ⊗ S_b vanishes, the recorded spectrum is exactly

    J(E) = J_a(E) + (K ⊗ S_b)(E) / I_0,        K = J below E_lo (the measured low loss)

(Egerton 2011 §4.2: every loss is seen through the low loss). In the fitted region every
spectrum is modelled as

    G ⊗ J ≈ c_J · J_a + K ⊗ [a · T(E - s) + B(E) · Σ_k c_k u^k] / I_0

with T the reference's single scattering above E_lo (its own background shifts with it, as in
:mod:`.shift_fit`), B its pre-edge power law, u the reduced energy of the region, and J_a
predicted from each spectrum's own Fourier-log below E_lo and its measured ZLP; the recorded
counts are smoothed with the Gaussian G that Fourier-log reconvolves with (so both sides carry
the same resolution) and with σ = 0.3 eV as in :mod:`.shift_fit`. The double plasmon under the
edge comes from the measured plasmon through J_a (whose counting noise is that of the plasmon
peak, small against the region's), not from a free smooth function. Weights are 1/√counts of
the recorded spectrum (Poisson, any gain cancels). The shift is searched within
±:data:`HALF_RANGE_EV` of a starting shift (the Fourier-log fit's) on :data:`NODES` nodes (half a
channel apart where that is coarser), the linear
coefficients solved exactly at every node and the minimum refined by a parabola; its
statistical error is the least-squares one under correlated noise (:func:`.shift_fit.newey_west`).
With ``newton`` the search is one Gauss–Newton step from the start instead (for the variants of
the systematic error, whose shifts lie close to the nominal one).

References
----------
R. F. Egerton, *Electron Energy-Loss Spectroscopy in the Electron Microscope*, 3rd ed.
(Springer, 2011), §4.2.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from insitu_tem.core.model import Axis
from insitu_tem.analysis.eels._common import channel_range, parabola_vertex, smooth
from insitu_tem.analysis.eels.shift_fit import SMOOTH_EV, newey_west
from insitu_tem.analysis.eels.thickness import LogRatioTerms

HALF_RANGE_EV = 0.6
NODES = 13
ORDER = 2
_CHUNK = 128


@dataclass(frozen=True)
class Recorded:
    """The recorded counts behind a Fourier-log single scattering.

    Attributes
    ----------
    counts : ndarray, shape (n, n_channels)
        ZLP-aligned recorded counts.
    terms : LogRatioTerms
        Their Fourier-log terms (ZLP channels, I_0, reconvolution FWHM).
    """

    counts: np.ndarray
    terms: LogRatioTerms


@dataclass(frozen=True)
class ForwardShift:
    """Shift of the reference in every spectrum's recorded counts (1-D arrays over the spectra).

    Attributes
    ----------
    shift : ndarray
        Shift, eV (NaN where not found).
    stderr : ndarray
        Statistical 1σ, eV.
    found : ndarray of bool
        False where the start was not finite, the minimum lies on the searched range's limit,
        the residual sum is not convex there or the edge amplitude is not positive.
    """

    shift: np.ndarray
    stderr: np.ndarray
    found: np.ndarray


def _phase(m: int, channels) -> np.ndarray:
    """Fourier factor that moves a signal of length ``m`` by ``channels`` to higher index."""
    frequency = np.fft.rfftfreq(m)
    return np.exp(-2j * np.pi * frequency * np.asarray(channels, float)[..., None])


def _plural_below(counts, single, terms: LogRatioTerms, below: np.ndarray, zero: float, m: int):
    """J_a = Z ⊗ exp(S_a / I_0) of every spectrum, on its channels (module docstring)."""
    n = single.shape[1]
    part = np.zeros((len(single), m))
    part[:, :n] = np.where(below[None, :], single, 0.0) / terms.zlp_counts[:, None]
    zlp = np.zeros((len(single), m))
    zlp[:, :n] = np.where(np.arange(n)[None, :] <= terms.zlp_end[:, None], counts, 0.0)
    transform = np.fft.rfft(zlp, axis=1) * np.exp(np.fft.rfft(part, axis=1) * _phase(m, -zero))
    return np.fft.irfft(transform, m, axis=1)[:, :n]


def forward_shift(
    recorded: Recorded,
    single: np.ndarray,
    reference: int,
    energy: Axis,
    *,
    region: tuple[float, float],
    law: np.ndarray,
    start: np.ndarray,
    order: int = ORDER,
    newton: bool = False,
) -> ForwardShift:
    """Shift of spectrum ``reference``'s edge in every spectrum (module docstring).

    Parameters
    ----------
    recorded : Recorded
        The ZLP-aligned recorded counts and their Fourier-log terms.
    single : ndarray, shape (n, n_channels)
        Their Fourier-log single scattering.
    reference : int
        Index of the reference spectrum.
    energy : Axis
        Energy-loss axis, eV.
    region : (float, float), keyword-only
        Fitted region, eV; its start is E_lo.
    law : ndarray, keyword-only
        The reference's pre-edge background B on the region's channels.
    start : ndarray, keyword-only
        Starting shift of every spectrum, eV (NaN: not searched).
    order : int, keyword-only
        Order of the polynomial that multiplies B.
    newton : bool, keyword-only
        One Gauss–Newton step from ``start`` instead of the search.
    """
    template = single[reference]
    parts = [
        _fit_rows(
            _Model(_rows(recorded, rows), single[rows], template, energy, region, law, order),
            np.asarray(start, float)[rows],
            newton,
        )
        for rows in (slice(i, i + _CHUNK) for i in range(0, len(single), _CHUNK))
    ]
    return ForwardShift(*(np.concatenate(values) for values in zip(*parts)))


def forward_with_variants(recorded: Recorded, single, index: int, energy: Axis, settings, start):
    """Shift against the reference ``index`` by the forward model (every spectrum's shift minus the
    reference's own), its statistical 1σ and the systematic spread of its variants, eV (NaN
    where a fit found none).

    ``settings`` are (polynomial order, region, pre-edge law on the region's channels) of the
    nominal fit and then of its variants: the first two alternative orders count as one
    component (the larger deviation), the others one each, in quadrature. The nominal fit searches
    from ``start``; each variant takes one Gauss–Newton step from the nominal shift. The
    reference's counting noise enters the template as the spectrum's enters the data, so the
    spectrum's 1σ σ_i is scaled by √(1 + N_i/N_ref), N the recorded counts in the region (a shift
    between two spectra of equal counts has √2 σ_i).
    """
    fits = []
    for order, region, law in settings:
        fits.append(
            forward_shift(
                recorded,
                single,
                index,
                energy,
                region=region,
                law=law,
                start=fits[0].shift if fits else start,
                order=order,
                newton=bool(fits),
            )
        )
    relative = [f.shift - f.shift[index] for f in fits]
    deviations = [(v - relative[0]) ** 2 for v in relative[1:]]
    systematic = np.sqrt(np.maximum(deviations[0], deviations[1]) + sum(deviations[2:]))
    counts = recorded.counts[:, channel_range(energy, settings[0][1])].sum(axis=1)
    ratio = np.maximum(counts / max(counts[index], 1e-300), 0.0)
    return relative[0], fits[0].stderr * np.sqrt(1.0 + ratio), systematic


def _rows(recorded: Recorded, rows: slice) -> Recorded:
    """``recorded`` for the spectra ``rows``, with the terms the model uses (ZLP end and I_0)."""
    terms = recorded.terms
    return Recorded(
        recorded.counts[rows],
        dataclasses.replace(terms, zlp_end=terms.zlp_end[rows], zlp_counts=terms.zlp_counts[rows]),
    )


def _fit_rows(model: _Model, start: np.ndarray, newton: bool):
    centre = np.nan_to_num(start)
    found = np.isfinite(start)
    if newton:
        _, scale, gradient, residual, _ = model.at(centre)
        step = (gradient * residual).sum(axis=1) / np.maximum((gradient**2).sum(axis=1), 1e-300)
        found &= scale > 0
        return np.where(found, centre + step, np.nan), np.full(len(start), np.nan), found
    shift, convex = model.search(centre)
    _, scale, gradient, residual, n_params = model.at(shift)
    variance = newey_west(residual, gradient, n_params + 1)
    stderr = np.sqrt(np.where(variance > 0, variance, np.nan))
    found &= convex & np.isfinite(stderr) & (scale > 0)
    return np.where(found, shift, np.nan), stderr, found


class _Model:
    """The weighted forward model of every spectrum in the region (module docstring)."""

    def __init__(self, recorded: Recorded, single, template, energy: Axis, region, law, order):
        raw, terms = recorded.counts, recorded.terms
        e = energy.coordinates()
        n, self.step = energy.size, energy.scale
        self.m = m = 2 * n
        self.channels = channel_range(energy, region, minimum=order + 8)
        above = e >= float(region[0])
        zero = energy.to_index(0.0)
        width = max(SMOOTH_EV / self.step, 1.0)
        sigma_g = terms.fwhm_eV / (2 * np.sqrt(2 * np.log(2))) / self.step
        template = smooth(template[None, :], width)[0]
        self.template_hat = np.fft.rfft(np.pad(template, (0, m - n)))
        self.mask = np.pad(above, (0, m - n)).astype(float)
        region_e = e[self.channels]
        u = (region_e - region_e.mean()) / max(np.ptp(region_e), 1e-9)
        smooth_terms = np.zeros((order + 1, m))
        smooth_terms[:, self.channels] = law[None, :] * u[None, :] ** np.arange(order + 1)[:, None]
        plural = _plural_below(raw, single, terms, (e >= 0) & ~above, zero, m)[:, self.channels]
        level = smooth(raw, 2.0 * width)[:, self.channels]
        self.weights = 1.0 / np.sqrt(np.maximum(level, 1.0))
        kernel = np.zeros((len(raw), m))
        kernel[:, :n] = np.where(above[None, :], 0.0, raw) / terms.zlp_counts[:, None]
        self.kernel_hat = np.fft.rfft(kernel, axis=1) * _phase(m, -zero)
        smooth_hat = np.fft.rfft(smooth_terms, axis=1)
        fixed = np.fft.irfft(self.kernel_hat[:, None, :] * smooth_hat[None], m, axis=2)
        fixed = np.concatenate([fixed[..., self.channels], plural[:, None, :]], axis=1)
        self.fixed = fixed.transpose(0, 2, 1) * self.weights[:, :, None]
        self.target = smooth(smooth(raw, sigma_g), width)[:, self.channels] * self.weights

    def column(self, shift_eV, *, derivative: bool = False) -> np.ndarray:
        """K ⊗ T with T the reference moved by every spectrum's shift and cut below E_lo (or its
        derivative per eV), weighted."""
        phase = _phase(self.m, shift_eV / self.step)
        if derivative:
            phase = phase * (-2j * np.pi * np.fft.rfftfreq(self.m) / self.step)[None, :]
        moved = np.fft.irfft(self.template_hat[None, :] * phase, self.m, axis=1) * self.mask
        product = self.kernel_hat * np.fft.rfft(moved, axis=1)
        return np.fft.irfft(product, self.m, axis=1)[:, self.channels] * self.weights

    def at(self, shift_eV):
        """Residual sum, edge amplitude, gradient (projected out of the linear terms), residuals
        and number of linear terms at every spectrum's ``shift_eV``."""
        design = np.concatenate([self.column(shift_eV)[:, :, None], self.fixed], axis=2)
        q, r = np.linalg.qr(design)
        projection = np.einsum("nek,ne->nk", q, self.target)
        residual = self.target - np.einsum("nek,nk->ne", q, projection)
        scale = np.linalg.solve(r, projection[..., None])[:, 0, 0]
        gradient = scale[:, None] * self.column(shift_eV, derivative=True)
        gradient = gradient - np.einsum("nek,nk->ne", q, np.einsum("nek,ne->nk", q, gradient))
        return (residual**2).sum(axis=1), scale, gradient, residual, design.shape[2]

    def search(self, centre):
        """Grid of :data:`NODES` nodes (half a channel apart where that is coarser) within
        ±HALF_RANGE_EV of ``centre``, parabola at the minimum; the shift and whether the minimum
        is inside the range and convex. The linear terms other than the edge are projected out
        once (variable projection): at every node only the edge column is new."""
        spacing = max(self.step / 2, 2 * HALF_RANGE_EV / (NODES - 1))
        offsets = np.arange(-HALF_RANGE_EV, HALF_RANGE_EV + 1e-9, spacing)
        basis = np.linalg.qr(self.fixed)[0]
        target = _remove_span(self.target, basis)
        ssr = np.empty((len(centre), len(offsets)))
        for j, offset in enumerate(offsets):
            edge = _remove_span(self.column(centre + offset), basis)
            explained = (edge * target).sum(axis=1) ** 2
            ssr[:, j] = -explained / np.maximum((edge**2).sum(axis=1), 1e-300)
        best = np.argmin(ssr, axis=1)
        inner = np.clip(best, 1, len(offsets) - 2)
        rows = np.arange(len(centre))
        offset, curvature = parabola_vertex(
            ssr[rows, inner - 1], ssr[rows, inner], ssr[rows, inner + 1]
        )
        inside = (best > 0) & (best < len(offsets) - 1) & (curvature > 0)
        return centre + offsets[inner] + offset * spacing, inside


def _remove_span(values: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """Rows of ``values`` (n, e) less their projections on their orthonormal ``basis`` (n, e, k)."""
    return values - np.einsum("nek,nk->ne", basis, np.einsum("nek,ne->nk", basis, values))
