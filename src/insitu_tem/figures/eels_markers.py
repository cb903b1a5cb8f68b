"""Which tabled edges the EELS panel marks on a spectrum: those of the elements that matter to
the user, not every edge of the table in the energy range (a low-loss spectrum of Al would read
W N7, W N6 and W O3 at 31–37 eV). The elements are the chosen edge's, and the project's list
(the view key ``eels.elements``, which the user edits); until the user sets one, the elements
the file names (its ``Sample.elements``, as HyperSpy and DigitalMicrograph files keep them).
Qt-free, so that a figure can mark the same edges as the screen."""

from __future__ import annotations

import re

from insitu_tem.analysis.eels import EDGES, Edge, edges_in_range

SYMBOL = re.compile(r"[A-Z][a-z]?")
"""A chemical symbol."""
FORMULA = re.compile(r"(?:[A-Z][a-z]?[0-9.xyzδ]*)+")
"""A formula written with its capitals (WO3, LixWO3, Al2O3): its symbols are the elements."""


def parse_elements(text: str) -> list[str]:
    """Chemical symbols in ``text``, separated by commas, semicolons or spaces, each once, in
    order: a symbol in any case ("li" → "Li") or a formula with its capitals ("LixWO3" → Li, W,
    O).

    Raises
    ------
    ValueError
        When a word is neither, naming it.
    """
    symbols: list[str] = []
    for word in re.split(r"[\s,;]+", text.strip()):
        if not word:
            continue
        symbol = word[:1].upper() + word[1:].lower()
        if SYMBOL.fullmatch(symbol):
            found = [symbol]
        elif FORMULA.fullmatch(word):
            found = SYMBOL.findall(word)
        else:
            raise ValueError(f"{word!r} is not an element symbol; type symbols like W, O, Li")
        symbols += [s for s in found if s not in symbols]
    return symbols


def project_elements(chosen: list | None, metadata: dict) -> list[str]:
    """The elements whose edges are marked besides the chosen edge's: the project's list
    ``chosen`` (the view key ``eels.elements``; [] is a choice) or, while None, the elements
    the file's ``metadata`` names."""
    if chosen is not None:
        return [str(symbol) for symbol in chosen]
    return [str(symbol) for symbol in metadata.get("elements") or ()]


def marked_edges(low_eV: float, high_eV: float, *, edge: str | None, elements) -> list[Edge]:
    """The tabled edges with a line in [``low_eV``, ``high_eV``] (eV) whose element is the chosen
    ``edge``'s (a name of the edge table, or None) or one of ``elements`` (symbols), by onset."""
    wanted = set(elements) | ({EDGES[edge].element} if edge in EDGES else set())
    return [e for e in edges_in_range(low_eV, high_eV) if e.element in wanted]


def edge_lines(
    edges: list[Edge], chosen: str | None, within: tuple[float, float]
) -> list[tuple[float, str, bool]]:
    """(energy eV, name as "O K", whether it is a line of the ``chosen`` edge) of every line of
    ``edges`` within (low, high) eV, by energy: what the panel and an exported figure mark."""
    low, high = within
    return sorted(
        (energy, f"{edge.element} {label}", edge.name == chosen)
        for edge in edges
        for label, energy in edge.lines
        if low <= energy <= high
    )
