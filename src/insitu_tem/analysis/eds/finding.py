"""One element's finding in an EDS spectrum (:class:`ElementFinding`, :mod:`.decide`'s
output), and which of an element's findings is reported: its best status, then the K family
before the L before the M, then the more significant."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from insitu_tem.analysis.eds.families import Family

SHELLS = {"K": 0, "L": 1, "M": 2}
ORDER = {"present": 0, "ambiguous": 1, "not detected": 2}


@dataclass(frozen=True)
class ElementFinding:
    """What the spectrum says of one element.

    Attributes
    ----------
    element : str
    status : str
        ``"present"``, ``"ambiguous"`` or ``"not detected"``.
    lines : tuple of str
        The lines of the family used, main line first (``("Fe_Ka", "Fe_Kb")``).
    net_counts, sigma : float
        Net counts of the main line and their 1σ, counts.
    significance : float
        ``net_counts / sigma``.
    alternatives : tuple of str
        Lines of other elements within 1 FWHM of the main line (``("Mo Lα", "Pb Mα")``).
    note : str
        Why ambiguous or not detected, in words.
    """

    element: str
    status: str
    lines: tuple[str, ...]
    net_counts: float
    sigma: float
    significance: float
    alternatives: tuple[str, ...] = ()
    note: str = ""

    @property
    def line_energy_ev(self) -> float:
        """Energy of the main line, eV."""
        from insitu_tem.analysis.eds.lines import line_energy_ev

        element, _, family = self.lines[0].partition("_")
        return line_energy_ev(element, family)


def make_finding(
    family: Family, status: str, counts, sigma, alternatives=(), note=""
) -> ElementFinding:
    """``family``'s finding: its element, ``status``, net ``counts`` ± ``sigma`` (counts),
    their significance (0 when ``sigma`` is not a positive number), ``alternatives`` and
    ``note``."""
    sigma = float(sigma)
    significance = float(counts) / sigma if np.isfinite(sigma) and sigma > 0 else 0.0
    return ElementFinding(
        family.element,
        status,
        family.lines,
        float(counts),
        sigma,
        significance,
        tuple(alternatives),
        note,
    )


def keep(best: dict, finding: ElementFinding) -> None:
    """Keep ``finding`` as its element's when it is the first, or of a better status, or of the
    same status and a higher family (K before L before M: the family least absorbed, least
    overlapped and farthest from the detector's roll-off gives the element's counts), or of
    the same family and more significant."""
    previous = best.get(finding.element)
    if previous is None or _rank(finding) < _rank(previous):
        best[finding.element] = finding


def _rank(finding: ElementFinding) -> tuple:
    shell = SHELLS[finding.lines[0].partition("_")[2][0]] if finding.lines else len(SHELLS)
    return ORDER[finding.status], shell, -finding.significance


def reported_order(finding: ElementFinding) -> tuple[int, float]:
    """Sort key of the reported findings: present, then ambiguous, then not detected, each by
    its main line's energy (eV)."""
    return ORDER[finding.status], finding.line_energy_ev if finding.lines else np.inf
