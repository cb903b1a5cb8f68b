"""The standard EELS workflows used by the CLI and the EELS panel.

Low loss: fit the ZLP of every spectrum, align them on it, log-ratio t/λ and
plasmon peak. Edge: on ZLP-aligned spectra — deconvolved by Fourier-log when
they include the ZLP, which removes the plural-scattering (double plasmon)
background that otherwise biases the matching, and there with the plasmon measured in each
spectrum as a second background model (:mod:`.plasmon_tail`) — find the onset and the
chemical shift against a reference (where the onset is not found, :mod:`.calibration_hint`
says whether the edge rises further off; withdrawn where another element's edge
overlaps and that element is present, :mod:`.attribution`), integrate the background-subtracted
edge window on the aligned counts (a map or profile; withheld where the edge rises further off,
within the span of windows placed from the tabled onset), and fit every spectrum's recorded counts
with the two ends of the scan (MLLS end-member fractions ± 1σ, :mod:`.mlls_sigma`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from insitu_tem.core.model import Axis
from insitu_tem.analysis.eels._common import channel_range
from insitu_tem.analysis.eels.background import auto_background_window
from insitu_tem.analysis.eels.calibration_hint import DisplacedRise, displaced_rise
from insitu_tem.analysis.eels.attribution import unattributable, withdraw
from insitu_tem.analysis.eels.deconvolution_noise import DeconvolutionNoise, deconvolution_noise
from insitu_tem.analysis.eels.edges_table import find_edge
from insitu_tem.analysis.eels.forward_shift import Recorded
from insitu_tem.analysis.eels.mlls import MllsFit, end_member_references, mlls_fit
from insitu_tem.analysis.eels.onsets import EdgeOnset, edge_onset
from insitu_tem.analysis.eels.plasmon_energy import PlasmonEnergy, low_loss_plasmon
from insitu_tem.analysis.eels.shifts import ChemicalShift, chemical_shift
from insitu_tem.analysis.eels.thickness import (
    Thickness,
    fourier_log,
    log_ratio_terms,
    log_ratio_thickness,
)
from insitu_tem.analysis.eels.windows import WindowIntegral, integrate_window, withhold
from insitu_tem.analysis.eels.zlp import AlignedSpectra, ZlpFit, align_zlp, fit_zlp


@dataclass(frozen=True)
class LowLoss:
    """Low-loss results for every spectrum.

    Attributes
    ----------
    zlp : ZlpFit
        ZLP position and FWHM (``zlp.ok`` False when there is none).
    aligned : AlignedSpectra or None
        Spectra with every ZLP at 0 eV (None without a ZLP in every spectrum).
    thickness : Thickness or None
        Log-ratio t/λ (None without a ZLP).
    plasmon : PlasmonEnergy or None
        Plasmon energy ± 1σ of every spectrum (:mod:`.plasmon_energy`; None without a ZLP or
        when the spectra stop below 10 eV).
    plasmon_reason : str
        Why ``plasmon`` is None ("" otherwise).
    """

    zlp: ZlpFit
    aligned: AlignedSpectra | None
    thickness: Thickness | None
    plasmon: PlasmonEnergy | None
    plasmon_reason: str = ""


def analyse_low_loss(spectra, energy: Axis) -> LowLoss:
    """ZLP fit, alignment, log-ratio thickness and plasmon peak (see module docstring)."""
    zlp = fit_zlp(spectra, energy)
    if not zlp.ok:
        return LowLoss(zlp, None, None, None, zlp.reason)
    aligned = align_zlp(spectra, energy, zlp)
    thickness = log_ratio_thickness(spectra, energy, zlp=zlp)
    return LowLoss(zlp, aligned, thickness, *low_loss_plasmon(spectra, energy, zlp))


def default_signal_window(edge: str) -> tuple[float, float]:
    """Integration window of an edge map: from the onset over 10 eV (or 10 %), eV."""
    onset = find_edge(edge).onset_eV
    return onset, onset + max(10.0, 0.1 * onset)


@dataclass(frozen=True)
class EdgeAnalysis:
    """Onset, chemical shift and window integral of one edge.

    Attributes
    ----------
    edge : str
        Edge name.
    deconvolved : bool
        Whether onsets and shifts were measured on Fourier-log single scattering.
    onset : EdgeOnset
    shift : ChemicalShift
    window : WindowIntegral
        Background-subtracted counts in the signal window (aligned counts; NaN where withheld,
        ``window.reason`` says why).
    mlls : MllsFit or None
        Non-negative fit of every spectrum with the two ends of the scan (means
        of the first and last 3 spectra) and a constant, on the recorded counts, from the
        background window to the end of the signal window; ``fractions[..., 0]`` is the share
        of the first end, ``fractions_sigma`` its 1σ (the fit after background subtraction is
        the model's alternative). None for fewer than 6 spectra.
    """

    edge: str
    deconvolved: bool
    onset: EdgeOnset
    shift: ChemicalShift
    window: WindowIntegral
    mlls: MllsFit | None


def _single_scattering(
    counts, energy: Axis
) -> tuple[np.ndarray, DeconvolutionNoise | None, Recorded]:
    """Fourier-log of ZLP-aligned counts, where it can be estimated its noise model, and the
    recorded counts with their Fourier-log terms."""
    zlp = fit_zlp(counts, energy)
    y = np.asarray(counts, float).reshape(-1, energy.size)
    terms = log_ratio_terms(y, energy, zlp)
    try:
        noise = deconvolution_noise(y, terms)
    except ValueError:
        noise = None
    return fourier_log(counts, energy, zlp=zlp).array, noise, Recorded(y, terms)


RINGING = 0.3
END_MEMBER_SPECTRA = 3
"""Spectra averaged into each end member of the MLLS fit (the first and the last of a scan)."""


def _ringing(single: np.ndarray, energy: Axis, high_eV: float, reference) -> np.ndarray:
    """Spectra whose single scattering dips below −:data:`RINGING` × its maximum between 5 eV and
    ``high_eV`` (a failed Fourier-log), and all of them when the reference index is one."""
    coords = energy.coordinates()
    region = channel_range(energy, (max(5.0, coords[0]), min(high_eV, coords[-1])))
    part = single.reshape(-1, energy.size)[:, region]
    mask = part.min(axis=1) < -RINGING * part.max(axis=1)
    if isinstance(reference, (int, np.integer)) and mask[int(reference)]:
        mask[:] = True
    return mask.reshape(single.shape[:-1])


def _withdraw_ringing(onset, shift, single, energy: Axis, reference):
    mask = _ringing(single, energy, shift.fit_window_eV[1], reference)
    if not mask.any():
        return onset, shift
    reason = (
        f"Fourier-log single scattering of {int(mask.sum())} spectra dips below −{RINGING:g} × "
        "its maximum (the deconvolution rings): onset, shift and detection not measured there"
    )
    onset, shift = withdraw(onset, shift, mask, reason)
    return onset, dataclasses.replace(shift, detected=shift.detected & ~mask)


def analyse_edge(
    spectra,
    energy: Axis,
    edge: str,
    *,
    reference=0,
    signal_window: tuple[float, float] | None = None,
    background_window: tuple[float, float] | None = None,
    background_model: str = "power_law",
    deconvolve: bool | None = None,
    low_loss: LowLoss | None = None,
) -> EdgeAnalysis:
    """Analyse ``edge`` in every spectrum (see module docstring).

    Parameters
    ----------
    spectra : array_like, shape (..., n_channels)
        Counts, energy last.
    energy : Axis
        Energy-loss axis, eV.
    edge : str
        Edge name from the table.
    reference : int or array_like, keyword-only
        Reference spectrum index (flattened navigation order) or spectrum.
    signal_window, background_window : (float, float), keyword-only
        Integration and pre-edge windows, eV (defaults from the edge table).
    background_model : str, keyword-only
        Background model.
    deconvolve : bool, keyword-only
        Fourier-log before onsets and shifts; default: when a ZLP is present.
    low_loss : LowLoss, keyword-only
        A previous :func:`analyse_low_loss` result (computed when omitted).
    """
    name = find_edge(edge).name
    counts, measured, noise, recorded, deconvolve = _prepared(spectra, energy, low_loss, deconvolve)
    bg_window = background_window or auto_background_window(name, energy)
    onset, rise = _onset_and_rise(
        measured, energy, name, background_window=bg_window, model=background_model, noise=noise
    )
    shift = chemical_shift(
        measured,
        energy,
        name,
        reference=reference,
        background_window=bg_window,
        background_model=background_model,
        noise=noise,
        plasmon_tail=bool(deconvolve),
        recorded=recorded,
    )
    onset, shift = withdraw(
        onset, shift, *unattributable(measured, energy, name, background_model=background_model)
    )
    if deconvolve:
        onset, shift = _withdraw_ringing(onset, shift, measured, energy, reference)
    window = _edge_window(
        counts,
        energy,
        name,
        rise,
        signal_window=signal_window,
        background_window=background_window,
        model=background_model,
    )
    mlls = None
    if counts.size // energy.size >= 2 * END_MEMBER_SPECTRA:
        mlls = mlls_fit(
            counts,
            energy,
            end_member_references(counts, energy, average=END_MEMBER_SPECTRA),
            window_eV=(bg_window[0], window.window_eV[1]),
            background_window=bg_window,
            background_model=background_model,
            offset=True,
            subtract=False,
            reference_averages=END_MEMBER_SPECTRA,
        )
    return EdgeAnalysis(name, bool(deconvolve), onset, shift, window, mlls)


def edge_window(
    spectra,
    energy: Axis,
    edge: str,
    *,
    signal_window: tuple[float, float] | None = None,
    background_window: tuple[float, float] | None = None,
    background_model: str = "power_law",
    deconvolve: bool | None = None,
    low_loss: LowLoss | None = None,
) -> WindowIntegral:
    """The window map of :func:`analyse_edge` alone, with the same windows and the same rule:
    withheld (NaN, with ``reason``) where the onset search misses the edge but it rises further
    off, within the span of automatic windows placed from the tabled onset. The onset search
    (on Fourier-log single scattering when ``deconvolve``, as :func:`analyse_edge`) runs only
    when a window is automatic. Parameters as :func:`analyse_edge`.

    Returns
    -------
    WindowIntegral
        Background-subtracted counts in the signal window of the aligned counts and their 1σ.
    """
    name = find_edge(edge).name
    automatic = signal_window is None or background_window is None
    prepared = _prepared(spectra, energy, low_loss, deconvolve if automatic else False)
    counts, measured, noise = prepared[:3]
    rise = None
    if automatic:
        _, rise = _onset_and_rise(
            measured,
            energy,
            name,
            background_window=background_window or auto_background_window(name, energy),
            model=background_model,
            noise=noise,
        )
    return _edge_window(
        counts,
        energy,
        name,
        rise,
        signal_window=signal_window,
        background_window=background_window,
        model=background_model,
    )


def _prepared(spectra, energy: Axis, low_loss: LowLoss | None, deconvolve: bool | None):
    """The aligned counts (recorded without a ZLP), what onsets and shifts are measured on
    (Fourier-log single scattering when ``deconvolve``; default: when a ZLP is present), its
    noise model and the recorded counts with their Fourier-log terms (None without
    deconvolution), and whether it was deconvolved."""
    low_loss = analyse_low_loss(spectra, energy) if low_loss is None else low_loss
    counts = np.asarray(spectra, float) if low_loss.aligned is None else low_loss.aligned.array
    if deconvolve and low_loss.aligned is None:
        raise ValueError(f"cannot deconvolve: {low_loss.zlp.reason}; analyse without deconvolution")
    deconvolve = low_loss.aligned is not None if deconvolve is None else bool(deconvolve)
    if not deconvolve:
        return counts, counts, None, None, False
    return counts, *_single_scattering(counts, energy), True


def _onset_and_rise(
    measured, energy: Axis, name: str, *, background_window, model: str, noise
) -> tuple[EdgeOnset, DisplacedRise | None]:
    """The onset search and, where it misses, the displaced rise (:mod:`.calibration_hint`),
    named in the onset's reason."""
    onset = edge_onset(
        measured,
        energy,
        name,
        background_window=background_window,
        background_model=model,
        noise=noise,
    )
    rise = displaced_rise(measured, energy, onset, background_model=model)
    if rise is not None:
        onset = dataclasses.replace(onset, reason=f"{onset.reason}; {rise.sentence}")
    return onset, rise


def _edge_window(
    counts,
    energy: Axis,
    name: str,
    rise: DisplacedRise | None,
    *,
    signal_window,
    background_window,
    model: str,
) -> WindowIntegral:
    """The window integral of ``counts`` in the given or automatic windows, withheld where the
    displaced ``rise`` spoils automatic windows (:meth:`.DisplacedRise.spoils`)."""
    bg_window = background_window or auto_background_window(name, energy)
    window = integrate_window(
        counts,
        energy,
        signal_window or default_signal_window(name),
        background_window=bg_window,
        background_model=model,
    )
    automatic = signal_window is None or background_window is None
    if rise is not None and automatic and rise.spoils(window.window_eV, bg_window):
        window = withhold(window, rise.missed, rise.windows_reason(window.window_eV, bg_window))
    return window
