"""Where the real microscope files of other groups are: ``$INSITU_TEM_REALDATA``, else
``shared/realdata`` beside the checkout (never copied into the repository)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def realdata_folder() -> Path:
    """``$INSITU_TEM_REALDATA`` or ``shared/realdata`` beside the checkout."""
    return Path(os.environ.get("INSITU_TEM_REALDATA", ROOT.parent / "shared" / "realdata"))
