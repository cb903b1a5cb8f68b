"""Sample (d): an EELS line scan across the reaction front, with ground truth.

46 spectra along :attr:`EXPERIMENT.scan` (same probe positions as the NBD
scan), 300 kV, 0.8 eV resolution, 2048 channels of 0.05 eV from -10 eV:
zero-loss peak, bulk plasmon, W O2,3 edges, Li K and W O1. Behind the front
(negative distance) the film is reduced and lithiated with a reacted fraction

    f(d) = 1 / (1 + exp(d / w)),  w = 15 nm,

which sets the W O2,3 chemical shift ``f * -1.5 eV``, the plasmon energy
(24.8 eV for WO3 to 22.0 eV), the Li K strength and t/λ. Each spectrum is
Poisson counts of

    J(E) = I0 · Z(E - δ) ⊗ [δ(E) + τ s(E) + τ² s⊗s / 2! + ...]

with Z a unit Gaussian ZLP, δ a known sub-channel ZLP offset, s the
single-scattering distribution (unit area) and τ = t/λ, so that the
log-ratio and Fourier-log methods have exact answers.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np

from insitu_tem.samples.experiment import EXPERIMENT

NAME = "eels_linescan"
N_CHANNELS, DISPERSION_EV, OFFSET_EV = 2048, 0.05, -10.0
FWHM_EV = 0.8
TOTAL_COUNTS = 3.0e7
FRONT_WIDTH_NM = 15.0
SHIFT_REDUCED_EV = -1.5
PLASMON_EV = (24.8, 22.0)
PLASMON_WIDTH_EV = 5.0
T_OVER_LAMBDA = (0.45, 0.52)
W_O3_EV, W_O2_EV, W_O1_EV, LI_K_EV = 36.8, 45.3, 75.6, 55.0
MODEL_CHANNELS = 8192


def reacted_fraction(distance_nm: np.ndarray) -> np.ndarray:
    """Reacted (reduced, lithiated) fraction at a signed distance from the front, nm."""
    return 1.0 / (1.0 + np.exp(np.asarray(distance_nm, float) / FRONT_WIDTH_NM))


def _edge(energy: np.ndarray, onset: float, *, width: float, peak: float) -> np.ndarray:
    step = 0.5 * (1.0 + np.tanh((energy - onset) / width))
    decay = np.clip(energy / onset, 1e-3, None) ** -3.0
    white = peak * np.exp(-0.5 * ((energy - onset - 2.0) / 1.2) ** 2)
    return step * decay + white


def single_scattering(energy: np.ndarray, fraction: float) -> np.ndarray:
    """Unit-area single-scattering distribution per eV at reacted ``fraction``.

    Parameters
    ----------
    energy : ndarray
        Energy loss, eV (uniform grid starting at or below 0).
    fraction : float
        Reacted fraction in [0, 1].
    """
    e = np.clip(energy, 0.0, None)
    ep = PLASMON_EV[0] + fraction * (PLASMON_EV[1] - PLASMON_EV[0])
    drude = e * PLASMON_WIDTH_EV * ep**2 / ((e**2 - ep**2) ** 2 + (e * PLASMON_WIDTH_EV) ** 2)
    drude /= np.trapezoid(drude, energy)
    shift = fraction * SHIFT_REDUCED_EV
    tungsten = 0.0040 * _edge(energy, W_O3_EV + shift, width=0.35, peak=0.6)
    tungsten += 0.0020 * _edge(energy, W_O2_EV + shift, width=0.35, peak=0.6)
    tungsten += 0.0006 * _edge(energy, W_O1_EV + shift, width=0.5, peak=0.0)
    lithium = fraction * 0.0012 * _edge(energy, LI_K_EV, width=0.5, peak=2.0)
    ssd = 0.9 * drude + (tungsten + lithium) * (energy > 0)
    return ssd / np.trapezoid(ssd, energy)


def model_spectrum(fraction: float, zlp_offset_eV: float, t_over_lambda: float) -> np.ndarray:
    """Noise-free counts per channel on the sample axis (see module docstring)."""
    energy = OFFSET_EV + DISPERSION_EV * np.arange(MODEL_CHANNELS)
    ssd = single_scattering(energy, fraction) * DISPERSION_EV
    zero = int(round(-OFFSET_EV / DISPERSION_EV))
    s_hat = np.fft.rfft(np.roll(ssd, -zero))
    freq = np.fft.rfftfreq(MODEL_CHANNELS, d=DISPERSION_EV)
    sigma = FWHM_EV / (2.0 * np.sqrt(2.0 * np.log(2.0)))
    z_hat = np.exp(
        -2.0 * (np.pi * freq * sigma) ** 2 - 2j * np.pi * freq * (zlp_offset_eV - OFFSET_EV)
    )
    counts = np.fft.irfft(z_hat * np.exp(t_over_lambda * s_hat), n=MODEL_CHANNELS)
    i0 = TOTAL_COUNTS * np.exp(-t_over_lambda)
    return np.clip(i0 * counts[:N_CHANNELS], 0.0, None)


def ground_truth() -> dict:
    """Per-position truth: distance, ZLP offset, W O2,3 shift, Li K fraction, plasmon, t/λ."""
    rng = np.random.default_rng(20240606)
    distance = EXPERIMENT.scan_distance_from_front_nm()
    n = len(distance)
    fraction = reacted_fraction(distance)
    zlp = 0.15 + 0.35 * np.linspace(0.0, 1.0, n) + rng.normal(0.0, 0.12, n)
    tau = T_OVER_LAMBDA[0] + fraction * (T_OVER_LAMBDA[1] - T_OVER_LAMBDA[0])
    return {
        "distance_from_front_nm": distance.tolist(),
        "zlp_offset_eV": np.round(zlp, 4).tolist(),
        "w_o23_shift_eV": (fraction * SHIFT_REDUCED_EV).tolist(),
        "li_k_fraction": fraction.tolist(),
        "plasmon_energy_eV": (PLASMON_EV[0] + fraction * (PLASMON_EV[1] - PLASMON_EV[0])).tolist(),
        "t_over_lambda": tau.tolist(),
    }


def _measurable(truth: dict) -> dict:
    """What a perfect analysis of the finite, noise-free spectra gives (plasmon peak, log-ratio)."""
    energy = OFFSET_EV + DISPERSION_EV * np.arange(N_CHANNELS)
    peaks, ratios = [], []
    for fraction, tau in zip(truth["li_k_fraction"], truth["t_over_lambda"]):
        counts = model_spectrum(fraction, 0.0, tau)
        region = (energy > 5.0) & (energy < 40.0)
        i = int(np.argmax(np.where(region, counts, 0.0)))
        left, centre, right = counts[i - 1 : i + 2]
        peaks.append(energy[i] + 0.5 * DISPERSION_EV * (left - right) / (left - 2 * centre + right))
        ratios.append(np.log(counts.sum() / (TOTAL_COUNTS * np.exp(-tau))))
    return {"plasmon_peak_eV": peaks, "log_ratio_in_range": ratios}


def _spectra(truth: dict) -> np.ndarray:
    rng = np.random.default_rng(7)
    rows = [
        model_spectrum(f, z, t)
        for f, z, t in zip(truth["li_k_fraction"], truth["zlp_offset_eV"], truth["t_over_lambda"])
    ]
    return rng.poisson(np.array(rows)).astype(np.uint32)


def _signal(data: np.ndarray):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Importing `", module="hyperspy")
        import hyperspy.api as hs

        signal = hs.signals.Signal1D(data)
        signal.set_signal_type("EELS")
    signal.metadata.General.title = "EELS line scan across the reaction front (simulated)"
    signal.metadata.set_item("Sample.elements", ["Li", "O", "W"])
    nav, sig = signal.axes_manager.navigation_axes[0], signal.axes_manager.signal_axes[0]
    nav.name, nav.units, nav.offset = "position", "nm", 0.0
    nav.scale = EXPERIMENT.scan.step_px() * EXPERIMENT.pixel_nm
    sig.name, sig.units, sig.offset, sig.scale = "Energy loss", "eV", OFFSET_EV, DISPERSION_EV
    signal.set_microscope_parameters(beam_energy=EXPERIMENT.beam_energy_kV)
    return signal


def write(folder: str | Path) -> list[Path]:
    """Write ``eels_linescan.hspy`` and ``eels_linescan.truth.json`` into ``folder``."""
    folder = Path(folder)
    truth = ground_truth()
    truth.update(
        {
            "description": "EELS line scan along EXPERIMENT.scan; "
            "shifts are relative to pristine WO3, negative distance = behind the front (reacted)",
            "energy_axis": {"size": N_CHANNELS, "scale_eV": DISPERSION_EV, "offset_eV": OFFSET_EV},
            "zlp_fwhm_eV": FWHM_EV,
            "beam_energy_kV": EXPERIMENT.beam_energy_kV,
            "front_width_nm": FRONT_WIDTH_NM,
        }
    )
    truth.update(_measurable(truth))
    data_path, truth_path = folder / f"{NAME}.hspy", folder / f"{NAME}.truth.json"
    _signal(_spectra(truth)).save(data_path, compression="gzip", overwrite=True)
    truth_path.write_text(json.dumps(truth, indent=1))
    return [data_path, truth_path]
