"""EELS spectra from scattering physics, independent of ``insitu_tem.analysis.eels``.

A spectrum is built on a fine internal loss grid (a quarter of the channel width) as

    J(E) = N · F⁻¹{ Z̃(ν) · exp( t/λ · (p̃(ν) - 1) + c̃(ν) ) }        (Egerton 2011, §3.7)

with Z the zero-loss peak (unit area), p the unit-area single-scattering valence loss
(Drude plasmon and an interband oscillator, integrated over the collection angle) and c the
single-scattering core-loss distribution per incident electron (a smooth background from
earlier shells plus the edge). The exponential is the Poisson sum of plural scattering, so
every edge is convolved through the low loss. The spectrum is then shifted by the energy
jitter, integrated over the channels, drawn with Poisson noise, multiplied by a detector gain
and blurred by a detector point-spread function (correlated noise between channels).

References
----------
R. F. Egerton, *Electron Energy-Loss Spectroscopy in the Electron Microscope*, 3rd ed.
(Springer, 2011): Drude loss function §3.3.1, angular integration Eq. 3.13, Poisson plural
scattering §3.7, edge shapes §3.6 (delayed maxima of O2,3 / M4,5, saw-tooth K, L2,3 white
lines of transition metals).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import constants
from scipy.fft import next_fast_len
from scipy.ndimage import gaussian_filter1d

ELECTRON_REST_eV = constants.m_e * constants.c**2 / constants.e


@dataclass(frozen=True)
class Edge:
    """An ionisation edge: kind ("delayed", "sawtooth", "white_line"), thresholds (eV), shape."""

    kind: str
    thresholds_eV: tuple[float, ...]
    weights: tuple[float, ...]
    lifetime_eV: float
    delay_eV: float = 0.0
    decay: float = 2.5
    peak_offset_eV: float = 1.0
    peak_ratio: float = 3.0
    near_edge_peak: float = 0.0


@dataclass(frozen=True)
class Sample:
    """Specimen and microscope for one spectrum."""

    plasmon_eV: float
    plasmon_width_eV: float
    interband_eV: float
    t_over_lambda: float
    background_exponent: float
    background_curvature: float
    resolution_eV: float
    zlp_tail_eV: float
    beam_keV: float = 200.0
    collection_mrad: float = 10.0


def characteristic_angle(loss_eV: np.ndarray, beam_keV: float) -> np.ndarray:
    """θ_E = E / (γ m₀ v²), rad (relativistic)."""
    gamma = 1.0 + beam_keV * 1e3 / ELECTRON_REST_eV
    beta2 = 1.0 - 1.0 / gamma**2
    return loss_eV / (gamma * ELECTRON_REST_eV * beta2)


def valence_ssd(loss_eV: np.ndarray, sample: Sample) -> np.ndarray:
    """Unit-area single-scattering valence loss: Drude plasmon plus a weaker interband
    oscillator."""
    e = np.where(loss_eV > 0, loss_eV, np.nan)
    angular = np.log1p(
        (sample.collection_mrad * 1e-3 / characteristic_angle(e, sample.beam_keV)) ** 2
    )
    total = np.zeros_like(loss_eV)
    for centre, width, weight in (
        (sample.plasmon_eV, sample.plasmon_width_eV, 1.0),
        (sample.interband_eV, 2.5, 0.15),
    ):
        loss_function = e * centre**2 * width / ((e**2 - centre**2) ** 2 + (e * width) ** 2)
        total += weight * np.nan_to_num(loss_function * angular)
    return total / (total.sum() * (loss_eV[1] - loss_eV[0]))


def _lorentzian_broaden(values: np.ndarray, step_eV: float, width_eV: float) -> np.ndarray:
    n = len(values)
    padded = next_fast_len(2 * n, real=True)
    kernel = np.exp(-np.pi * width_eV * np.abs(np.fft.rfftfreq(padded, step_eV)))
    return np.fft.irfft(np.fft.rfft(values, padded) * kernel, padded)[:n]


def edge_shape(loss_eV: np.ndarray, edge: Edge, shift_eV: float = 0.0) -> np.ndarray:
    """Single-scattering edge (arbitrary units, maximum ≈ 1) with every threshold moved by
    ``shift_eV``."""
    step = loss_eV[1] - loss_eV[0]
    total = np.zeros_like(loss_eV)
    for threshold, weight in zip(edge.thresholds_eV, edge.weights):
        e0 = threshold + shift_eV
        above = np.clip(loss_eV - e0, 0.0, None)
        tail = np.where(loss_eV > e0, (np.maximum(loss_eV, e0) / e0) ** -edge.decay, 0.0)
        if edge.kind == "delayed":
            rise = (above / edge.delay_eV) ** 2 / (1.0 + (above / edge.delay_eV) ** 2)
            total += weight * rise * tail
        else:
            total += weight * tail
        if edge.kind == "white_line":
            centre, half = e0 + edge.peak_offset_eV, edge.lifetime_eV / 2
            total += weight * edge.peak_ratio * half**2 / ((loss_eV - centre) ** 2 + half**2)
        if edge.near_edge_peak:
            centre = e0 + edge.peak_offset_eV
            total += weight * edge.near_edge_peak * np.exp(-0.5 * ((loss_eV - centre) / 0.35) ** 2)
    broadened = _lorentzian_broaden(
        total, step, edge.lifetime_eV if edge.kind != "white_line" else 0.1
    )
    return broadened / max(broadened.max(), 1e-300)


def zero_loss(loss_eV: np.ndarray, sample: Sample) -> np.ndarray:
    """Unit-area ZLP: a Gaussian of FWHM ``resolution_eV`` with an exponential tail on the loss
    side."""
    step = loss_eV[1] - loss_eV[0]
    sigma = sample.resolution_eV / 2.3548
    x = np.fft.fftfreq(len(loss_eV), 1.0 / (len(loss_eV) * step))
    gaussian = np.exp(-0.5 * (x / sigma) ** 2)
    tail = np.exp(-np.abs(x) / sample.zlp_tail_eV) * (x >= 0)
    peak = np.real(np.fft.ifft(np.fft.fft(gaussian) * np.fft.fft(tail)))
    return peak / peak.sum() / step


def core_background(loss_eV: np.ndarray, sample: Sample, edge_eV: float) -> np.ndarray:
    """Tails of earlier shells: a power law with a curvature in log-log, switched on smoothly."""
    e = np.maximum(loss_eV, 1.0)
    log_ratio = np.log(e / edge_eV)
    bent = np.clip(log_ratio, -0.7, 0.7)
    law = np.exp(-sample.background_exponent * log_ratio + sample.background_curvature * bent**2)
    return law / (1.0 + (0.5 * edge_eV / e) ** 12)


def spectrum(
    loss_eV: np.ndarray,
    sample: Sample,
    edge: Edge,
    *,
    shift_eV: float,
    edge_weight: float,
    background_weight: float,
) -> np.ndarray:
    """Expected counts per unit grid step for one incident electron (see the module docstring).

    ``loss_eV`` must start at or below 0 and be uniformly spaced; ``edge_weight`` and
    ``background_weight`` scale the core-loss edge and background per incident electron.
    """
    step = loss_eV[1] - loss_eV[0]
    edge_eV = edge.thresholds_eV[0]
    core = edge_weight * edge_shape(loss_eV, edge, shift_eV) + background_weight * core_background(
        loss_eV, sample, edge_eV
    )
    valence = np.where(loss_eV > 0, valence_ssd(loss_eV, sample), 0.0)
    origin = int(np.argmin(np.abs(loss_eV)))
    zlp = np.roll(zero_loss(loss_eV - loss_eV[origin], sample), origin)
    n = next_fast_len(2 * len(loss_eV), real=True)

    def transform(values: np.ndarray) -> np.ndarray:
        return np.fft.rfft(np.roll(np.pad(values, (0, n - len(values))), -origin), n)

    exponent = (
        sample.t_over_lambda * (transform(valence) * step - 1.0)
        + transform(np.where(loss_eV > 0, core, 0.0)) * step
    )
    result = np.fft.irfft(transform(zlp) * step * np.exp(exponent), n) / step
    return np.roll(result, origin)[: len(loss_eV)]


def channel_counts(
    loss_eV: np.ndarray, density: np.ndarray, channel_edges_eV: np.ndarray
) -> np.ndarray:
    """Integrate a density on the fine grid over channels bounded by ``channel_edges_eV``."""
    step = loss_eV[1] - loss_eV[0]
    cumulative = np.concatenate([[0.0], np.cumsum(density) * step])
    grid_edges = np.concatenate([loss_eV - step / 2, [loss_eV[-1] + step / 2]])
    return np.diff(np.interp(channel_edges_eV, grid_edges, cumulative))


def detect(
    expected: np.ndarray,
    rng: np.random.Generator,
    *,
    gain: float,
    psf_channels: float,
    read_noise: float,
) -> np.ndarray:
    """Poisson counts × gain, plus read noise, blurred by the detector PSF (correlated noise)."""
    counts = gain * rng.poisson(np.clip(expected, 0, None)) + rng.normal(
        0.0, read_noise, expected.shape
    )
    return gaussian_filter1d(counts, psf_channels, mode="nearest") if psf_channels > 0 else counts
