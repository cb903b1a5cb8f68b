"""exspy's X-ray tables read once and cached as plain data (analysis.eds.database): the same
numbers as exspy's, and a later process identifies lines without importing exspy or HyperSpy."""

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from insitu_tem.analysis.eds import database

ROOT = Path(__file__).resolve().parents[3]
IDENTIFY = """
import sys
import numpy as np
from insitu_tem.analysis.eds.identify import identify_lines
energies = 10.0 * np.arange(1024)
rng = np.random.default_rng(0)
peaks = ((6404, 5000, 60), (7058, 650, 63))
expected = 20 + sum(a * np.exp(-0.5 * ((energies - e) / s) ** 2) for e, a, s in peaks)
found = identify_lines(rng.poisson(expected).astype(float), energies, beam_energy_kv=200)
print([f.element for f in found.with_status("present")], "exspy" in sys.modules,
      "hyperspy" in sys.modules)
"""


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A fresh, empty cache folder for this test (the tables read again from it)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    database._tables.cache_clear()
    yield tmp_path
    database._tables.cache_clear()


def test_tables_are_exspys_bit_for_bit(cache):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from exspy.material import elements, mass_absorption_coefficient
    lines = database.xray_lines()
    assert database.cache_file().parent.parent == cache
    assert database.cache_file().is_file()
    exspys = {e: v for e, v in elements.as_dictionary().items() if isinstance(v, dict)}
    assert list(lines) == list(exspys)
    for element, entry in exspys.items():
        theirs = entry["Atomic_properties"].get("Xray_lines", {})
        assert list(lines[element]) == list(theirs)
        for name, line in theirs.items():
            assert lines[element][name] == (line["energy (keV)"], line["weight"])
    for energy_ev in (1835.0, 1850.0, 1739.7, 1000.0 * lines["Fe"]["Ka"][0], 7000.0):
        exact = float(mass_absorption_coefficient("Si", energy_ev / 1000))
        assert database.silicon_mass_absorption(energy_ev) == exact


def test_a_later_process_does_not_import_exspy(cache):
    database.xray_lines()
    stored = json.loads(database.cache_file().read_text())
    assert stored["exspy"] and len(stored["lines"]) > 90
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "XDG_CACHE_HOME": str(cache)}
    out = subprocess.run(
        [sys.executable, "-c", IDENTIFY], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["['Fe']", "False", "False"]


def test_an_unwritable_cache_folder_keeps_the_tables_in_memory(tmp_path, monkeypatch):
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    database._tables.cache_clear()
    try:
        assert np.isclose(database.xray_lines()["Cu"]["Ka"][0], 8.0478, atol=1e-3)
    finally:
        database._tables.cache_clear()
    assert list(tmp_path.iterdir()) == [blocker]


@pytest.mark.parametrize("damaged", ['{"lines": 5}', '{"silicon": []}', "[1, 2]", "{not json"])
def test_a_damaged_cache_file_is_written_again(cache, damaged):
    database.cache_file().parent.mkdir(parents=True)
    database.cache_file().write_text(damaged)
    assert np.isclose(database.xray_lines()["Cu"]["Ka"][0], 8.0478, atol=1e-3)
    assert len(json.loads(database.cache_file().read_text())["lines"]) > 90
