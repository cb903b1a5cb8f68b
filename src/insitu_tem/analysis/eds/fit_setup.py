"""What every fit of one spectrum's identification shares (:mod:`.identify`): its counts and
energy axis (corrected by a :class:`~insitu_tem.analysis.eds.calibration.Calibration`), the
fitted channels and the families searched; the fit :class:`~insitu_tem.analysis.eds.fit.Problem`
built from them at a given detector resolution."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from insitu_tem.analysis.eds.calibration import Calibration
from insitu_tem.analysis.eds.continuum import (
    NARROW_CLIP_FWHM,
    line_free_error,
    roll_off_error,
    snip_continuum,
)
from insitu_tem.analysis.eds.dependents import escape_profiles
from insitu_tem.analysis.eds.families import SHELLS, Family, line_profiles
from insitu_tem.analysis.eds.fit import FamilyFit, Problem, make_problem
from insitu_tem.analysis.eds.resolution import Resolution
from insitu_tem.analysis.eds.selection import screen


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
        self, resolution: float, *, candidates: tuple[Family, ...] | None = None
    ) -> tuple[Problem, tuple[Family, ...]]:
        """The fit problem and its candidate families at ``resolution`` (eV at Mn Kα); the
        families screened on the data unless ``candidates`` are given."""
        continuum = snip_continuum(self.counts, self.energies, resolution_mn_ka_ev=resolution)
        narrow = snip_continuum(
            self.counts, self.energies, resolution_mn_ka_ev=resolution, clip_fwhm=NARROW_CLIP_FWHM
        )
        if candidates is None:
            candidates = screen(
                self.counts, self.energies, continuum, self.searched, resolution, self.elements
            )
        energies = self.energies[self.in_range]
        lines = [
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
            np.concatenate(lines, axis=1) if lines else np.zeros((energies.size, 0)),
            owners.astype(int) if lines else np.zeros(0, int),
            elements,
            np.abs(narrow - continuum)[self.in_range],
            np.concatenate(escapes, axis=1) if escapes else np.zeros((energies.size, 0)),
            roll_off_error(continuum, self.energies, resolution_mn_ka_ev=resolution)[self.in_range],
            shells=[SHELLS[f.shell] for f in candidates],
        )
        return problem, candidates

    def line_free_error(self, model: FamilyFit, resolution: Resolution) -> np.ndarray:
        """The continuum's local error over the fitted channels, measured on the counts less
        ``model``'s lines (:func:`~.continuum.line_free_error`)."""
        lines = np.zeros_like(self.counts)
        lines[self.in_range] = model.fitted - model.continuum
        error = line_free_error(
            self.counts, lines, self.energies, resolution_mn_ka_ev=resolution.fwhm_mn_ka_ev
        )
        return error[self.in_range]

    def whole(self, values: np.ndarray, resolution: float) -> np.ndarray:
        """``values`` over the fitted channels put back on the whole spectrum (the SNIP
        continuum elsewhere)."""
        out = snip_continuum(self.counts, self.energies, resolution_mn_ka_ev=resolution)
        out[self.in_range] = values
        return out
