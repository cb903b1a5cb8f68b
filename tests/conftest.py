"""Shared fixtures: the real-data folder beside the checkout, sample data, Qt offscreen."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
REALDATA = ROOT.parent / "shared" / "realdata"
SAMPLE_DATA = ROOT / "sample_data"


@pytest.fixture
def realdata():
    """Return a function giving the path of a real file, skipping when it is absent."""

    def path(name: str) -> Path:
        candidate = REALDATA / name
        if not candidate.exists():
            pytest.skip(f"real data {name} not found at {REALDATA} (shared/ is not beside the checkout)")
        return candidate

    return path


@pytest.fixture
def sample_data() -> Path:
    """The committed sample_data folder."""
    return SAMPLE_DATA
