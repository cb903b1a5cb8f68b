"""exspy's X-ray line database and silicon's X-ray absorption, read once per exspy version.

The identification needs two tables of exspy [1]_: every element's X-ray lines (energy in keV
and weight relative to its family's main line, ``exspy.material.elements``) and silicon's mass
absorption coefficient (Chantler's FFAST tables [2]_, ``exspy.material.
mass_absorption_coefficient``) at those lines, for the escape peaks. Importing exspy brings
HyperSpy's signals, models, sympy and matplotlib with it (about 6 s of a 12 s
``insitu-tem eds --identify``), so the first use under an exspy version reads both tables
through exspy and writes them as plain JSON to the user's cache folder
(``$XDG_CACHE_HOME/insitu-tem`` or ``~/.cache/insitu-tem``, one file per exspy version); every
later process reads that file (a few milliseconds). Nothing is copied by hand: the file is what
the installed exspy returns, numbers bit for bit (JSON floats round-trip exactly). When the
folder cannot be written the tables are kept in memory for the process only.

References
----------
.. [1] exspy, https://github.com/hyperspy/exspy (``exspy._misc.elements``).
.. [2] C. T. Chantler et al., X-Ray Form Factor, Attenuation and Scattering Tables (version
   2.1), NIST (2005), https://dx.doi.org/10.18434/T4HS32.
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

SILICON_EDGE_EV = (1739.7, 1835.0, 1850.0)
"""Energies (eV) besides the lines at which silicon's absorption is kept: its Kα and either side
of its K edge (:mod:`.dependents`)."""
FORMAT = 1


def xray_lines() -> dict[str, dict[str, tuple[float, float]]]:
    """Every element of exspy's database (in its order) → its X-ray lines (in its order) →
    (energy, keV; weight relative to the family's main line)."""
    return _tables()["lines"]


def silicon_mass_absorption(energy_ev: float) -> float:
    """Silicon's mass absorption coefficient at ``energy_ev`` (eV), cm²/g, as exspy's
    ``mass_absorption_coefficient("Si", energy_ev / 1000)`` gives it (kept for every line of
    the database and :data:`SILICON_EDGE_EV`; any other energy asks exspy)."""
    kept = _tables()["silicon"].get(float(energy_ev))
    if kept is not None:
        return kept
    return _silicon_through_exspy([float(energy_ev)])[0]


def cache_file() -> Path:
    """The JSON file holding the tables of the installed exspy version."""
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "insitu-tem" / f"exspy-{version('exspy')}-xray-v{FORMAT}.json"


@lru_cache(maxsize=1)
def _tables() -> dict:
    """The tables (module docstring): from the cache file, or through exspy (and written)."""
    path = cache_file()
    try:
        return _parsed(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError):
        return _parsed(_write(path, _through_exspy()))


def _parsed(stored: dict) -> dict:
    """The tables of a stored (JSON) form; TypeError, KeyError or ValueError when it is not
    one (a damaged cache file is then written again)."""
    lines = {
        element: {name: (float(energy), float(weight)) for name, energy, weight in rows}
        for element, rows in stored["lines"]
    }
    return {"lines": lines, "silicon": {float(e): float(m) for e, m in stored["silicon"]}}


def _through_exspy() -> dict:
    """The tables read through exspy, as plain JSON-able lists (order kept)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from exspy.material import elements

    lines = []
    for element, entry in elements.as_dictionary().items():
        if not isinstance(entry, dict):
            continue
        found = entry.get("Atomic_properties", {}).get("Xray_lines", {})
        lines.append(
            [
                element,
                [[n, float(v["energy (keV)"]), float(v["weight"])] for n, v in found.items()],
            ]
        )
    energies = sorted(
        {1000.0 * e for _, rows in lines for _, e, _ in rows if 1000.0 * e > SILICON_EDGE_EV[1]}
        | set(SILICON_EDGE_EV)
    )
    silicon = _silicon_through_exspy(energies)
    return {"exspy": version("exspy"), "lines": lines, "silicon": list(zip(energies, silicon))}


def _silicon_through_exspy(energies_ev: list[float]) -> list[float]:
    """Silicon's mass absorption coefficients at ``energies_ev`` (eV) from exspy, cm²/g."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from exspy.material import mass_absorption_coefficient

    values = mass_absorption_coefficient("Si", [e / 1000 for e in energies_ev])
    return [float(v) for v in values]


def _write(path: Path, tables: dict) -> dict:
    """Write ``tables`` to ``path`` atomically (a reader never sees half a file); keep them in
    memory only when the folder cannot be written."""
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False
        ) as handle:
            temporary = Path(handle.name)
            json.dump(tables, handle)
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
    return tables
