"""ZLP validation: the 1σ of the zero-loss peak's centre and FWHM (`eels`) on randomised low-loss
scans with known peaks.

The generator shares nothing with the fit: each scan's ZLP is a pseudo-Voigt (Lorentzian
fraction 0–0.5) of FWHM 0.3–1.5 eV, integrated over channels of 0.05–0.5 eV (peaks of at least
1.5 channels), centred anywhere within ±0.5 eV, with 1e2–1e5 counts at the top over a flat
2-count floor, recorded as Poisson counts times a gain of 0.1–20 (spectra in any units). Truth:
the centre and the FWHM of the continuous peak. Eight probes per scan share the gain and shape.
A second set of scans samples the peak at the channels' middles instead (as simulated spectra
often do, the sample scan among them): the fit cannot tell the two apart from the peak. A third
set blurs the counts by a detector's point-spread function (a Gaussian of σ 0–1.5 channels, as
:func:`validation.eels_physics.detect`; read noise 0), which correlates neighbouring channels'
noise: the FWHM's truth is then the peak's spread by that PSF (the resolution the spectra record;
the centre is unchanged), and a held-out set of as many scans from a seed first used after the 1σ
was last changed (20261211) is run too.

Thickness: the log-ratio t/λ = ln(I_t/I_0), against its stated 1σ, of the low-loss scans
of :mod:`validation.eels_corpus` (physics spectra: plural scattering of a Drude plasmon of
15–28 eV, t/λ 0.3–1.5, an 80 eV window, the ZLP's exponential tail, detector gain and blur)
against the generator's t/λ of each spectrum (its ends interpolated along the scan as the
generator does; the W O2,3 edge's own small scattering is not in the truth).

Plasmon energy: on the same scans, :func:`insitu_tem.analysis.eels.plasmon_energy.plasmon_energy`
(the loss of the low-loss maximum between 5 and 40 eV from the ZLP's centre) against the same
definition applied by the generator to each spectrum's noise-free intensity on its fine grid
(:func:`validation.eels_corpus.plasmon_peaks`: the maximum measured from the ZLP's maximum; no
detector blur, no channels). The full run adds a held-out corpus of as many scans from a seed
first used after the 1σ was last changed (20261201); its row is marked "held-out".
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import gaussian_filter1d

from insitu_tem.analysis.eels.plasmon_energy import plasmon_energy
from insitu_tem.analysis.eels.thickness import log_ratio_thickness
from insitu_tem.analysis.eels.zlp import fit_zlp
from insitu_tem.core.model import Axis
from validation.eels_corpus import generate
from validation.eels_physics import detect
from validation.stats import Measurement

FIRST_SEED = 5200
POINT_FIRST_SEED = 9200
FAST = 25
FULL = 300
POINT_FAST = 10
POINT_FULL = 150
BLUR_FIRST_SEED = 7200
BLUR_HELD_OUT_SEED = 20261211
BLUR_FAST = 25
BLUR_FULL = 150
PSF_MAX = 1.5
PROBES = 8
SUBSAMPLES = 10
THICKNESS_SEED = 5300
THICKNESS_FAST = 6
THICKNESS_FULL = 60
THICKNESS_SPECTRA = 6
PLASMON_HELD_OUT_SEED = 20261201


def make_scan(
    seed: int, *, point: bool = False, blur: bool = False
) -> tuple[np.ndarray, Axis, np.ndarray, float, dict]:
    """Spectra (probes, channels), their axis, the true centres (eV), the FWHM (eV), properties;
    ``point``: the peak sampled at the channels' middles instead of integrated over them;
    ``blur``: the counts blurred by a detector PSF of 0–1.5 channels (:func:`blurred_fwhm`)."""
    rng = np.random.default_rng(seed)
    fwhm = rng.uniform(0.3, 1.5)
    dispersion = 10 ** rng.uniform(np.log10(0.05), np.log10(min(0.5, fwhm / 1.5)))
    lorentz = rng.uniform(0.0, 0.5)
    axis = Axis("E", 256, dispersion, -rng.uniform(5, 15), "eV")
    top, gain = 10 ** rng.uniform(2, 5), 10 ** rng.uniform(-1, np.log10(20))
    centres = rng.uniform(-0.5, 0.5, PROBES)
    subsamples = 1 if point else SUBSAMPLES
    fine = axis.to_value(0) + (np.arange(axis.size * subsamples) + 0.5) / subsamples * dispersion
    fine -= dispersion / 2
    psf = rng.uniform(0.0, PSF_MAX) if blur else 0.0
    spectra = []
    for centre in centres:
        binned = _peak(fine - centre, fwhm, lorentz).reshape(axis.size, subsamples).mean(axis=1)
        expected = top * binned + 2.0
        if blur:
            spectra.append(detect(expected, rng, gain=gain, psf_channels=psf, read_noise=0.0))
        else:
            spectra.append(gain * rng.poisson(expected))
    props = {"fwhm_channels": fwhm / dispersion, "top_counts": top, "lorentz": lorentz}
    if blur:
        props["psf_channels"] = psf
        fwhm = blurred_fwhm(fwhm, lorentz, psf, dispersion)
    return np.array(spectra), axis, centres, fwhm, props


def _peak(x: np.ndarray, fwhm: float, lorentz: float) -> np.ndarray:
    gauss = np.exp(-0.5 * (x / (fwhm / np.sqrt(8 * np.log(2)))) ** 2)
    return (1 - lorentz) * gauss + lorentz / (1 + (2 * x / fwhm) ** 2)


def blurred_fwhm(fwhm: float, lorentz: float, psf: float, dispersion: float) -> float:
    """FWHM (eV) of the continuous peak spread over neighbouring channels by the detector's
    discrete PSF of σ ``psf`` channels (the resolution the spectra record), on a grid of a
    thousandth of the FWHM."""
    if psf <= 0:
        return fwhm
    delta = np.zeros(41)
    delta[20] = 1.0
    kernel = gaussian_filter1d(delta, psf)
    step = fwhm / 1000
    x = np.arange(-2 * fwhm - 20 * dispersion, 2 * fwhm + 20 * dispersion, step)
    taps = np.flatnonzero(kernel > 0)
    peak = sum(kernel[j] * _peak(x - (j - 20) * dispersion, fwhm, lorentz) for j in taps)
    above = np.flatnonzero(peak >= 0.5 * peak.max())
    return float((above[-1] - above[0]) * step)


def corpus(
    first_seed: int, scans: int, *, point: bool = False, blur: bool = False, suffix: str = ""
) -> list[Measurement]:
    """Centre and FWHM errors against their 1σ over ``scans`` scans (:func:`make_scan`)."""
    rows = {"centre": [], "fwhm": []}
    covariates, missed = {}, 0
    for seed in range(first_seed, first_seed + scans):
        spectra, axis, centres, fwhm, props = make_scan(seed, point=point, blur=blur)
        fit = fit_zlp(spectra, axis)
        found = fit.found
        missed += int((~found).sum())
        rows["centre"].append((fit.position_eV - centres)[found] / fit.position_sigma_eV[found])
        rows["fwhm"].append((fit.fwhm_eV - fwhm)[found] / fit.fwhm_sigma_eV[found])
        for name, value in props.items():
            covariates.setdefault(name, []).append(np.full(int(found.sum()), value))
    covariates = {name: np.concatenate(values) for name, values in covariates.items()}
    return [
        Measurement(
            "zlp",
            f"ZLP {name} / its 1σ (`eels`)"
            + (", peaks sampled at channel middles" if point else "")
            + (", detector blur (PSF σ 0–1.5 channels)" if blur else "")
            + suffix,
            np.concatenate(values),
            np.ones(sum(v.size for v in values)),
            "σ",
            n_not_measured=missed,
            covariates=covariates,
        )
        for name, values in rows.items()
    ]


def _low_loss_scans(seed: int, scans: int):
    rng = np.random.default_rng(seed)
    for _ in range(scans):
        scan = generate(rng, kind="low_loss", n_spectra=THICKNESS_SPECTRA)
        yield scan, Axis("E", scan.spectra.shape[1], scan.dispersion_eV, scan.offset_eV, "eV")


def thickness(scans: int) -> Measurement:
    """Log-ratio t/λ minus the generator's, against its 1σ, over ``scans`` low-loss scans
    (module docstring)."""
    errors, sigmas, truths, missed = [], [], [], 0
    for scan, energy in _low_loss_scans(THICKNESS_SEED, scans):
        truth = np.interp(np.linspace(0, 1, THICKNESS_SPECTRA), [0, 1], scan.t_over_lambda)
        result = log_ratio_thickness(scan.spectra, energy)
        measured, sigma = result.t_over_lambda, result.t_over_lambda_sigma
        found = np.isfinite(measured) & np.isfinite(sigma)
        missed += int((~found).sum())
        errors.append((measured - truth)[found])
        sigmas.append(sigma[found])
        truths.append(truth[found])
    return Measurement(
        "zlp",
        "t/λ log-ratio minus truth, physics low-loss spectra t/λ 0.3–1.5",
        np.concatenate(errors),
        np.concatenate(sigmas),
        "",
        n_not_measured=missed,
        covariates={"t/λ": np.concatenate(truths)},
    )


def plasmon(scans: int, seed: int = THICKNESS_SEED, suffix: str = "") -> Measurement:
    """Plasmon energy minus the generator's maximum, against its 1σ, over ``scans`` low-loss
    scans (module docstring)."""
    errors, sigmas, missed = [], [], 0
    covariates = {"dispersion (eV/channel)": [], "edge counts per channel": [], "t/λ": []}
    for scan, energy in _low_loss_scans(seed, scans):
        result = plasmon_energy(scan.spectra, energy, fit_zlp(scan.spectra, energy))
        found = result.found
        missed += int((~found).sum())
        errors.append((result.energy_eV - scan.plasmon_peak_eV)[found])
        sigmas.append(result.sigma_eV[found])
        tau = np.interp(np.linspace(0, 1, THICKNESS_SPECTRA), [0, 1], scan.t_over_lambda)
        for name, values in zip(
            covariates, (scan.dispersion_eV, scan.edge_counts, tau), strict=True
        ):
            covariates[name].append(np.broadcast_to(values, found.shape)[found])
    return Measurement(
        "zlp",
        "plasmon energy (low-loss maximum from the ZLP) minus truth, physics low-loss spectra, "
        "plasmon 15–28 eV, t/λ 0.3–1.5" + suffix,
        np.concatenate(errors),
        np.concatenate(sigmas),
        "eV",
        n_not_measured=missed,
        covariates={name: np.concatenate(values) for name, values in covariates.items()},
    )


def run(*, fast: bool) -> list[Measurement]:
    """ZLP centre and FWHM coverage on ``FAST`` or ``FULL`` random channel-integrated scans, then
    on ``POINT_FAST`` or ``POINT_FULL`` point-sampled ones and ``BLUR_FAST`` or ``BLUR_FULL``
    blurred ones (the full run also on as many held-out ones); log-ratio t/λ on ``THICKNESS_FAST``
    or ``THICKNESS_FULL`` physics low-loss scans, and the plasmon energy on the same scans (the
    full run also on as many held-out ones)."""
    integrated = corpus(FIRST_SEED, FAST if fast else FULL)
    point = corpus(POINT_FIRST_SEED, POINT_FAST if fast else POINT_FULL, point=True)
    blurred = corpus(BLUR_FIRST_SEED, BLUR_FAST if fast else BLUR_FULL, blur=True)
    if not fast:
        blurred += corpus(BLUR_HELD_OUT_SEED, BLUR_FULL, blur=True, suffix=" — held-out")
    low_loss = THICKNESS_FAST if fast else THICKNESS_FULL
    held_out = [] if fast else [plasmon(low_loss, PLASMON_HELD_OUT_SEED, " — held-out")]
    return integrated + point + blurred + [thickness(low_loss), plasmon(low_loss), *held_out]
