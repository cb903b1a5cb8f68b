"""A step near an edge is attributed to it only where no overlapping element is present."""

import numpy as np

from insitu_tem.analysis.eels.attribution import overlapping_edges, unattributable
from insitu_tem.core.model import Axis

ENERGY = Axis("E", 1600, 0.05, 20.0, "eV")


def _step(e, onset):
    return 0.5 * (1.0 + np.tanh((e - onset) / 0.4)) * (e / onset) ** -3.0


def spectra(*, tungsten: bool, seed=0):
    e = ENERGY.coordinates()
    mean = 4e6 * e**-3.0 + 800.0 * _step(e, 74.0)
    if tungsten:
        mean = mean + 3000.0 * _step(e, 36.8) + 1500.0 * _step(e, 45.3)
    return np.random.default_rng(seed).poisson(np.tile(mean, (3, 1))).astype(float)


def test_only_other_elements_overlap():
    assert [e.name for e in overlapping_edges("Cu-M23", 4.0)] == ["W-O1"]
    assert [e.name for e in overlapping_edges("W-O1", 4.0)] == ["Cu-M23"]
    assert all(not overlapping_edges(n, 4.0) for n in ("C-K", "O-K", "Ti-L23", "Fe-L23"))
    lithium = [e.name for e in overlapping_edges("Li-K", 4.0)]
    assert lithium == ["Mn-M23", "Fe-M23", "Co-M23"]
    assert [e.name for e in overlapping_edges("W-O23", 4.0)] == ["Ti-M23"]


def test_step_is_withdrawn_only_where_the_overlapping_element_is_present():
    mask, reason = unattributable(spectra(tungsten=False), ENERGY, "Cu-M23")
    assert not mask.any() and reason == ""
    mask, reason = unattributable(spectra(tungsten=True), ENERGY, "Cu-M23")
    assert mask.all() and "W-O1" in reason
