"""The edge table holds the edges a battery microscopist meets and agrees with exspy's elements
database wherever that lists the line."""

import warnings

import pytest

from insitu_tem.analysis.eels.edges_table import EDGES, find_edge

BATTERY = (
    "Li-K",
    "O-K",
    "F-K",
    "P-L23",
    "S-L23",
    "Cl-L23",
    "Mn-L23",
    "Fe-L23",
    "Co-L23",
    "Ni-L23",
    "Mn-M23",
    "Fe-M23",
    "Co-M23",
    "Ni-M23",
)
NOT_IN_EXSPY = {"W-N67", "W-O23", "W-O1"}
ATLAS_NOT_EXSPY = {("Cu", "M2"): 77.0}
"""Lines where the table keeps the EELS Atlas's value (exspy: Cu M2,3 74 eV)."""


@pytest.fixture(scope="module")
def binding_energies():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from exspy._misc.elements import elements_db

    table = elements_db.as_dictionary()
    return lambda element: table[element]["Atomic_properties"]["Binding_energies"]


def _exspy_keys(label: str) -> tuple[str, ...]:
    """exspy's sub-shell keys of a line of the table (M23 is its M2 and M3)."""
    return {"L23": ("L2,3",), "M23": ("M2", "M3")}.get(label, (label,))


def test_the_battery_edges_are_in_the_table_and_found_by_name():
    for name in BATTERY:
        assert find_edge(name.replace("-", " ")).name == name
    assert find_edge("fe l2,3").lines == (("L3", 708.0), ("L2", 721.0))
    assert not EDGES["Co-M23"].major and EDGES["Co-L23"].major


def test_every_line_exspy_lists_has_exspy_s_onset(binding_energies):
    checked = 0
    for edge in EDGES.values():
        if edge.name in NOT_IN_EXSPY:
            continue
        shells = binding_energies(edge.element)
        for label, energy in edge.lines:
            if (edge.element, label) in ATLAS_NOT_EXSPY:
                assert energy == ATLAS_NOT_EXSPY[edge.element, label]
                continue
            for key in _exspy_keys(label):
                assert energy == shells[key]["onset_energy (eV)"], (edge.name, label)
                checked += 1
    assert checked >= 30
