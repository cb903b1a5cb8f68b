"""What every fit of one spectrum's identification shares (:mod:`.identify`): its counts and
energy axis (corrected by a :class:`~insitu_tem.analysis.eds.calibration.Calibration`), the
fitted channels and the families searched; the fit :class:`~insitu_tem.analysis.eds.problem.Problem`
built from them at a given detector resolution."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from insitu_tem.analysis.eds.calibration import Calibration
from insitu_tem.analysis.eds.continuum import (
    NARROW_CLIP_FWHM,
    roll_off_error,
    snip_continuum,
)
from insitu_tem.analysis.eds.dependents import escape_profiles
from insitu_tem.analysis.eds.families import SHELLS, Family, line_profiles
from insitu_tem.analysis.eds.fit import FamilyFit
from insitu_tem.analysis.eds.problem import Problem, make_problem
from insitu_tem.analysis.eds.selection import screen

NOISE_SIGMAS = 3.0


@dataclass(frozen=True)
class FitSetup:
    """A spectrum and what its fits share: the counts and energies (eV) per channel, which
    channels are fitted, the families searched, the elements asked for, the beam energy (eV)
    and the threshold (σ); :meth:`problem` builds the fit at a given resolution."""

    counts: np.ndarray
    energies: np.ndarray
    in_range: np.ndarray
    searched: tuple[Family, ...]
    elements: tuple[str, ...]
    beam: float
    threshold: float

    def calibrated(self, calibration: Calibration) -> FitSetup:
        """This setup on the axis ``calibration`` corrects (itself when not measured)."""
        if not calibration.ok:
            return self
        return replace(self, energies=calibration.true_energies(self.energies))

    def problem(
        self,
        resolution: float,
        *,
        candidates: tuple[Family, ...] | None = None,
        lines: np.ndarray | None = None,
    ) -> tuple[Problem, tuple[Family, ...]]:
        """The fit problem and its candidate families at ``resolution`` (eV at Mn Kα); the
        families screened on the data unless ``candidates`` are given. The continuum is clipped
        on the counts less ``lines`` ((fitted channels,) counts per channel: a fit's lines,
        :meth:`lines_of`) when given: SNIP leaves part of every line in the continuum it
        clips (a line of 1.5 FWHM clipping width keeps a few % of its counts under it), which
        a fit on that continuum takes from the line."""
        continuum = snip_continuum(self.counts, self.energies, resolution_mn_ka_ev=resolution)
        free = self.counts
        if lines is not None:
            taken = np.zeros_like(self.counts)
            taken[self.in_range] = lines
            free = np.clip(self.counts - taken, 0, None)
            rising = self._rising(continuum, resolution) | self._rising(
                snip_continuum(free, self.energies, resolution_mn_ka_ev=resolution), resolution
            )
            free = np.where(rising, self.counts, free)
            continuum = snip_continuum(free, self.energies, resolution_mn_ka_ev=resolution)
        narrow = snip_continuum(
            free, self.energies, resolution_mn_ka_ev=resolution, clip_fwhm=NARROW_CLIP_FWHM
        )
        if candidates is None:
            candidates = screen(
                self.counts, self.energies, continuum, self.searched, resolution, self.elements
            )
        energies = self.energies[self.in_range]
        profiles = [
            line_profiles(f, energies, resolution_mn_ka_ev=resolution, below_ev=self.beam)
            for f in candidates
        ]
        escapes = [
            escape_profiles(f, energies, resolution_mn_ka_ev=resolution, below_ev=self.beam)
            for f in candidates
        ]
        owners = np.concatenate(
            [np.zeros(0, int)] + [np.full(len(f.lines), i) for i, f in enumerate(candidates)]
        )
        names = sorted({f.element for f in candidates})
        elements = [names.index(f.element) for f in candidates]
        problem = make_problem(
            self.counts[self.in_range],
            energies,
            continuum[self.in_range],
            np.concatenate(profiles, axis=1) if profiles else np.zeros((energies.size, 0)),
            owners.astype(int) if profiles else np.zeros(0, int),
            elements,
            np.abs(narrow - continuum)[self.in_range],
            np.concatenate(escapes, axis=1) if escapes else np.zeros((energies.size, 0)),
            roll_off_error(continuum, self.energies, resolution_mn_ka_ev=resolution)[self.in_range],
            shells=[SHELLS[f.shell] for f in candidates],
        )
        return problem, candidates

    def _rising(self, continuum: np.ndarray, resolution: float) -> np.ndarray:
        """Whether each channel lies on the rising side of the detector's roll-off of
        ``continuum`` (:func:`~.continuum.roll_off_error`)."""
        return roll_off_error(continuum, self.energies, resolution_mn_ka_ev=resolution) > 0

    @staticmethod
    def lines_of(model: FamilyFit, counts: np.ndarray) -> np.ndarray:
        """The lines of ``model`` (with their escape and pile-up peaks) over the fitted
        channels, counts per channel, at most the ``counts`` less the model's continuum plus
        :data:`NOISE_SIGMAS` Poisson σ of the model: where the model stands above the data by
        more than the noise (a line profile narrower than the data's peak: the profile error δ),
        the excess is the profile's error, not a hole in the continuum, and the continuum
        clipped on the counts less the lines must not follow it down (the real map at −20°: 25
        counts per channel under Cu Kα on a continuum of ~200, Cu Kα +13 %, a Lu Lα of 2 632
        counts on its shoulder)."""
        lines = model.fitted - model.continuum
        noise = NOISE_SIGMAS * np.sqrt(np.clip(model.fitted, 1.0, None))
        return np.minimum(lines, counts - model.continuum + noise)

    def whole(self, values: np.ndarray, resolution: float) -> np.ndarray:
        """``values`` over the fitted channels put back on the whole spectrum (the SNIP
        continuum elsewhere)."""
        out = snip_continuum(self.counts, self.energies, resolution_mn_ka_ev=resolution)
        out[self.in_range] = values
        return out
