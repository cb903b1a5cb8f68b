"""Defocus and Cs read from the files' original metadata (for the lattice delocalisation)."""

from __future__ import annotations

import numpy as np
import pytest

from insitu_tem.io.load import load
from insitu_tem.io.readers.rsciio_reader import aberrations

DM_CS = {"ImageList": {"TagGroup0": {"ImageTags": {"Microscope Info": {"Cs(mm)": 1.2}}}}}


def test_digitalmicrograph_gives_cs_and_velox_the_defocus_positive_underfocus():
    assert aberrations(DM_CS) == {"cs_mm": 1.2}
    assert aberrations({"Optics": {"Defocus": "-6.0e-08"}}) == {"defocus_nm": pytest.approx(60.0)}


def test_tia_gives_the_defocus_in_micrometres():
    tia = {"ObjectInfo": {"ExperimentalDescription": {"Defocus_um": -0.045}}}
    assert aberrations(tia) == {"defocus_nm": pytest.approx(45.0)}


def test_missing_or_unreadable_values_are_left_out():
    assert aberrations({}) == {}
    assert aberrations({"Optics": {"Defocus": "n/a"}, "ImageList": {"TagGroup0": {}}}) == {}


def test_a_loaded_file_carries_them_in_its_metadata(tmp_path):
    import hyperspy.api as hs

    signal = hs.signals.Signal2D(np.ones((16, 16), np.float32))
    signal.original_metadata.add_dictionary({**DM_CS, "Optics": {"Defocus": "-6.0e-08"}})
    signal.save(tmp_path / "image.hspy")
    metadata = load(tmp_path / "image.hspy").metadata
    assert metadata["cs_mm"] == pytest.approx(1.2)
    assert metadata["defocus_nm"] == pytest.approx(60.0)
