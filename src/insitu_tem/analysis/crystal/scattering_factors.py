"""Electron scattering factors f_e(q) of neutral atoms (first Born approximation).

Two published parameterisations, kept in the package data file
``resources/scattering_factors/electron.json``, for the elements insitu-tem needs
(H, Li, C, O, F, Na, Al, Si, P, Ca, Ti, V, Cu, Sr, Nb, W, Bi):

* **Lobato & Van Dyck (2014)** — I. Lobato and D. Van Dyck, "An accurate
  parameterization for scattering factors, electron densities and electrostatic
  potentials for neutral atoms that obey all physical constraints",
  Acta Cryst. A70, 636-649 (2014), doi:10.1107/S205327331401643X, Table 1:

      f(q) = Σᵢ₌₁⁵ aᵢ (2 + bᵢ q²) / (1 + bᵢ q²)²

* **Kirkland (2010)** — E. J. Kirkland, *Advanced Computing in Electron
  Microscopy*, 2nd ed., Springer (2010), Appendix C, Table C.4 (fit to
  Dirac-Fock densities):

      f(q) = Σᵢ₌₁³ aᵢ / (q² + bᵢ) + Σᵢ₌₁³ cᵢ exp(-dᵢ q²)

Both use q = 1/d = 2 sin(θ/2)/λ in 1/Å (θ the full scattering angle) and give
the non-relativistic f_e in Å; multiply by the Lorentz factor γ
(:func:`insitu_tem.analysis.crystal.crystallography.relativistic_factor`) for the
amplitude seen by fast electrons. The two tables agree to ~1-3 % below
q = 2 /Å, which the tests use to catch transcription errors; Lobato's is the
default (correct q→∞ Mott-Bethe limit, lower fitting error).
"""

from __future__ import annotations

import json
from importlib import resources

import numpy as np


def _load_tables() -> tuple[dict, dict, dict]:
    """(atomic numbers, Lobato (a, b) and Kirkland (a, b, c, d) coefficient tuples per element)
    from the package data file ``resources/scattering_factors/electron.json``."""
    text = (
        resources.files("insitu_tem") / "resources" / "scattering_factors" / "electron.json"
    ).read_text(encoding="utf-8")
    tables = json.loads(text)

    def coefficients(name: str, columns: str) -> dict:
        return {
            element: tuple(tuple(values[column]) for column in columns)
            for element, values in tables[name]["elements"].items()
        }

    return tables["atomic_number"], coefficients("lobato", "ab"), coefficients("kirkland", "abcd")


ATOMIC_NUMBER, LOBATO, KIRKLAND = _load_tables()
ELEMENTS = tuple(ATOMIC_NUMBER)
TABLES = ("lobato", "kirkland")


def normalise_element(symbol: str) -> str:
    """Element symbol with standard capitalisation, checked against :data:`ELEMENTS`.

    Ionic labels such as ``"O2-"`` or ``"W6+"`` map to the neutral atom.
    """
    letters = "".join(ch for ch in str(symbol).strip() if ch.isalpha())
    name = letters[:1].upper() + letters[1:].lower()
    if name not in ATOMIC_NUMBER:
        raise ValueError(
            f"no electron scattering factor for element {symbol!r}; "
            f"available: {', '.join(ELEMENTS)} "
            "(add it to resources/scattering_factors/electron.json)"
        )
    return name


def electron_scattering_factor(element: str, q_per_A, *, table: str = "lobato") -> np.ndarray:
    """Electron scattering amplitude f_e(q) of a neutral atom.

    Parameters
    ----------
    element : str
        Element symbol, e.g. ``"W"`` (ionic labels map to the neutral atom).
    q_per_A : array_like
        Scattering vector length q = 1/d = 2 sin(θ/2)/λ in 1/Å (no 2π), >= 0.
    table : {"lobato", "kirkland"}
        Parameterisation (see the module docstring for the references).

    Returns
    -------
    numpy.ndarray
        Non-relativistic f_e in Å, same shape as ``q_per_A``.
    """
    name = normalise_element(element)
    q2 = np.square(np.asarray(q_per_A, dtype=float))
    if table == "lobato":
        a, b = (np.asarray(v)[:, None] for v in LOBATO[name])
        bq2 = b * q2.ravel()[None, :]
        values = np.sum(a * (2.0 + bq2) / (1.0 + bq2) ** 2, axis=0)
    elif table == "kirkland":
        a, b, c, d = (np.asarray(v)[:, None] for v in KIRKLAND[name])
        flat = q2.ravel()[None, :]
        values = np.sum(a / (flat + b) + c * np.exp(-d * flat), axis=0)
    else:
        raise ValueError(f"unknown scattering-factor table {table!r}; use one of {TABLES}")
    return values.reshape(q2.shape)
