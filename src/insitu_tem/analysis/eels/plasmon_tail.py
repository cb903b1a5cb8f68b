"""The bulk plasmon's tail under a low-loss edge, from a Drude fit of the plasmon peak.

On single-scattering low loss (after Fourier-log) the bulk plasmon is, per spectrum,

    P(E) = Im(-1/ε(E)) · (α + β ln E),   Im(-1/ε) = E Γ E_p² / ((E² - E_p²)² + (E Γ)²)

the Drude loss function (free-electron dielectric function, Egerton 2011 §3.3.1) times its
angular integration over the collection aperture, ln(1 + (θ_c/θ_E)²) with θ_E ∝ E, which for
θ_c ≫ θ_E is linear in ln E — so the collection angle need not be known: α, β are free
linear amplitudes. E_p and Γ are fitted to the plasmon peak measured in the same spectrum,
from the lower half-maximum of the smoothed peak to the end of the pre-edge window (no edge
there), by weighted least squares (weights 1/counts) on a grid of E_p (±12 % around the
peak's maximum, 13 nodes) and Γ (1–25 eV, 13 logarithmic nodes), refined on a 5 × 5 grid of
half those steps around the best node, with α, β solved exactly at every node
(variable projection). Its two columns then join the smooth background of the chemical-shift
fit (:mod:`.shift_fit`), so the plasmon peak and tail that change along a scan are described
by the plasmon's own measured shape, not by the power law × polynomial alone.

References
----------
R. F. Egerton, *Electron Energy-Loss Spectroscopy in the Electron Microscope*, 3rd ed.
(Springer, 2011), §3.3.1 (Drude model), Eq. 3.13 (angular integration).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from insitu_tem.core.model import Axis
from insitu_tem.analysis.eels._common import channel_range, smooth

_EP_GRID = np.linspace(0.88, 1.12, 13)
_WIDTH_GRID = np.geomspace(1.0, 25.0, 13)
_CHUNK = 16
SEARCH_LOW_EV = 5.0


@dataclass(frozen=True)
class PlasmonTail:
    """Drude plasmon fitted to every spectrum's plasmon peak (1-D arrays over the spectra).

    Attributes
    ----------
    energy_eV : ndarray
        Plasmon energy E_p, eV.
    width_eV : ndarray
        Damping Γ, eV.
    amplitudes : ndarray, shape (n, 2)
        α, β of the fit (module docstring), counts.
    window_eV : ndarray, shape (n, 2)
        Fitted range (lower half-maximum of the peak to the end of the pre-edge window), eV.
    ok : ndarray of bool
        False where the peak's maximum lies on the search limit or the fit is degenerate.
    """

    energy_eV: np.ndarray
    width_eV: np.ndarray
    amplitudes: np.ndarray
    window_eV: np.ndarray
    ok: np.ndarray

    def columns(self, energy_eV) -> np.ndarray:
        """Im(-1/ε) and Im(-1/ε)·ln E at ``energy_eV`` for every spectrum: (n, len(E), 2)."""
        e = np.asarray(energy_eV, float)[None, :]
        loss = loss_function(e, self.energy_eV[:, None], self.width_eV[:, None])
        loss = np.where(self.ok[:, None], loss, 0.0)
        return np.stack([loss, loss * np.log(np.maximum(e, 1e-3))], axis=-1)

    def evaluate(self, energy_eV) -> np.ndarray:
        """The fitted plasmon at ``energy_eV`` for every spectrum, counts: (n, len(E))."""
        return np.einsum("nej,nj->ne", self.columns(energy_eV), self.amplitudes)


def loss_function(energy_eV, plasmon_eV, width_eV) -> np.ndarray:
    """Drude Im(-1/ε) (dimensionless, broadcast)."""
    e = np.maximum(energy_eV, 1e-3)
    return e * width_eV * plasmon_eV**2 / ((e**2 - plasmon_eV**2) ** 2 + (e * width_eV) ** 2)


def _peaks(y: np.ndarray, energy: Axis, upper_eV: float):
    coords = energy.coordinates()
    search = channel_range(energy, (max(SEARCH_LOW_EV, coords[0]), upper_eV), minimum=5)
    smoothed = smooth(y, 0.5 / energy.scale)
    index = np.argmax(smoothed[:, search], axis=1) + search.start
    found = (index > search.start) & (index < search.stop - 1)
    top = smoothed[np.arange(len(y)), index]
    channel = np.arange(energy.size)[None, :]
    below = (smoothed < 0.5 * top[:, None]) & (channel < index[:, None])
    below &= channel >= search.start
    lower = np.where(below.any(axis=1), energy.size - 1 - np.argmax(below[:, ::-1], axis=1), -1)
    found &= lower >= search.start
    return coords[index], coords[np.clip(lower, 0, None)], found


def _grid_fit(y, weights, e, centres, widths):
    """Best (E_p, Γ, α, β) among the candidates ``centres``, ``widths`` (n, c) of every row
    (weights zero outside each row's window)."""
    loss = loss_function(e[None, None, :], centres[..., None], widths[..., None])
    log_e = np.log(e)
    powers = np.stack([np.ones_like(log_e), log_e, log_e**2], axis=1)
    m0, m1, m2 = np.moveaxis((loss**2 * weights[:, None, :]) @ powers, -1, 0)
    r0, r1 = np.moveaxis(loss @ ((weights * y)[:, :, None] * powers[None, :, :2]), -1, 0)
    det = m0 * m2 - m1**2
    good = det > 1e-12 * m0 * m2
    safe = np.where(good, det, 1.0)
    a, b = (m2 * r0 - m1 * r1) / safe, (m0 * r1 - m1 * r0) / safe
    explained = np.where(good, a * r0 + b * r1, -np.inf)
    best = np.argmax(explained, axis=1)
    rows = np.arange(len(y))
    amplitudes = np.stack([a[rows, best], b[rows, best]], axis=1)
    return centres[rows, best], widths[rows, best], amplitudes, good[rows, best]


def _search(y, weights, e, peak):
    """Coarse grid around the peak, then a finer one around the best node."""
    ep, width = np.meshgrid(_EP_GRID, _WIDTH_GRID, indexing="ij")
    centres, widths = (
        peak[:, None] * ep.ravel()[None, :],
        np.broadcast_to(width.ravel(), (len(y), ep.size)),
    )
    ep_best, width_best, _, _ = _grid_fit(y, weights, e, centres, widths)
    fine = np.linspace(-1.0, 1.0, 5)
    ep_step = peak * (_EP_GRID[1] - _EP_GRID[0])
    ratio = _WIDTH_GRID[1] / _WIDTH_GRID[0]
    d_ep, d_width = np.meshgrid(fine, fine, indexing="ij")
    centres = ep_best[:, None] + ep_step[:, None] * d_ep.ravel()[None, :]
    widths = width_best[:, None] * ratio ** d_width.ravel()[None, :]
    return _grid_fit(y, weights, e, centres, widths)


def fit_plasmon_tail(spectra: np.ndarray, energy: Axis, *, upper_eV: float) -> PlasmonTail:
    """Drude fit of every spectrum's plasmon peak below ``upper_eV`` (module docstring).

    Parameters
    ----------
    spectra : ndarray, shape (n, n_channels)
        Single-scattering low loss (Fourier-log), counts, ZLP at 0 eV.
    energy : Axis
        Energy-loss axis, eV.
    upper_eV : float
        End of the fitted range (the end of the edge's pre-edge window), eV.
    """
    y = np.asarray(spectra, float)
    coords = energy.coordinates()
    peak, lower, found = _peaks(y, energy, upper_eV)
    region = channel_range(energy, (max(float(np.min(lower)), 1e-3), upper_eV), minimum=5)
    e = coords[region]
    inside = e[None, :] >= lower[:, None]
    level = np.maximum(smooth(y, 2.0)[:, region], 1e-6 * np.max(np.abs(y[:, region])) + 1e-12)
    weights = np.where(inside, 1.0 / level, 0.0)
    n = len(y)
    ep, width, amplitudes, good = np.empty(n), np.empty(n), np.empty((n, 2)), np.empty(n, bool)
    for start in range(0, n, _CHUNK):
        rows = slice(start, start + _CHUNK)
        ep[rows], width[rows], amplitudes[rows], good[rows] = _search(
            y[rows, region], weights[rows], e, peak[rows]
        )
    window = np.stack([lower, np.full(n, float(upper_eV))], axis=1)
    return PlasmonTail(ep, width, amplitudes, window, found & good)
