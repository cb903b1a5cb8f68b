"""A crystal that fills the field: the fraction's 1σ, which no redraw moves, and the domain size,
which is only a lower bound, are null with their reasons — never a number ± 0."""

from __future__ import annotations

import json

import numpy as np

from insitu_tem.cli.main import main


def test_a_crystal_filling_the_field_has_no_size_and_no_fraction_sigma(tmp_path, capsys):
    rows, cols = np.mgrid[0:160, 0:160]
    fringes = 100 + 50 * np.cos(2 * np.pi * (rows / 5.0 + cols / 7.0))
    noisy = np.random.default_rng(0).poisson(fringes).astype(np.float32)
    path = tmp_path / "crystal.npy"
    np.save(path, noisy)
    code = main(["crystallinity", str(path), "--scale", "0.05", "--units", "nm", "--json"])
    document = json.loads(capsys.readouterr().out)
    assert code == 0 and document["crystalline_fraction"] == 1.0
    assert document["sigma_crystalline_fraction"] is None
    assert "not measured" in document["sigma_crystalline_fraction_reason"]
    assert document["domain_size_nm"] is None and document["domain_size_sigma_nm"] is None
    assert not document["domain_size_ok"] and "equivalent-circle" in document["domain_size_reason"]
