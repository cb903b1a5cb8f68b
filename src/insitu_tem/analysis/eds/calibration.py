"""The spectrum's energy calibration checked on its own lines: offset (and gain) ± 1σ.

A spectrum's energy axis is the detector's channel calibration, ``E_axis = E + offset + gain ·
E``; an offset of a few tens of eV (a drifted zero, a file's rounded offset) puts every line
off its database energy by a fraction of its width, which a fit of fixed line positions takes
as misfit (the profile error δ grows, weak lines beside strong ones are missed or made up).
The lines whose width measures the resolution (:mod:`.resolution`: strong, isolated K lines at
1–10 keV) are fitted with a free centre; each gives ``E_axis − E`` at its energy ± 1σ. A line
with a line of another family of an element in the model within one FWHM is left out (a Zn L
peak the first fit gave to Na Kα, W Mα under Si Kα would shift the axis by 10–30 eV). The
lines beside them and the continuum under them are the model's, fitted at the database's
energies, which pulls the centres towards them by about 1 % of the offset: the centres are
measured again on the corrected axis and the residual added (:meth:`Calibration.then`). Their
weighted mean is the offset; when they span at least :data:`MIN_GAIN_SPAN_EV`, a straight line
through them gives offset and gain, and the gain is kept when it differs from 0 by more than
:data:`GAIN_SIGNIFICANCE` σ and from the Kα doublet's apparent gain (below; otherwise its
extrapolation to the light elements' lines would only add noise). Each centre's 1σ is its
fit's and the shift its neighbours give it when their counts are off by the model's profile
error δ (the lines' ratios and shapes, :mod:`.fit`), the model's escape and pile-up peaks
among the neighbours (:mod:`.resolution`). The 1σ are the weighted fit's [1]_, widened by
Birge's ratio √(χ²/dof) when the lines scatter more than their own 1σ.

A constant offset is applied at every energy; the lines below 1 keV are not measured (the
detector's roll-off and incomplete charge collection), and on a real detector they need not
follow: the real Bruker map's C, O, Mg, Si peaks sit 5–15 eV below where its K lines at 1.7–8
keV put the axis (docs/eds.md).

The database's Kα is the Kα1 line [2]_; a detector sees Kα1 and Kα2 (half as strong, 6 eV lower
for Ti, 13 eV for Fe, 20 eV for Cu) as one peak, 2–7 eV below Kα1, so a real spectrum shows a
gain of about −0.1 % that is the doublet's, not the detector's: a gain is applied only when it
exceeds :data:`DOUBLET_GAIN` too (otherwise its extrapolation would move the light elements'
lines by the doublet's 5–7 eV; on the real Bruker map, measured on Ti, Fe and Cu Kα, the offset
alone, +13.5 ± 1.0 eV, fits better — profile error 0.129 — than +18.7 eV with a gain of −0.08 %,
0.152).

References
----------
.. [1] P. R. Bevington and D. K. Robinson, *Data Reduction and Error Analysis for the Physical
   Sciences*, 3rd ed., McGraw-Hill (2003), ch. 6.
.. [2] C. T. Chantler et al., X-Ray Transition Energies (version 1.2), NIST (2005) (the line
   energies of exspy's database).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from insitu_tem.analysis.eds.resolution import Resolution, describe

MIN_GAIN_SPAN_EV = 2000.0
GAIN_SIGNIFICANCE = 2.0
DOUBLET_GAIN = 0.0015
NO_LINE = "no K line at 1–10 keV strong and isolated enough to measure its centre"


@dataclass(frozen=True)
class Calibration:
    """Energy calibration of a spectrum's axis measured on its lines.

    Attributes
    ----------
    offset_ev, offset_sigma_ev : float
        The axis reads ``offset`` eV high at 0 eV (``E_axis = E + offset + gain · E``), and its
        1σ; 0 and NaN when not measured.
    gain, gain_sigma : float
        Relative gain error (``0.001`` = the axis reads 0.1 % high) and its 1σ; 0 and NaN when
        not measured or not told from 0 (``gain_note`` says which).
    lines : tuple of str
        The lines measured.
    reason : str
        Why the offset could not be measured (empty when measured).
    gain_note : str
        Why no gain is applied (empty when one is).
    """

    offset_ev: float = 0.0
    offset_sigma_ev: float = float("nan")
    gain: float = 0.0
    gain_sigma: float = float("nan")
    lines: tuple[str, ...] = ()
    reason: str = ""
    gain_note: str = ""

    @property
    def ok(self) -> bool:
        """Whether the offset was measured."""
        return not self.reason

    def true_energies(self, axis_ev: np.ndarray) -> np.ndarray:
        """The energies (eV) of the channels whose axis reads ``axis_ev`` (eV)."""
        return (np.asarray(axis_ev, dtype=float) - self.offset_ev) / (1.0 + self.gain)

    def then(self, residual: Calibration) -> Calibration:
        """This calibration followed by ``residual``, measured on the axis this one corrects
        (its 1σ and lines are the residual's: the first only moved the axis)."""
        if not residual.ok:
            return self
        scale = 1.0 + self.gain
        gain = scale * (1.0 + residual.gain) - 1.0
        return Calibration(
            self.offset_ev + scale * residual.offset_ev,
            scale * residual.offset_sigma_ev,
            gain,
            scale * residual.gain_sigma if not residual.gain_note else self.gain_sigma,
            residual.lines,
            gain_note=residual.gain_note if self.gain_note else "",
        )

    def describe(self) -> str:
        """In words: ``"offset +12 ± 3 eV (on Si Kα, Fe Kα)"`` or why not measured."""
        if not self.ok:
            return f"not measured ({self.reason}): the axis taken as it is"
        text = f"offset {self.offset_ev:+.1f} ± {self.offset_sigma_ev:.1f} eV"
        if not self.gain_note:
            text += f", gain {100 * self.gain:+.3f} ± {100 * self.gain_sigma:.3f} %"
        names = describe(Resolution(0.0, 0.0, self.lines))
        return f"{text} (on {names}{'; ' + self.gain_note if self.gain_note else ''})"


def measure_calibration(resolution: Resolution) -> Calibration:
    """Offset (and gain) of the energy axis (module docstring) from the centres of the lines
    ``resolution`` was measured on."""
    if not resolution.shifts_ev:
        return Calibration(reason=NO_LINE)
    lines = resolution.shift_lines
    energies = np.array(resolution.energies_ev)
    shifts = np.array(resolution.shifts_ev)
    weights = 1.0 / np.array(resolution.shift_sigmas_ev) ** 2
    span = float(energies.max() - energies.min())
    if span >= MIN_GAIN_SPAN_EV:
        (offset, gain), covariance = _weighted_line(energies, shifts, weights)
        gain_sigma = float(np.sqrt(covariance[1, 1]))
        if abs(gain) > max(GAIN_SIGNIFICANCE * gain_sigma, DOUBLET_GAIN):
            return Calibration(
                float(offset),
                float(np.sqrt(covariance[0, 0])),
                float(gain),
                gain_sigma,
                lines,
            )
        note = (
            f"gain {100 * gain:+.3f} ± {100 * gain_sigma:.3f} % not told from 0 or from the Kα "
            "doublet's"
        )
    else:
        note = f"gain not measured: the lines span {span / 1000:.1f} keV"
    offset = float(np.sum(weights * shifts) / weights.sum())
    sigma = float(1.0 / np.sqrt(weights.sum())) * _birge(shifts - offset, weights, 1)
    return Calibration(offset, sigma, lines=lines, gain_note=note)


def _weighted_line(energies, shifts, weights):
    """(offset, gain) of ``shifts = offset + gain · energies`` by weighted least squares, and
    their covariance (widened by Birge's ratio)."""
    design = np.stack([np.ones_like(energies), energies], axis=1)
    normal = design.T @ (design * weights[:, None])
    covariance = np.linalg.inv(normal)
    coefficients = covariance @ (design.T @ (weights * shifts))
    ratio = _birge(shifts - design @ coefficients, weights, 2)
    return coefficients, covariance * ratio**2


def _birge(residuals, weights, parameters: int) -> float:
    """Birge's ratio √(χ²/dof) of the residuals when above 1 and there are degrees of freedom,
    else 1."""
    dof = residuals.size - parameters
    if dof <= 0:
        return 1.0
    return max(1.0, float(np.sqrt(np.sum(weights * residuals**2) / dof)))
