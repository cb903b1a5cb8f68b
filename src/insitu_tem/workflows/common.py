"""What several workflows read from a session: datasets of a role, frame times, lines."""

from __future__ import annotations

import numpy as np

from insitu_tem.core.model import DataError, Dataset
from insitu_tem.core.session import Session


def require(session: Session, role: str, kinds: tuple[str, ...]) -> Dataset:
    """The calibrated dataset of ``role``; DataError saying what to open when absent or of
    another kind."""
    dataset = session.dataset(role)
    if dataset is None:
        what = "open" if session.source(role) is None else "load"
        raise DataError(f"the session has no {role} data; {what} the {role} file first")
    if dataset.kind not in kinds:
        raise DataError(
            f"the {role} data is a {dataset.kind}, but this analysis needs a {' or '.join(kinds)}"
        )
    return dataset


def frame_times(dataset: Dataset) -> tuple[np.ndarray, str]:
    """Time of each frame and its units ("s", or "frame" when the movie has no time calibration)."""
    axis = dataset.axes[0]
    if axis.units == "s":
        return axis.coordinates(), "s"
    return np.arange(axis.size, dtype=float), "frame"


def tracking_line(session: Session) -> tuple[list, str]:
    """The line the front is tracked along and the session input it comes from: the user's
    analysis line, else the EELS or NBD scan line."""
    if session.analysis_line:
        return session.analysis_line, "analysis_line"
    for role in ("eels", "nbd"):
        line = session.scan_line(role)
        if line:
            return [list(line["start_rc"]), list(line["end_rc"])], f"scan_line.{role}"
    raise DataError(
        "draw an analysis line across the front on the movie first (or place a scan line)"
    )


def probe_positions(dataset: Dataset) -> tuple[list, str]:
    """Scan coordinate of every probe (a number, or [y, x] on 2-D scans) and its units."""
    nav = dataset.navigation_axes
    if not nav:
        return [0.0], ""
    grids = np.meshgrid(*[axis.coordinates() for axis in nav], indexing="ij")
    if len(nav) == 1:
        return grids[0].ravel().tolist(), nav[0].units
    return np.stack([g.ravel() for g in grids], axis=-1).tolist(), nav[0].units
