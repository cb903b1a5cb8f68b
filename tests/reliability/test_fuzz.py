"""Bounded-time fuzzing of every reader (set INSITU_FUZZ_SECONDS for a longer run)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
REALDATA = HERE.parents[1].parent / "shared" / "realdata"
SAMPLES = HERE.parents[1] / "sample_data"
SMALL_REAL = [
    "EELS_STO.dm3",
    "16_STOimage.emi",
    "16_STOimage_1.ser",
    "Acquisition_18.emd",
    "FFTComplexEven.emd",
    "STO_lowloss.msa",
    "STO_coreloss.msa",
    "bismuth.dm3",
    "test1.blo",
    "soot_hrtem.tif",
    "powder_VO2.npy",
]


def fuzz_inputs() -> list[Path]:
    files = [REALDATA / name for name in SMALL_REAL if (REALDATA / name).exists()]
    files += sorted(
        p for p in SAMPLES.glob("*") if p.suffix in {".hspy", ".tif"} and p.stat().st_size < 3e6
    )
    return files


def test_mutated_files_load_or_fail_cleanly():
    files = fuzz_inputs()
    if not files:
        pytest.skip("no real or sample files to mutate")
    seconds = float(os.environ.get("INSITU_FUZZ_SECONDS", "8"))
    result = subprocess.run(
        [sys.executable, str(HERE / "fuzz_readers.py"), str(seconds), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=seconds + 300,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    assert "fuzzed" in result.stdout
