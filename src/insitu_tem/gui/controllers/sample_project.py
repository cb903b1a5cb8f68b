"""Where the bundled sample project is: beside the checkout, else generated into the user's
cache folder. It imports nothing heavy, so File ▸ Open Sample Project starts the project's worker
processes before the panels are built."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths

from insitu_tem.samples import PROJECT_NAME

REPO_SAMPLE_FOLDER = Path(__file__).resolve().parents[4] / "sample_data"


def sample_project_path() -> Path:
    """The bundled sample project; generated into the cache folder when not shipped."""
    bundled = REPO_SAMPLE_FOLDER / PROJECT_NAME
    if bundled.exists():
        return bundled
    from insitu_tem.samples import write_all

    cache = (
        Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.CacheLocation))
        / "sample_data"
    )
    if not (cache / PROJECT_NAME).exists():
        write_all(cache)
    return cache / PROJECT_NAME
