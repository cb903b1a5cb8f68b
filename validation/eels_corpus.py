"""Randomised EELS line scans with known chemical shifts, drawn from :mod:`validation.eels_physics`.

Two kinds of scan:

* ``low_loss``: the ZLP, the plasmon and the W O2,3 edges (delayed maxima at 36.8 / 45.3 eV)
  in one spectrum, with ZLP jitter (the analysis aligns on the ZLP);
* ``core_loss``: a window around a K (C, O; saw-tooth with a near-edge peak) or L2,3 (Ti, Cr;
  white lines on arctangent-like continua) edge, convolved through the low loss but without the
  ZLP in the spectrum; the energy scale is taken as already corrected (no jitter).

Along every scan the shift switches with a sigmoid of random position and width; thickness
(×0.7–1.4), plasmon energy (±4 eV, e.g. WO3 24.8 → Li2O 21.2 eV) and edge strength (×0.6–1.4)
change linearly from the first spectrum to the last.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d

from validation.eels_physics import (
    Edge,
    Sample,
    channel_counts,
    detect,
    edge_shape,
    spectrum,
    valence_ssd,
    zero_loss,
)

CORE_EDGES = ("C-K", "O-K", "Ti-L23", "Cr-L23")


@dataclass(frozen=True)
class Scan:
    """A generated line scan and its truth.

    ``spectra`` (n, channels) on the axis ``offset_eV + k · dispersion_eV``; ``shift_eV`` is the
    truth relative to spectrum 0 (the reference); ``threshold_eV`` the unshifted first threshold.
    For ``low_loss`` scans ``clean`` and ``edge_free`` are the same spectra without noise, with
    and without the edge (for the ideal-fit floor of :mod:`validation.eels_floor`),
    ``electrons`` the expected electrons per channel before the detector (gain, read noise,
    point-spread) and ``edge_slope`` their derivative with respect to the shift, electrons/eV
    (for the Cramér–Rao bound). ``onset_eV`` is the onset definition of the analysis (the
    steepest rise after a 0.3 eV Gaussian smoothing, within ±4 eV of the threshold) applied to
    each spectrum's noise-free edge on the fine internal grid (:func:`onset_truth`; NaN without
    an edge or where that rise lies on the search limit).
    """

    kind: str
    edge: str
    spectra: np.ndarray
    offset_eV: float
    dispersion_eV: float
    shift_eV: np.ndarray
    threshold_eV: float
    edge_counts: float
    resolution_eV: float
    t_over_lambda: tuple[float, float]
    plasmon_eV: tuple[float, float]
    clean: np.ndarray | None = None
    edge_free: np.ndarray | None = None
    electrons: np.ndarray | None = None
    edge_slope: np.ndarray | None = None
    onset_eV: np.ndarray | None = None
    plasmon_peak_eV: np.ndarray | None = None


def _edge(name: str, rng: np.random.Generator) -> Edge:
    if name == "W-O23":
        return Edge(
            "delayed",
            (36.8, 45.3),
            (1.0, 0.5),
            rng.uniform(1.0, 2.5),
            delay_eV=rng.uniform(2.0, 6.0),
            decay=rng.uniform(2.0, 3.0),
        )
    if name in ("C-K", "O-K"):
        return Edge(
            "sawtooth",
            ({"C-K": 284.0, "O-K": 532.0}[name],),
            (1.0,),
            rng.uniform(0.2, 0.6),
            decay=rng.uniform(2.0, 3.0),
            peak_offset_eV=rng.uniform(0.8, 2.5),
            near_edge_peak=rng.uniform(0.0, 2.5),
        )
    l3, l2 = {"Ti-L23": (456.0, 461.6), "Cr-L23": (575.0, 584.2)}[name]
    return Edge(
        "white_line",
        (l3, l2),
        (1.0, 0.5),
        rng.uniform(0.6, 1.6),
        decay=rng.uniform(1.5, 2.5),
        peak_offset_eV=rng.uniform(0.6, 2.0),
        peak_ratio=rng.uniform(2.0, 5.0),
    )


def _profile(n: int, rng: np.random.Generator) -> np.ndarray:
    magnitude = rng.uniform(0.2, 2.5) * rng.choice([-1.0, 1.0])
    centre, width = rng.uniform(0.3, 0.7) * (n - 1), rng.uniform(0.5, 3.0)
    shift = magnitude / (1.0 + np.exp(-(np.arange(n) - centre) / width))
    return shift - shift[0]


def _samples(n: int, rng: np.random.Generator, resolution: float) -> list[Sample]:
    plasmon = rng.uniform(15.0, 28.0)
    thickness = rng.uniform(0.3, 1.5)
    ends = {
        "plasmon": (plasmon, float(np.clip(plasmon + rng.uniform(-4.0, 4.0), 15.0, 28.0))),
        "t": (thickness, float(np.clip(thickness * rng.uniform(0.7, 1.4), 0.3, 1.5))),
    }
    fractions = np.linspace(0.0, 1.0, n)
    width, interband = rng.uniform(3.0, 10.0), rng.uniform(6.0, 12.0)
    exponent, curvature = rng.uniform(2.5, 4.0), rng.uniform(-0.5, 0.5)
    tail = rng.uniform(0.05, 0.3) * resolution
    return [
        Sample(
            plasmon_eV=float(np.interp(f, [0, 1], ends["plasmon"])),
            plasmon_width_eV=width,
            interband_eV=interband,
            t_over_lambda=float(np.interp(f, [0, 1], ends["t"])),
            background_exponent=exponent,
            background_curvature=curvature,
            resolution_eV=resolution,
            zlp_tail_eV=tail,
        )
        for f in fractions
    ]


def _axis(
    kind: str, threshold: float, dispersion: float, rng: np.random.Generator
) -> tuple[float, int]:
    if kind == "low_loss":
        offset, top = -rng.uniform(4.0, 10.0), 80.0
    else:
        offset, top = threshold - rng.uniform(40.0, 80.0), threshold + rng.uniform(50.0, 90.0)
    return offset, int((top - offset) / dispersion)


def generate(
    rng: np.random.Generator,
    *,
    kind: str,
    n_spectra: int,
    edge_counts: float | None = None,
    edge_until: int | None = None,
) -> Scan:
    """One random line scan of ``kind`` (``"low_loss"`` or ``"core_loss"``); with
    ``edge_until`` the spectra from that index on have no edge (the same random draws)."""
    name = "W-O23" if kind == "low_loss" else str(rng.choice(CORE_EDGES))
    edge = _edge(name, rng)
    dispersion = float(np.exp(rng.uniform(np.log(0.05), np.log(0.5))))
    resolution = max(rng.uniform(0.3, 1.5), 2.0 * dispersion)
    counts = (
        edge_counts
        if edge_counts is not None
        else float(np.exp(rng.uniform(np.log(1e2), np.log(1e4))))
    )
    threshold = edge.thresholds_eV[0]
    offset, size = _axis(kind, threshold, dispersion, rng)
    step = dispersion / 4
    fine = np.arange(min(offset, 0.0) - 6.0, offset + size * dispersion + 6.0, step)
    samples, shifts = _samples(n_spectra, rng, resolution), _profile(n_spectra, rng)
    strength = np.linspace(1.0, rng.uniform(0.6, 1.4), n_spectra)
    strength[slice(edge_until, None) if edge_until is not None else slice(0)] = 0.0
    edge_weight, background_weight = _weights(kind, fine, samples[0], edge, rng)
    jitter = rng.normal(0.0, 0.3, n_spectra) if kind == "low_loss" else np.zeros(n_spectra)
    channel_edges = offset + (np.arange(size + 1) - 0.5) * dispersion

    def render(weight: float) -> np.ndarray:
        return np.stack(
            [
                _channels(
                    fine,
                    jitter[i],
                    sample,
                    edge,
                    channel_edges,
                    shift_eV=shifts[i],
                    edge_weight=weight * strength[i],
                    background_weight=background_weight,
                )
                for i, sample in enumerate(samples)
            ]
        )

    expected = render(edge_weight)
    scale = counts / _edge_jump(
        fine, samples[0], edge, edge_weight, background_weight, channel_edges
    )
    gain, psf, read = rng.uniform(1.0, 4.0), rng.uniform(0.0, 1.5), rng.uniform(0.0, 3.0)
    spectra = np.stack(
        [detect(scale * e, rng, gain=gain, psf_channels=psf, read_noise=read) for e in expected]
    )

    def blur(e: np.ndarray) -> np.ndarray:
        return gain * scale * (gaussian_filter1d(e, psf, axis=1, mode="nearest") if psf > 0 else e)

    onsets = onset_truth(
        fine, samples, edge, shifts, strength, kind=kind, psf_eV=psf * dispersion, box_eV=dispersion
    )
    ideal = (None,) * 4
    if kind == "low_loss":
        slope = _edge_slope(
            fine, jitter, samples, edge, shifts, edge_weight * strength, channel_edges
        )
        ideal = (blur(expected), blur(render(0.0)), scale * expected, scale * slope)
    return Scan(
        kind,
        name,
        spectra,
        offset,
        dispersion,
        shifts,
        threshold,
        counts,
        resolution,
        (samples[0].t_over_lambda, samples[-1].t_over_lambda),
        (samples[0].plasmon_eV, samples[-1].plasmon_eV),
        *ideal,
        onsets,
        plasmon_peak_eV=plasmon_peaks(fine, samples, edge, shifts, edge_weight * strength)
        if kind == "low_loss"
        else None,
    )


ONSET_SMOOTH_EV, ONSET_SEARCH_EV = 0.3, 4.0
PLASMON_SEARCH_EV = (5.0, 40.0)


def _vertex(grid: np.ndarray, values: np.ndarray, index: int) -> float:
    left, mid, right = values[index - 1 : index + 2]
    return float(
        grid[index] + 0.5 * (left - right) / (left - 2 * mid + right) * (grid[1] - grid[0])
    )


def plasmon_peaks(fine, samples, edge: Edge, shifts, edge_weights) -> np.ndarray:
    """The plasmon energy of every spectrum by the analysis's definition: the loss of the maximum
    of the noise-free recorded intensity between 5 and 40 eV (plural scattering, the ZLP's tail
    and the edge included; no detector blur, no channels), measured from the ZLP's maximum, on
    the generator's fine grid (parabola through three samples), eV."""
    out = np.empty(len(samples))
    for i, sample in enumerate(samples):
        density = spectrum(
            fine,
            sample,
            edge,
            shift_eV=shifts[i],
            edge_weight=edge_weights[i],
            background_weight=0.0,
        )
        near = np.flatnonzero(np.abs(fine) < 2.0 * sample.resolution_eV)
        zlp = _vertex(fine, density, int(near[np.argmax(density[near])]))
        inside = np.flatnonzero((fine > PLASMON_SEARCH_EV[0]) & (fine < PLASMON_SEARCH_EV[1]))
        out[i] = _vertex(fine, density, int(inside[np.argmax(density[inside])])) - zlp
    return out


def _steepest_rise(fine: np.ndarray, signal: np.ndarray, centre: float) -> float:
    """Energy of the maximum of the derivative of ``signal`` smoothed by 0.3 eV within ±4 eV of
    ``centre`` (parabola through three samples), NaN on the search limit."""
    step = fine[1] - fine[0]
    slope = np.gradient(gaussian_filter1d(signal, ONSET_SMOOTH_EV / step), step)
    inside = np.flatnonzero(np.abs(fine - centre) <= ONSET_SEARCH_EV)
    best = inside[np.argmax(slope[inside])]
    if best in (inside[0], inside[-1]):
        return float("nan")
    left, mid, right = slope[best - 1 : best + 2]
    return float(fine[best] + 0.5 * (left - right) / (left - 2 * mid + right) * step)


def _resolution_fwhm(fine: np.ndarray, sample: Sample, psf_eV: float, box_eV: float) -> float:
    """FWHM of the recorded ZLP (point-spread and channel width included), eV."""
    step = fine[1] - fine[0]
    grid = (np.arange(int(16.0 / step)) - int(8.0 / step)) * step
    peak = np.fft.fftshift(zero_loss(grid, sample))
    peak = gaussian_filter1d(peak, psf_eV / step) if psf_eV > 0 else peak
    box = np.ones(max(int(round(box_eV / step)), 1))
    peak = np.convolve(peak, box / box.size, mode="same")
    above = grid[peak >= 0.5 * peak.max()]
    return float(above[-1] - above[0] + step)


def onset_truth(fine, samples, edge: Edge, shifts, strength, *, kind: str, psf_eV, box_eV):
    """Noise-free onset of every spectrum (see :class:`Scan`), eV.

    Core loss (measured on the counts): the edge is the spectrum with minus without it (plural
    scattering and the ZLP's tail included), blurred by the detector point-spread. With the ZLP
    (measured after Fourier-log, which leaves the single-scattering edge convolved with a
    Gaussian of the ZLP's FWHM): the single-scattering edge convolved with that Gaussian. Both
    on the generator's loss axis (zero at the centre of the ZLP's Gaussian core, where the
    alignment puts it: on noise-free scans the onset of the deconvolved edge alone lies within
    0.05 eV of this value away from the search limits).
    """
    step = fine[1] - fine[0]
    out = np.full(len(samples), np.nan)
    for i, sample in enumerate(samples):
        if strength[i] <= 0:
            continue
        if kind == "low_loss":
            fwhm = _resolution_fwhm(fine, sample, psf_eV, box_eV)
            signal = gaussian_filter1d(edge_shape(fine, edge, shifts[i]), fwhm / 2.3548 / step)
            out[i] = _steepest_rise(fine, signal, edge.thresholds_eV[0])
            continue
        options = dict(shift_eV=shifts[i], background_weight=1e-5)
        signal = spectrum(fine, sample, edge, edge_weight=1e-5, **options) - spectrum(
            fine, sample, edge, edge_weight=0.0, **options
        )
        signal = gaussian_filter1d(signal, psf_eV / step) if psf_eV > 0 else signal
        out[i] = _steepest_rise(fine, signal, edge.thresholds_eV[0])
    return out


def _edge_slope(fine, jitter, samples, edge, shifts, weights, channel_edges) -> np.ndarray:
    """∂(expected counts per channel)/∂shift of every spectrum, per eV and incident electron.

    A central difference of the generator's own spectrum in the shift (step 1 meV; within 1e-5 of
    the difference with a 0.1 meV step, relative to the largest slope). The edge is not a
    pure translation: its tail (E/E₀)^-decay scales with the moving threshold E₀, which the
    derivative of a translated edge (g(a) − g(b) over a channel [a, b]) misses.
    """
    step = 1e-3
    rows = []
    for i, sample in enumerate(samples):
        moved = [
            _channels(
                fine,
                jitter[i],
                sample,
                edge,
                channel_edges,
                shift_eV=shifts[i] + delta,
                edge_weight=weights[i],
                background_weight=0.0,
            )
            for delta in (step, -step)
        ]
        rows.append((moved[0] - moved[1]) / (2 * step))
    return np.stack(rows)


def _channels(fine, zlp_offset_eV, sample, edge, channel_edges, **spectrum_options) -> np.ndarray:
    """Expected counts per channel of one spectrum: the generator's spectrum on the fine grid,
    moved by the ZLP offset and integrated over the channels."""
    return channel_counts(
        fine + zlp_offset_eV, spectrum(fine, sample, edge, **spectrum_options), channel_edges
    )


def _weights(
    kind: str, fine: np.ndarray, sample: Sample, edge: Edge, rng: np.random.Generator
) -> tuple[float, float]:
    """Edge and earlier-shell background per incident electron: edge-to-plasmon-tail or jump
    ratio."""
    if kind == "low_loss":
        tail = float(np.interp(edge.thresholds_eV[0], fine, valence_ssd(fine, sample)))
        return rng.uniform(0.1, 1.0) * tail * sample.t_over_lambda, 0.0
    jump_ratio = float(np.exp(rng.uniform(np.log(0.3), np.log(5.0))))
    return 1e-5, 1e-5 / jump_ratio


def _edge_jump(fine, sample, edge, edge_weight, background_weight, channel_edges) -> float:
    """Largest edge signal per channel (with minus without the edge) within 15 eV above
    threshold."""
    with_edge = spectrum(
        fine,
        sample,
        edge,
        shift_eV=0.0,
        edge_weight=edge_weight,
        background_weight=background_weight,
    )
    without = spectrum(
        fine, sample, edge, shift_eV=0.0, edge_weight=0.0, background_weight=background_weight
    )
    signal = channel_counts(fine, with_edge - without, channel_edges)
    centres = 0.5 * (channel_edges[1:] + channel_edges[:-1])
    near = (centres > edge.thresholds_eV[0]) & (centres < edge.thresholds_eV[0] + 15.0)
    return float(signal[near].max())
