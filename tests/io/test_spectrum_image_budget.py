"""An EDS spectrum image goes through the memory plan before it is decoded: beyond the memory
budget a HyperSpy file is read lazily (the same maps), and a Bruker or Velox one — which cannot
be read in pieces — is refused in one line with the sizes, never read until the system kills
the process."""

import json
import zipfile

import numpy as np
import pytest

from insitu_tem.cli.main import main
from insitu_tem.core.model import DataError
from insitu_tem.io.readers import budget
from insitu_tem.io.readers.spectrum_image import read_spectrum_image

BRUKER_CUBE_BYTES = 256 * 256 * 2048  # edstomo_idp/0.bcf: 256 × 256 px, 2048 uint8 channels


def fe_map(path):
    """A 6 × 5 EDS spectrum image (0–10.24 keV) with Fe Kα on a flat continuum, as .hspy stored
    in chunks of one row (a sixth of it)."""
    from rsciio.hspy import file_writer

    energies = np.arange(1024) * 0.01
    spectrum = 5.0 + 400.0 * np.exp(-0.5 * ((energies - 6.404) / 0.055) ** 2)
    counts = np.random.default_rng(2).poisson(np.broadcast_to(spectrum, (6, 5, 1024)))
    axes = [
        {"name": n, "size": size, "scale": s, "offset": 0.0, "units": u, "navigate": on}
        for n, size, s, u, on in (
            ("y", 6, 1.0, "nm", True),
            ("x", 5, 1.0, "nm", True),
            ("E", 1024, 0.01, "keV", False),
        )
    ]
    signal = {
        "data": counts.astype(np.uint16),
        "axes": axes,
        "metadata": {"General": {"title": "si"}, "Signal": {"signal_type": "EDS_TEM"}},
        "original_metadata": {},
        "tmp_parameters": {},
        "attributes": {"_lazy": False},
        "learning_results": {},
        "models": {},
        "package_info": {},
    }
    file_writer(str(path), signal, chunks=(1, 5, 1024))
    return path, counts


def test_a_hyperspy_cube_beyond_the_budget_is_read_lazily_with_the_same_counts(
    tmp_path, monkeypatch
):
    path, counts = fe_map(tmp_path / "si.hspy")
    assert isinstance(read_spectrum_image(path).cube, np.ndarray)
    monkeypatch.setattr(budget, "memory_budget", lambda: counts.size * 2 - 1)
    image = read_spectrum_image(path)
    assert hasattr(image.cube, "dask") and image.cube.shape == (6, 5, 1024)
    np.testing.assert_array_equal(np.asarray(image.cube), counts)


def test_eds_maps_a_lazily_read_cube_as_it_maps_one_in_memory(tmp_path, monkeypatch, capsys):
    path, counts = fe_map(tmp_path / "si.hspy")
    argv = ["eds", str(path), "--elements", "Fe", "--json", "--quiet"]
    assert main(argv) == 0
    in_memory = json.loads(capsys.readouterr().out)
    monkeypatch.setattr(budget, "memory_budget", lambda: counts.size * 2 - 1)
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out) == in_memory
    assert np.sum(in_memory["maps"]["Fe_Ka"]) > 0


def test_a_bruker_cube_beyond_the_budget_is_refused_in_one_line(realdata, monkeypatch, capsys):
    path = realdata("edstomo_idp/0.bcf")
    assert budget.decoded_size(path).total == BRUKER_CUBE_BYTES
    monkeypatch.setattr(budget, "memory_budget", lambda: 100 * 10**6)
    with pytest.raises(DataError, match="decodes to 134.2 MB, more than the 100.0 MB memory"):
        read_spectrum_image(path)
    assert main(["eds", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("insitu-tem: error: ") and "0.bcf: its spectrum image decodes to" in err
    assert len(err.strip().splitlines()) == 1


def test_a_velox_cube_beyond_the_budget_is_refused_before_it_is_decoded(
    tmp_path, monkeypatch, realdata
):
    with zipfile.ZipFile(realdata("velox_EELS_EDS.zip")) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".emd"))
        archive.extract(name, tmp_path)
    from rsciio import emd

    monkeypatch.setattr(emd, "file_reader", lambda *args, **kwargs: pytest.fail("decoded"))
    monkeypatch.setattr(budget, "memory_budget", lambda: 100 * 10**6)
    with pytest.raises(DataError, match="decodes to 134.2 MB, more than the 100.0 MB"):
        read_spectrum_image(tmp_path / name)
