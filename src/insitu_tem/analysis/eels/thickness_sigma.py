"""The 1σ of the log-ratio t/λ = ln(I_t/I_0): counting noise, the ZLP/inelastic split and the
counts beyond the window's end, in quadrature.

* Counting: I_0 and the inelastic counts I_t − I_0 Poisson and independent (counts taken as
  electrons), so by the delta method var(t/λ) = (I_t − I_0) / (I_t · I_0).
* Split: the ZLP is cut at the first minimum m of the smoothed spectrum; its tail beyond m is
  counted as scattering and the inelastic onset below m as ZLP. A second definition adds to I_0
  a triangle of the minimum's height s_m falling to 0 over the peak-to-minimum distance,
  s_m · (m − p) / 2 counts (p the ZLP's channel); the term is half the difference of the two
  t/λ, ½ · ln(1 + s_m (m − p) / (2 I_0)).
* Window's end: the log-ratio needs the total inelastic intensity (Egerton 2011, §5.1) and the
  counts beyond the last channel are not recorded. An exponential a·e^(−E/L) fitted (least
  squares on ln s) to the upper half of the loss range extrapolates them to T = s(E_end)·L per
  channel width; they lie between none and T, and the term is ½ · ln(1 + T / I_t). The
  extrapolation itself is not added to I_t: on the physics corpus it over-counts (the end of the
  window holds edges and slow tails, not the valence decay), see docs/eels.md. A spectrum that
  does not fall over the upper half (L ≤ 0) has no bound: its 1σ is NaN.

Reference: R.F. Egerton, Electron Energy-Loss Spectroscopy in the Electron Microscope, 3rd ed.
(Springer 2011), §5.1.
"""

from __future__ import annotations

import numpy as np

from insitu_tem.core.model import Axis


def _tail_counts(smoothed: np.ndarray, energy: Axis) -> np.ndarray:
    """Counts beyond the last channel of an exponential fitted to the upper half of the loss
    range (NaN where it does not decay), counts."""
    e = energy.coordinates()
    top = e[-1] + energy.scale / 2
    fit = (e >= top / 2)[None, :] & (smoothed > 0)
    n = fit.sum(axis=1)
    log_s = np.log(np.where(fit, smoothed, 1.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_e = np.where(fit, e[None, :], 0.0).sum(axis=1) / n
        mean_s = np.where(fit, log_s, 0.0).sum(axis=1) / n
        de = np.where(fit, e[None, :] - mean_e[:, None], 0.0)
        slope = (de * (log_s - mean_s[:, None])).sum(axis=1) / (de**2).sum(axis=1)
        at_end = np.exp(mean_s + slope * (top - mean_e))
        return np.where((n >= 3) & (slope < 0), at_end / -slope / energy.scale, np.nan)


def log_ratio_sigma(
    smoothed: np.ndarray,
    energy: Axis,
    *,
    zlp_channel: np.ndarray,
    zlp_end: np.ndarray,
    zlp_counts: np.ndarray,
    total_counts: np.ndarray,
) -> np.ndarray:
    """1σ of t/λ for every row (see module docstring), dimensionless.

    Parameters
    ----------
    smoothed : ndarray, shape (n_spectra, n_channels)
        The smoothed spectra the first minimum was found on, counts per channel.
    energy : Axis
        Energy-loss axis, eV.
    zlp_channel, zlp_end : ndarray
        The ZLP's (fractional) channel p and the first minimum's channel m.
    zlp_counts, total_counts : ndarray
        I_0 and I_t, counts.
    """
    rows = np.arange(len(smoothed))
    inelastic = np.clip(total_counts - zlp_counts, 0.0, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        counting = inelastic / (total_counts * zlp_counts)
        triangle = np.clip(smoothed[rows, zlp_end], 0.0, None) * (zlp_end - zlp_channel) / 2
        split = 0.5 * np.log1p(np.clip(triangle, 0.0, None) / zlp_counts)
        tail = 0.5 * np.log1p(_tail_counts(smoothed, energy) / total_counts)
    return np.sqrt(counting + split**2 + tail**2)
