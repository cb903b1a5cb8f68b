"""The EDS counting fit's problem: the spectrum, its variance, the line families' profiles and
the continuum's basis (:func:`make_problem`), as :mod:`.fit` solves it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.interpolate import BSpline

from insitu_tem.analysis.eds.lines import fwhm_ev

KNOT_FWHM = 5.0


@dataclass(frozen=True)
class Problem:
    """The counts and the model's columns over the fitted range.

    Attributes
    ----------
    counts, energies_ev, continuum : ndarray
        (fitted channels,) counts, channel centres (eV), SNIP continuum (counts per channel).
    splines : ndarray
        (fitted channels, k) continuum correction columns.
    profiles : ndarray
        (fitted channels, n) family profiles.
    lines : ndarray
        (fitted channels, m) every line of every family, ``profiles`` their sums.
    owners : ndarray
        (m,) int, the family (column) of each line.
    elements : ndarray
        (n,) int, an element number of each family (families of one element share it).
    continuum_error : ndarray
        (fitted channels,) local error of the continuum, counts per channel, taken as coherent
        over each family's lines.
    escapes : ndarray
        (fitted channels, m) the Si escape peak of each line of ``lines``
        (:mod:`.dependents`).
    roll_off : ndarray
        (fitted channels,) the continuum's error on the rising side of the detector's roll-off,
        counts per channel (:func:`~insitu_tem.analysis.eds.continuum.roll_off_error`).
    shells : ndarray
        (n,) int, each family's shell: 0 K, 1 L, 2 M.
    """

    counts: np.ndarray
    energies_ev: np.ndarray
    continuum: np.ndarray
    splines: np.ndarray
    profiles: np.ndarray
    lines: np.ndarray
    owners: np.ndarray
    elements: np.ndarray
    continuum_error: np.ndarray
    escapes: np.ndarray
    roll_off: np.ndarray
    shells: np.ndarray


def make_problem(
    counts,
    energies_ev,
    continuum,
    lines,
    owners,
    elements,
    continuum_error,
    escapes,
    roll_off,
    *,
    shells=None,
):
    """:class:`Problem` of the counts, the SNIP continuum and the lines of the families, all
    over the fitted channels (attributes of :class:`Problem`; every family a K family when
    ``shells`` is not given)."""
    energies = np.asarray(energies_ev, dtype=float)
    c = np.clip(np.asarray(continuum, dtype=float), 1e-3, None)
    inner = _knots(float(energies[0]), float(energies[-1]))
    knots = np.concatenate([[inner[0]] * 3, inner, [inner[-1]] * 3])
    splines = BSpline.design_matrix(energies, knots, 3).toarray() * c[:, None]
    lines = np.asarray(lines, float).reshape(energies.size, -1)
    owners = np.asarray(owners, int)
    profiles = np.zeros((energies.size, len(elements)))
    np.add.at(profiles.T, owners, lines.T)
    return Problem(
        np.asarray(counts, float),
        energies,
        c,
        splines,
        profiles,
        lines,
        owners,
        np.asarray(elements, int),
        np.asarray(continuum_error, float),
        np.asarray(escapes, float).reshape(lines.shape),
        np.asarray(roll_off, float),
        np.zeros(len(elements), int) if shells is None else np.asarray(shells, int),
    )


def _knots(low: float, high: float) -> np.ndarray:
    """Knots from ``low`` to ``high`` (eV), :data:`KNOT_FWHM` detector FWHM (130 eV at Mn Kα)
    apart: closer at low energies, where the detector's window bends the continuum."""
    knots = [low]
    while knots[-1] < high:
        knots.append(knots[-1] + KNOT_FWHM * fwhm_ev(knots[-1]))
    if len(knots) > 2:
        knots[-1] = high
        return np.array(knots)
    return np.array([low, high])
