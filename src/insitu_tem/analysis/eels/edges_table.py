"""Table of the EELS edges insitu-tem marks and analyses, with lookup by name.

Energies are onsets in eV (Ahn & Krivanek, EELS Atlas; Egerton 2011,
Appendix D) as listed in DOMAIN.md and in exspy's elements database [1]_, which
they match (Cu M2 77 eV is the Atlas's; exspy gives M2,3 74 eV; W's N and O edges are
not in exspy's table). An edge has a name such as ``"W-O23"`` or ``"Li-K"`` and one or
more named lines (``O3`` 36.8 eV, ``O2`` 45.3 eV) drawn as markers on the spectrum.

References
----------
.. [1] exspy, ``exspy._misc.elements.elements_db``, ``Atomic_properties.Binding_energies``
   (onset_energy (eV)), https://github.com/hyperspy/exspy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Edge:
    """One ionisation edge (or a group of close sub-shells).

    Attributes
    ----------
    name : str
        Canonical name, element-shell (``"Si-L23"``).
    element : str
        Chemical symbol.
    onset_eV : float
        Onset of the first (lowest) line, eV.
    lines : tuple of (str, float)
        Sub-shell labels and their onsets, eV.
    major : bool
        False for weak edges that need not be kept out of background windows.
    """

    name: str
    element: str
    onset_eV: float
    lines: tuple[tuple[str, float], ...]
    major: bool = True


def _edge(name: str, lines: dict[str, float], *, major: bool = True) -> Edge:
    element = name.split("-")[0]
    pairs = tuple(sorted(lines.items(), key=lambda item: item[1]))
    return Edge(name, element, pairs[0][1], pairs, major)


EDGES: dict[str, Edge] = {
    e.name: e
    for e in (
        _edge("W-N67", {"N7": 31.4, "N6": 33.6}, major=False),
        _edge("Ti-M23", {"M23": 35.0}, major=False),
        _edge("W-O23", {"O3": 36.8, "O2": 45.3}),
        _edge("Cr-M23", {"M23": 43.0}, major=False),
        _edge("Mn-M23", {"M23": 51.0}, major=False),
        _edge("Li-K", {"K": 55.0}),
        _edge("Fe-M23", {"M23": 57.0}, major=False),
        _edge("Co-M23", {"M23": 59.0}, major=False),
        _edge("Ni-M23", {"M23": 68.0}, major=False),
        _edge("Cu-M23", {"M3": 74.0, "M2": 77.0}),
        _edge("W-O1", {"O1": 75.6}, major=False),
        _edge("Si-L23", {"L3": 99.2, "L2": 99.8}),
        _edge("P-L23", {"L23": 132.0}),
        _edge("S-L23", {"L23": 165.0}),
        _edge("B-K", {"K": 188.0}),
        _edge("Cl-L23", {"L23": 200.0}),
        _edge("C-K", {"K": 284.0}),
        _edge("N-K", {"K": 401.0}),
        _edge("Ti-L23", {"L3": 456.0, "L2": 462.0}),
        _edge("O-K", {"K": 532.0}),
        _edge("Cr-L23", {"L3": 575.0, "L2": 584.0}),
        _edge("Mn-L23", {"L3": 640.0, "L2": 651.0}),
        _edge("F-K", {"K": 685.0}),
        _edge("Fe-L23", {"L3": 708.0, "L2": 721.0}),
        _edge("Co-L23", {"L3": 779.0, "L2": 794.0}),
        _edge("Ni-L23", {"L3": 855.0, "L2": 872.0}),
        _edge("Cu-L23", {"L3": 931.0, "L2": 951.0}),
        _edge("W-M45", {"M5": 1809.0, "M4": 1872.0}),
    )
}
"""The edges by onset. The 3d metals' M2,3 edges (35–68 eV, under and about Li K) are broad,
delayed and weak beside their L2,3: marked and analysable, but not kept out of background
windows (``major`` False) — Li K's window would otherwise have no room."""


def _key(text: str) -> str:
    return re.sub(r"[\s,_\-]+", "", text).lower()


_BY_KEY = {_key(name): edge for name, edge in EDGES.items()}


def find_edge(name: str) -> Edge:
    """Look an edge up by name, ignoring case, spaces, dashes and commas.

    ``"Li K"``, ``"li-k"``, ``"W O2,3"`` and ``"W-O23"`` all work.

    Raises
    ------
    ValueError
        When the name is not in the table; the message lists the known names.
    """
    edge = _BY_KEY.get(_key(name))
    if edge is None:
        raise ValueError(f"unknown edge {name!r}; use one of {', '.join(EDGES)}")
    return edge


def edges_in_range(low_eV: float, high_eV: float) -> list[Edge]:
    """Edges with at least one line inside [low_eV, high_eV], by onset."""
    return [e for e in EDGES.values() if any(low_eV <= energy <= high_eV for _, energy in e.lines)]


def candidate_edges(coordinates_eV) -> list[str]:
    """Major edges whose onset lies at least 5 eV inside a spectrum with these energies (eV), by
    onset."""
    low, high = float(coordinates_eV[0]) + 5.0, float(coordinates_eV[-1]) - 5.0
    return [e.name for e in edges_in_range(low, high) if e.major and low < e.onset_eV < high]
