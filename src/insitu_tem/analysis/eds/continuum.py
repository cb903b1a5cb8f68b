"""The X-ray continuum of an EDS spectrum, estimated without knowing where the peaks are.

SNIP [1]_ (statistics-sensitive non-linear iterative peak clipping): after the log-log-square-root
transform ``v = ln(ln(√(y + 1) + 1) + 1)``, which compresses the dynamic range so that weak and
strong peaks are clipped alike, each channel is replaced, for growing half-widths ``p``, by the
smaller of itself and the mean of its neighbours ``p`` channels away. A peak narrower than the
largest half-width is clipped away; a smooth continuum is left unchanged. EDS lines widen with
energy (:func:`~insitu_tem.analysis.eds.lines.fwhm_ev`), so the largest half-width of each
channel is :data:`CLIP_FWHM` detector FWHM at its energy, not one number for the spectrum [2]_.

The clipping is biased low by a fraction of the noise and lags the curvature of the continuum;
:mod:`.identify` fits a smooth multiplicative correction of this estimate together with the lines,
so that both errors enter the lines' uncertainty.

References
----------
.. [1] C. G. Ryan, E. Clayton, W. L. Griffin, S. H. Sie and D. R. Cousens, Nucl. Instrum.
   Methods Phys. Res. B 34, 396 (1988).
.. [2] M. Morháč and V. Matoušek, Appl. Spectrosc. 62, 91 (2008).
"""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.eds.lines import DEFAULT_RESOLUTION_MN_KA_EV, fwhm_ev

CLIP_FWHM = 1.5


def clip_half_widths(
    energies_ev: np.ndarray, *, resolution_mn_ka_ev: float = DEFAULT_RESOLUTION_MN_KA_EV
) -> np.ndarray:
    """Largest clipping half-width of each channel, channels: :data:`CLIP_FWHM` detector FWHM at
    its energy (the FWHM at 0 eV for channels below it)."""
    energies = np.asarray(energies_ev, dtype=float)
    step = float(np.median(np.diff(energies)))
    lowest = fwhm_ev(0.0, resolution_mn_ka_ev=resolution_mn_ka_ev)
    widths = np.array(
        [fwhm_ev(max(e, 0.0), resolution_mn_ka_ev=resolution_mn_ka_ev) for e in energies]
    )
    return np.maximum(np.rint(CLIP_FWHM * np.maximum(widths, lowest) / step), 1).astype(int)


def snip_continuum(
    counts: np.ndarray,
    energies_ev: np.ndarray,
    *,
    resolution_mn_ka_ev: float = DEFAULT_RESOLUTION_MN_KA_EV,
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

    Returns
    -------
    ndarray
        (channels,) continuum, counts per channel, ≤ the clipped data.
    """
    values = np.log(np.log(np.sqrt(np.clip(counts, 0, None) + 1.0) + 1.0) + 1.0)
    half_widths = clip_half_widths(energies_ev, resolution_mn_ka_ev=resolution_mn_ka_ev)
    size = values.size
    for p in range(1, int(half_widths.max()) + 1):
        index = np.flatnonzero((half_widths >= p) & (np.arange(size) >= p))
        index = index[index < size - p]
        if index.size == 0:
            continue
        mean = 0.5 * (values[index - p] + values[index + p])
        values[index] = np.minimum(values[index], mean)
    return (np.exp(np.exp(values) - 1.0) - 1.0) ** 2 - 1.0
