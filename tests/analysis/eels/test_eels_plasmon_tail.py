"""Drude plasmon tail under a low-loss edge (:mod:`insitu_tem.analysis.eels.plasmon_tail`)."""

import numpy as np

from insitu_tem.analysis.eels.plasmon_tail import fit_plasmon_tail, loss_function
from insitu_tem.analysis.eels.shifts import _plasmon_fit, chemical_shift
from insitu_tem.core.model import Axis

ENERGY = Axis("E", 800, 0.1, 0.0, "eV")
E = ENERGY.coordinates()


def _plasmon(plasmon_eV, width_eV, counts=4e5):
    """Drude single scattering integrated over a 12 mrad aperture at 300 kV (θ_E = E / 2γT)."""
    theta_e = np.maximum(E, 0.05) / (2 * 1.587 * 300e3)
    shape = loss_function(E, plasmon_eV, width_eV) * np.log1p((12e-3 / theta_e) ** 2)
    return counts * shape / shape.max()


def _edge(shift_eV):
    above = np.clip(E - 36.8 - shift_eV, 0, None)
    return 1e4 * (above / 3.0) ** 2 / (1 + (above / 3.0) ** 2) * np.exp(-above / 20.0)


def _core():
    """Earlier shells: an E^-3 tail switched on above 18 eV."""
    e = np.maximum(E, 1.0)
    return 2e4 * (e / 30.0) ** -3 / (1.0 + (18.0 / e) ** 12)


def _scan(plasmons, shifts, *, edge=True, seed=3):
    rng = np.random.default_rng(seed)
    clean = [_plasmon(p, 7.0) + _core() + edge * _edge(s) for p, s in zip(plasmons, shifts)]
    return rng.poisson(np.array(clean)).astype(float)


def test_drude_fit_recovers_the_plasmon_and_extrapolates_its_tail():
    spectra = np.random.default_rng(1).poisson(
        [_plasmon(p, w) for p, w in ((16.0, 4.0), (22.0, 7.0), (27.0, 9.0))]
    )
    tail = fit_plasmon_tail(spectra.astype(float), ENERGY, upper_eV=34.0)
    assert tail.ok.all()
    assert np.allclose(tail.energy_eV, [16.0, 22.0, 27.0], rtol=0.02)
    assert np.allclose(tail.width_eV, [4.0, 7.0, 9.0], rtol=0.15)
    truth = np.array([_plasmon(p, w) for p, w in ((16.0, 4.0), (22.0, 7.0), (27.0, 9.0))])
    far = (E > 36) & (E < 50)
    assert np.allclose(tail.evaluate(E)[:, far], truth[:, far], rtol=0.3)


def test_plasmon_tail_keeps_the_shift_and_the_detection():
    shifts = [0.0, 0.5, 1.0, 0.8]
    spectra = _scan([24.0, 24.5, 25.0, 25.5], shifts)
    result = chemical_shift(spectra, ENERGY, "W-O23", reference=0, plasmon_tail=True)
    assert result.detected.all()
    assert np.allclose(result.shift_eV, shifts, atol=4 * np.nanmax(result.stderr_eV[1:]))


def test_the_edge_must_be_significant_with_either_background():
    spectra = _scan([26.0] + [27.0] * 6, [0.0] * 7, edge=False)
    spectra[0] += np.random.default_rng(5).poisson(_edge(0.0))
    alone = chemical_shift(spectra, ENERGY, "W-O23", reference=0)
    both = chemical_shift(spectra, ENERGY, "W-O23", reference=0, plasmon_tail=True)
    assert np.all(both.detection_p[1:] >= alone.detection_p[1:])
    _, plasmon_p = _plasmon_fit(
        spectra, spectra[0], ENERGY, both.fit_window_eV, both.background_window_eV, "power_law", 3.0
    )
    assert np.isfinite(plasmon_p).all()
    assert np.allclose(both.detection_p, np.fmax(alone.detection_p, plasmon_p))


def test_a_ringing_deconvolution_is_not_measured():
    from insitu_tem.analysis.eels.pipeline import _ringing

    good = _plasmon(22.0, 7.0) + _core()
    ringing = good - 0.6 * good.max() * np.exp(-0.5 * ((E - 12.0) / 2.0) ** 2)
    single = np.stack([good, ringing, good])
    assert _ringing(single, ENERGY, 48.0, 0).tolist() == [False, True, False]
    assert _ringing(single, ENERGY, 48.0, 1).all()
