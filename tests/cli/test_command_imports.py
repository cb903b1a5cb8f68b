"""Commands import only what they need: the hot commands stay clear of heavy modules at import time."""

import subprocess
import sys

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
        "import sys\n"
        "import insitu_tem.cli.commands.drift, insitu_tem.cli.commands.radial, insitu_tem.cli.commands.eels\n"
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert found.stdout.strip() == ""
