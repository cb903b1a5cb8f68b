"""Commands import only what they need: the hot commands stay clear of heavy modules at import
time."""

import json
import subprocess
import sys
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"

HEAVY = (
    "scipy.signal",
    "scipy.stats",
    "scipy.optimize",
    "skimage",
    "dask",
    "insitu_tem.analysis.eels.pipeline",
)


def test_drift_radial_and_eels_modules_load_no_heavy_library():
    code = (
        "import sys\nimport insitu_tem.cli.commands.drift, insitu_tem.cli.commands.radial, "
        "insitu_tem.cli.commands.eels\n"
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert found.stdout.strip() == ""


def _modules_after(command: list[str], names: tuple[str, ...]) -> dict:
    code = (
        "import json, sys\n"
        "from insitu_tem.cli.main import run_command\n"
        f"code = run_command({command!r})\n"
        f"print(json.dumps([code, [m for m in {names!r} if m in sys.modules]]))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(found.stdout.strip().splitlines()[-1])


def test_info_on_an_hdf5_file_imports_no_tiff_reader_dask_or_scipy():
    code, loaded = _modules_after(
        ["info", str(SAMPLES / "eels_linescan.hspy")], ("tifffile", "dask", "scipy")
    )
    assert code == 0 and loaded == []


def test_eels_without_an_edge_imports_neither_the_edge_pipeline_nor_scipy():
    code, loaded = _modules_after(
        ["eels", str(SAMPLES / "eels_linescan.hspy"), "--json", "--quiet"],
        ("insitu_tem.analysis.eels.pipeline", "scipy", "dask"),
    )
    assert code == 0 and loaded == []
