"""Choosing an EELS edge (the EELS panel does it when a spectrum opens, in the GUI process)
imports no scipy.signal, stats or interpolate (about 1-2 CPU s): the onset and deconvolution
analyses import them when they run."""

import subprocess
import sys

HEAVY = ("scipy.signal", "scipy.stats", "scipy.interpolate")

CODE = """
import sys
import insitu_tem.analysis.eels.edge_choice
import insitu_tem.workflows.eels
print(",".join(m for m in sys.argv[1:] if m in sys.modules))
"""


def test_the_edge_choice_imports_no_scipy_signal_stats_or_interpolate():
    found = subprocess.run(
        [sys.executable, "-c", CODE, *HEAVY], capture_output=True, text=True, timeout=120
    )
    assert found.returncode == 0, found.stderr[-2000:]
    assert found.stdout.strip() == ""
