"""Chemical shift of an edge against a reference, by least-squares matching of the whole region.

From the start of the pre-edge window to the end of the fit window, every spectrum is modelled
as the shifted reference plus a smooth background (the reference's pre-edge power law times a
polynomial), see :mod:`.shift_fit` for the model, the search and the statistical error under
correlated noise. A positive shift means the edge sits at higher energy than the reference.

Uncertainty: the fit is repeated with other reasonable choices, one choice at a time —
polynomial order 1 or 3 instead of 2, the region starting at the middle of the pre-edge window,
the region ending at 60 % of the way from the onset to the end of the fit window, the other
pre-edge law (exponential for a power law, else a power law) under the polynomial. Each choice is
an independent systematic component whose size is the largest difference of its alternatives'
shifts from the nominal one; the components add in quadrature into the systematic error of the
background and window choice. With a reference index, the closure through the reference's
neighbour (the neighbour's shift plus the shift against the neighbour, minus the direct shift,
over √2) adds in quadrature: it measures what the reference's own noise and processing do to
every shift.
On Fourier-log single scattering (``noise`` given, reference an index) the statistical error
is the larger of the residuals' and the recorded counts' noise propagated through the
deconvolution (:mod:`.deconvolution_noise`) to the fit's first-order response — of the
spectrum and, through its amplitude, of the reference. The residuals miss what the
deconvolution carries from the plasmon peak onto the edge: those broad ripples are partly
absorbed by the fit.
``stderr_eV`` is the quadrature sum of the statistical and systematic errors.
A spectrum whose best shift lies on the search limit, whose reference amplitude is not
positive, or whose standard error exceeds a third of the search range is not measured; nor is
one where the edge is not detected: a one-sided test of the nominal model's edge term against
its smooth background alone over the shift search (Davies' bound,
:func:`.edge_detection.detection_p`) at the significance :data:`DETECTION_P`. The reference
index is tested with its neighbour as the edge's shape (against itself its own noise would fit
exactly: p 0 on any spectrum); a lone spectrum against itself has nothing to be measured or
tested against: shift NaN, not tested (p-value NaN), ``ok`` False with the reason.

With ``plasmon_tail`` (Fourier-log single scattering) a second background model joins: each
spectrum's own Drude plasmon, fitted to its plasmon peak (:mod:`.plasmon_tail`), as a background
term with a free amplitude beside the pre-edge law × a straight line. The edge must be detected
under both models (the larger p-value, an intersection–union test, Berger 1982: a background the
power law × quadratic does not follow is no longer read as an edge), and the difference of that
model's shift from the nominal one is one more systematic component.

With ``recorded`` (the recorded counts behind Fourier-log single scattering, a reference index)
the shift is refined on those counts by the forward model of :mod:`.forward_shift` within
±0.6 eV of the nominal one; its statistical error and its variants' spread replace the nominal
fit's, the plasmon-model and closure components stay. Which spectra are measured does not change.

References
----------
R. L. Berger, "Multiparameter hypothesis testing and acceptance sampling", Technometrics 24,
295 (1982).

"""

from __future__ import annotations

import numpy as np

from insitu_tem.core.model import Axis
from insitu_tem.analysis.eels._common import as_spectra, channel_range, reshape_nav
from insitu_tem.analysis.eels.background import auto_background_window, fit_background
from insitu_tem.analysis.eels.deconvolution_noise import DeconvolutionNoise
from insitu_tem.analysis.eels.edge_detection import detection_p
from insitu_tem.analysis.eels.edges_table import find_edge
from insitu_tem.analysis.eels.forward_shift import Recorded, forward_with_variants
from insitu_tem.analysis.eels.plasmon_tail import fit_plasmon_tail
from insitu_tem.analysis.eels.shift_result import (
    DETECTION_P,
    ChemicalShift,
    lone_reason,
    not_measured_reason,
)
from insitu_tem.analysis.eels.shift_fit import ShiftFit, fit_shift

NOMINAL_ORDER = 2
PLASMON_ORDER = 1


def default_fit_window(edge: str) -> tuple[float, float]:
    """Energy range matched for ``edge``: 3 eV below the onset to 12 eV above (or 5 %), eV."""
    onset = find_edge(edge).onset_eV
    return onset - 3.0, onset + max(12.0, 0.05 * onset)


def _reference(reference, y: np.ndarray, n_channels: int) -> np.ndarray:
    if isinstance(reference, (int, np.integer)):
        if not -len(y) <= int(reference) < len(y):
            raise ValueError(f"reference index {reference} outside the scan of {len(y)} spectra")
        return y[int(reference)]
    ref = np.asarray(reference, float)
    if ref.shape != (n_channels,):
        raise ValueError(
            f"reference spectrum has shape {ref.shape}; give one spectrum of {n_channels} channels "
            "on the same axis"
        )
    return ref


def _variants(
    region: tuple[float, float], bg_window, onset: float, model: str
) -> list[tuple[int, tuple[float, float], str]]:
    """(polynomial order, region, background model) of the nominal fit, then the alternatives:
    two orders, a later start, an earlier end, the other pre-edge law."""
    low, high = region
    later_start = 0.5 * (bg_window[0] + bg_window[1])
    earlier_end = onset + 0.6 * (high - onset)
    other = "exponential" if model == "power_law" else "power_law"
    return [
        (NOMINAL_ORDER, region, model),
        (1, region, model),
        (3, region, model),
        (NOMINAL_ORDER, (later_start, high), model),
        (NOMINAL_ORDER, (low, earlier_end), model),
        (NOMINAL_ORDER, region, other),
    ]


def _pre_edge_law(
    reference: np.ndarray, energy: Axis, bg_window, e: np.ndarray, model: str
) -> np.ndarray:
    fit = fit_background(reference[None, :], energy, bg_window, model=model)
    law = fit.evaluate(e)[0]
    return (
        law if bool(fit.ok[0]) and np.all(np.isfinite(law)) and np.all(law > 0) else np.ones_like(e)
    )


def _fit_all(
    y, ref, energy: Axis, region, bg_window, onset, model, max_shift_eV, influence
) -> list[ShiftFit]:
    e_all = energy.coordinates()
    grid = np.arange(-max_shift_eV, max_shift_eV + 1e-9, energy.scale / 2)
    fits = []
    for order, (low, high), law_model in _variants(region, bg_window, onset, model):
        channels = channel_range(energy, (low, high), minimum=order + 8)
        law = _pre_edge_law(ref, energy, bg_window, e_all[channels], law_model)
        fits.append(
            fit_shift(
                y,
                ref,
                e_all,
                channels,
                law,
                order=order,
                grid=grid,
                influence=influence,
                detect=not fits,
            )
        )
        influence = False
    return fits


def _plasmon_fit(
    y, ref, energy: Axis, region, bg_window, model, max_shift_eV
) -> tuple[np.ndarray, np.ndarray]:
    """Shift and detection p-value of the fit with each spectrum's Drude plasmon
    (:mod:`.plasmon_tail`) as a background term beside the pre-edge law × a straight line;
    NaN where no plasmon peak can be fitted or no shift is found."""
    tail = fit_plasmon_tail(y, energy, upper_eV=bg_window[1])
    shift, p_value = np.full(len(y), np.nan), np.full(len(y), np.nan)
    rows = np.flatnonzero(tail.ok)
    if rows.size == 0:
        return shift, p_value
    e_all = energy.coordinates()
    grid = np.arange(-max_shift_eV, max_shift_eV + 1e-9, energy.scale / 2)
    channels = channel_range(energy, region, minimum=PLASMON_ORDER + 9)
    law = _pre_edge_law(ref, energy, bg_window, e_all[channels], model)
    extra = tail.evaluate(e_all[channels])[rows, :, None]
    fit = fit_shift(y[rows], ref, e_all, channels, law, order=PLASMON_ORDER, grid=grid, extra=extra)
    shift[rows] = np.where(fit.found, fit.shift, np.nan)
    p_value[rows] = detection_p(fit)
    return shift, p_value


def _forward(recorded: Recorded, y, index, energy: Axis, region, bg_window, onset, model, start):
    """:func:`.forward_shift.forward_with_variants` over this module's variants."""
    e_all = energy.coordinates()
    settings = []
    for order, window, law_model in _variants(region, bg_window, onset, model):
        channels = channel_range(energy, window, minimum=order + 8)
        law = _pre_edge_law(y[index], energy, bg_window, e_all[channels], law_model)
        settings.append((order, window, law))
    return forward_with_variants(recorded, y, index, energy, settings, start)


def _propagated(fit: ShiftFit, noise: DeconvolutionNoise, reference: int) -> np.ndarray:
    """1σ of the shift from the recorded counts' noise of the spectrum and the reference, eV."""
    rows = np.arange(len(fit.shift))
    own = noise.variance(fit.influence, rows)
    through_reference = noise.variance(fit.influence, np.full_like(rows, reference))
    return np.sqrt(own + fit.scale**2 * through_reference)


def _closure(y, index, energy: Axis, region, bg_window, model, max_shift_eV, shift):
    """Difference between the shift against the reference and the shift through its neighbour, /
    √2, and the detection p-value of the reference with its neighbour as the edge's shape."""
    neighbour = index + 1 if index + 1 < len(y) else index - 1
    e_all = energy.coordinates()
    grid = np.arange(-max_shift_eV, max_shift_eV + 1e-9, energy.scale / 2)
    channels = channel_range(energy, region, minimum=NOMINAL_ORDER + 8)
    law = _pre_edge_law(y[neighbour], energy, bg_window, e_all[channels], model)
    through = fit_shift(y, y[neighbour], e_all, channels, law, order=NOMINAL_ORDER, grid=grid)
    closure = (through.shift + shift[neighbour] - shift) / np.sqrt(2.0)
    return closure, detection_p(through)[index]


def chemical_shift(
    spectra,
    energy: Axis,
    edge: str,
    *,
    reference=0,
    fit_window: tuple[float, float] | None = None,
    background_window: tuple[float, float] | None = None,
    background_model: str = "power_law",
    max_shift_eV: float = 3.0,
    noise: DeconvolutionNoise | None = None,
    plasmon_tail: bool = False,
    recorded: Recorded | None = None,
) -> ChemicalShift:
    """Shift of ``edge`` in every spectrum against a reference (see module docstring).

    Parameters
    ----------
    spectra : array_like, shape (..., n_channels)
        Counts on a common (ZLP-aligned) energy axis.
    energy : Axis
        Energy-loss axis, eV.
    edge : str
        Edge name from the table.
    reference : int or array_like, keyword-only
        Index of the reference spectrum in the flattened navigation order, or
        a spectrum of ``n_channels`` counts on the same axis.
    fit_window, background_window : (float, float), keyword-only
        Matched range and pre-edge window, eV (defaults from the edge table); the
        region fitted runs from the start of the pre-edge window to the end of the fit window.
    background_model : str, keyword-only
        Model of the reference's pre-edge background that the polynomial multiplies.
    max_shift_eV : float, keyword-only
        Largest shift searched, eV.
    noise : DeconvolutionNoise, keyword-only
        When ``spectra`` are Fourier-log single scattering: the recorded counts' noise, whose
        propagation through the deconvolution bounds the statistical error from below.
    plasmon_tail : bool, keyword-only
        Spectra are single-scattering low loss with the plasmon peak below the pre-edge
        window: add the Drude plasmon background model (module docstring).
    recorded : Recorded, keyword-only
        With a reference index, when ``spectra`` are Fourier-log single scattering: the
        recorded counts behind them; the shift is then refined on those counts by the forward
        model of :mod:`.forward_shift` (module docstring).

    Returns
    -------
    ChemicalShift
    """
    info = find_edge(edge)
    bg_window = tuple(map(float, background_window or auto_background_window(info.name, energy)))
    window = fit_window or default_fit_window(info.name)
    y, nav_shape = as_spectra(spectra, energy)
    ref = _reference(reference, y, energy.size)
    coords = energy.coordinates()
    margin = max_shift_eV + 2 * energy.scale
    region = (max(bg_window[0], coords[0] + margin), min(float(window[1]), coords[-1] - margin))
    indexed = isinstance(reference, (int, np.integer))
    with_noise = noise is not None and indexed
    fits = _fit_all(
        y, ref, energy, region, bg_window, info.onset_eV, background_model, max_shift_eV, with_noise
    )
    nominal = fits[0]
    deviations = [(f.shift - nominal.shift) ** 2 for f in fits[1:]]
    systematic = np.sqrt(np.maximum(deviations[0], deviations[1]) + sum(deviations[2:]))
    plasmon_shift = plasmon_p = np.full(len(y), np.nan)
    common = np.zeros(len(y))
    if plasmon_tail:
        plasmon_shift, plasmon_p = _plasmon_fit(
            y, ref, energy, region, bg_window, background_model, max_shift_eV
        )
        common = np.nan_to_num(plasmon_shift - nominal.shift)
    index = int(reference) % len(y) if indexed else 0
    reference_p = np.nan
    if indexed and len(y) > 1:
        variant = (energy, region, bg_window, background_model)
        closure, reference_p = _closure(y, index, *variant, max_shift_eV, nominal.shift)
        common = np.hypot(common, closure)
    systematic = np.hypot(systematic, common)
    statistical = nominal.stderr.copy()
    if with_noise:
        statistical = np.fmax(statistical, _propagated(nominal, noise, index))
    stderr = np.hypot(statistical, systematic)
    p_value = np.fmax(detection_p(nominal), plasmon_p)
    if indexed:
        p_value[index] = reference_p
    detected = p_value < DETECTION_P
    found = nominal.found & np.isfinite(stderr) & (stderr < max_shift_eV / 3)
    shift = nominal.shift.copy()
    if recorded is not None and indexed:
        settings = (region, bg_window, info.onset_eV, background_model, nominal.shift)
        forward, forward_stat, forward_sys = _forward(recorded, y, index, energy, *settings)
        use = np.isfinite(forward) & np.isfinite(forward_sys)
        shift = np.where(use, forward, shift)
        statistical = np.where(use, forward_stat, statistical)
        systematic = np.where(use, np.hypot(forward_sys, common), systematic)
        stderr = np.hypot(statistical, systematic)
    if indexed:
        shift[index] = stderr[index] = statistical[index] = systematic[index] = 0.0
        found[index] = True
    reason = not_measured_reason(info.name, found, detected, max_shift_eV)
    if indexed and len(y) == 1:
        found[:] = False
        reason = lone_reason(info.name)
    else:
        found &= detected
    missing = int((~found).sum())
    values = [np.where(found, v, np.nan) for v in (shift, stderr, statistical, systematic)]
    return ChemicalShift(
        info.name,
        *(reshape_nav(v, nav_shape) for v in values),
        reshape_nav(nominal.scale, nav_shape),
        reshape_nav(nominal.sigma2, nav_shape),
        tuple(map(float, region)),
        bg_window,
        reshape_nav(found, nav_shape),
        reshape_nav(detected, nav_shape),
        reshape_nav(p_value, nav_shape),
        missing == 0,
        reason,
    )
