"""The X-ray continuum of an EDS spectrum, estimated without knowing where the peaks are.

SNIP [1]_ (statistics-sensitive non-linear iterative peak clipping): after the log-log-square-root
transform ``v = ln(ln(√(y + 1) + 1) + 1)``, which compresses the dynamic range so that weak and
strong peaks are clipped alike, each channel is replaced, for growing half-widths ``p``, by the
smaller of itself and the mean of its neighbours ``p`` channels away. A peak narrower than the
largest half-width is clipped away; a smooth continuum is left unchanged. EDS lines widen with
energy (:func:`~insitu_tem.analysis.eds.lines.fwhm_ev`), so the largest half-width of each
channel is :data:`CLIP_FWHM` detector FWHM at its energy, not one number for the spectrum [2]_.

The clipping lags the curvature of the continuum (the detector's low-energy roll-off above all);
:mod:`.fit` fits a smooth multiplicative correction of this estimate together with the lines,
and takes the difference between the clipping at :data:`CLIP_FWHM` and at
:data:`NARROW_CLIP_FWHM` as the continuum's own local error (it is large where the continuum
bends on the scale of a line, small where it is smooth). Clipped on a spectrum with lines, the
continuum keeps part of each line under it (2–3 % of a strong line's counts at 1–3 keV), and
that difference grows with the line; the final fit therefore clips the spectrum less its
fitted lines (:meth:`~insitu_tem.analysis.eds.fit_setup.FitSetup.problem`).

On the rising side of the roll-off (below the continuum's maximum under
:data:`ROLL_OFF_SEARCH_EV`, where the window's absorption makes the continuum climb from nothing
within a few line widths) neither the clipping nor the smooth correction can follow it: a
continuum placed a fraction of a line width off there leaves a residual as large as a line (C
Kα, N Kα, Sc Lα on spectra without them). There the local error is at least the continuum's
change across one FWHM, ``|c(E + FWHM/2) − c(E − FWHM/2)|`` (:func:`roll_off_error`): a line
on the flank must stand above what a shift of the continuum by half a line width would make.

References
----------
.. [1] C. G. Ryan, E. Clayton, W. L. Griffin, S. H. Sie and D. R. Cousens, Nucl. Instrum.
   Methods Phys. Res. B 34, 396 (1988).
.. [2] M. Morháč and V. Matoušek, Appl. Spectrosc. 62, 91 (2008).
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import uniform_filter1d

from insitu_tem.analysis.eds.lines import DEFAULT_RESOLUTION_MN_KA_EV, fwhm_ev

CLIP_FWHM = 1.5
NARROW_CLIP_FWHM = 1.0
ROLL_OFF_SEARCH_EV = 2000.0


def clip_half_widths(
    energies_ev: np.ndarray,
    *,
    resolution_mn_ka_ev: float = DEFAULT_RESOLUTION_MN_KA_EV,
    clip_fwhm: float = CLIP_FWHM,
) -> np.ndarray:
    """Largest clipping half-width of each channel, channels: ``clip_fwhm`` detector FWHM at its
    energy (the FWHM at 0 eV for channels below it)."""
    energies = np.asarray(energies_ev, dtype=float)
    step = float(np.median(np.diff(energies)))
    lowest = fwhm_ev(0.0, resolution_mn_ka_ev=resolution_mn_ka_ev)
    widths = np.array(
        [fwhm_ev(max(e, 0.0), resolution_mn_ka_ev=resolution_mn_ka_ev) for e in energies]
    )
    return np.maximum(np.rint(clip_fwhm * np.maximum(widths, lowest) / step), 1).astype(int)


def snip_continuum(
    counts: np.ndarray,
    energies_ev: np.ndarray,
    *,
    resolution_mn_ka_ev: float = DEFAULT_RESOLUTION_MN_KA_EV,
    clip_fwhm: float = CLIP_FWHM,
) -> np.ndarray:
    """Continuum under the peaks of a spectrum, counts per channel (module docstring).

    Parameters
    ----------
    counts : ndarray
        (channels,) counts, ≥ 0.
    energies_ev : ndarray
        (channels,) channel centres, eV, increasing and evenly spaced.
    resolution_mn_ka_ev : float
        Detector FWHM at Mn Kα, eV; sets the clipping widths.
    clip_fwhm : float
        Largest clipping half-width, detector FWHM.

    Returns
    -------
    ndarray
        (channels,) continuum, counts per channel, ≤ the clipped data.
    """
    half_widths = clip_half_widths(
        energies_ev, resolution_mn_ka_ev=resolution_mn_ka_ev, clip_fwhm=clip_fwhm
    )
    smoothed = uniform_filter1d(
        np.clip(np.asarray(counts, dtype=float), 0, None), 2 * int(half_widths.min() // 2) + 1
    )
    values = np.log(np.log(np.sqrt(smoothed + 1.0) + 1.0) + 1.0)
    size = values.size
    for p in range(1, int(half_widths.max()) + 1):
        index = np.flatnonzero((half_widths >= p) & (np.arange(size) >= p))
        index = index[index < size - p]
        if index.size == 0:
            continue
        mean = 0.5 * (values[index - p] + values[index + p])
        values[index] = np.minimum(values[index], mean)
    return (np.exp(np.exp(values) - 1.0) - 1.0) ** 2 - 1.0


def roll_off_error(
    continuum: np.ndarray,
    energies_ev: np.ndarray,
    *,
    resolution_mn_ka_ev: float = DEFAULT_RESOLUTION_MN_KA_EV,
) -> np.ndarray:
    """Local error of the continuum on the rising side of the detector's low-energy roll-off
    (module docstring), counts per channel; 0 above the continuum's maximum.

    Parameters
    ----------
    continuum : ndarray
        (channels,) continuum, counts per channel.
    energies_ev : ndarray
        (channels,) channel centres, eV, increasing.
    resolution_mn_ka_ev : float
        Detector FWHM at Mn Kα, eV.

    Returns
    -------
    ndarray
        (channels,) ``|c(E + FWHM/2) − c(E − FWHM/2)|`` below the energy of the continuum's
        maximum under :data:`ROLL_OFF_SEARCH_EV`, else 0.
    """
    energies = np.asarray(energies_ev, dtype=float)
    values = np.asarray(continuum, dtype=float)
    low = energies <= ROLL_OFF_SEARCH_EV
    if not np.any(low):
        return np.zeros_like(values)
    peak = float(energies[low][np.argmax(values[low])])
    half = 0.5 * np.array(
        [fwhm_ev(max(e, 0.0), resolution_mn_ka_ev=resolution_mn_ka_ev) for e in energies]
    )
    change = np.abs(
        np.interp(energies + half, energies, values) - np.interp(energies - half, energies, values)
    )
    return np.where(energies < peak, change, 0.0)
