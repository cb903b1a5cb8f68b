"""The sample project: opens the four bundled samples with their scan lines placed on the movie,
and the holder log on the movie's time axis (its clock offset already found)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from insitu_tem.core.project import save_session
from insitu_tem.core.session import DataSource, Session
from insitu_tem.samples import PROJECT_NAME
from insitu_tem.samples.experiment import EXPERIMENT
from insitu_tem.samples.holder_log import FILE_NAME as LOG_FILE
from insitu_tem.samples.experiment import CAMERA_CLOCK_SLOW_S

SAMPLE_FILES = {
    "movie": "lithiation_movie.tif",
    "hrtem": "hrtem_movie.tif",
    "nbd": "nbd_linescan.hspy",
    "eels": "eels_linescan.hspy",
}


def write(folder: str | Path) -> Path:
    """Write ``sample.itproj`` referencing the samples in ``folder``; return its path."""
    folder = Path(folder)
    path = folder / PROJECT_NAME
    session = Session(checksums=False)
    for role, name in SAMPLE_FILES.items():
        session.add_source(role, DataSource(str((folder / name).resolve())))
    for role in ("nbd", "eels"):
        session.set_scan_line(role, asdict(EXPERIMENT.scan))
    session.set_panel_state(
        "timeline", {"log_path": LOG_FILE, "offset_s": CAMERA_CLOCK_SLOW_S, "current_channel": None}
    )
    return save_session(session, path)
