"""What several workflows read from a session: datasets of a role, frame times, lines."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from insitu_tem.core.model import DataError, Dataset
from insitu_tem.core.session import Session
from insitu_tem.io.kinds import unusable_values

MIN_PATTERN_PX = 8
"""The smallest diffraction pattern side, px, the NBD analysis centres and integrates."""


def require(session: Session, role: str, kinds: tuple[str, ...]) -> Dataset:
    """The calibrated dataset of ``role``; DataError saying what to open when absent or of
    another kind."""
    dataset = session.dataset(role)
    if dataset is None:
        what = "open" if session.source(role) is None else "load"
        raise DataError(f"the session has no {role} data; {what} the {role} file first")
    if dataset.kind not in kinds:
        wanted = " or ".join(map(_a, kinds))
        raise DataError(
            f"the {role} data is {_a(dataset.kind)}, but this analysis needs {wanted} — open one "
            f"as the {role} data"
        )
    return dataset


def _a(kind: str) -> str:
    name = kind.replace("_", " ")
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


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


def file_name(dataset: Dataset, role: str) -> str:
    """The name of the file ``dataset`` was read from (``role`` when it has none)."""
    return Path(dataset.source).name if dataset.source else role


def usable_patterns(dataset: Dataset) -> Dataset:
    """``dataset`` when its patterns are at least :data:`MIN_PATTERN_PX` px on a side and their
    values finite (:func:`~insitu_tem.io.kinds.unusable_values` with ``squared_sum``); else
    DataError naming its file and what to do."""
    rows, cols = dataset.shape[-2:]
    name = file_name(dataset, "nbd")
    if min(rows, cols) < MIN_PATTERN_PX:
        raise DataError(
            f"{name}: holds {rows} × {cols} px patterns; the NBD analysis needs at least "
            f"{MIN_PATTERN_PX} × {MIN_PATTERN_PX} px — open the scan's diffraction patterns"
        )
    _finite(dataset, name, "patterns", squared_sum=True)
    return dataset


def usable_spectra(dataset: Dataset) -> Dataset:
    """``dataset`` when its spectra's values are finite; else DataError naming its file and what
    to do."""
    _finite(dataset, file_name(dataset, "eels"), "spectra", squared_sum=False)
    return dataset


def _finite(dataset: Dataset, name: str, items: str, *, squared_sum: bool) -> None:
    bad = unusable_values(dataset.array, squared_sum=squared_sum)
    if bad:
        raise DataError(
            f"{name}: holds {bad} NaN, infinite or overflowing values, which the analysis of its "
            f"{items} cannot use — replace them (e.g. by 0) and export the {items} again"
        )


def probe_count(dataset: Dataset, n_positions: int, role: str) -> Dataset:
    """``dataset`` when it holds one item per position of ``role``'s scan line; else DataError
    naming its file and what to do."""
    if dataset.n_items != n_positions:
        raise DataError(
            f"{file_name(dataset, role)}: holds {dataset.n_items} "
            f"probe{'s' if dataset.n_items != 1 else ''} but the {role.upper()} "
            f"scan line has {n_positions} positions — open the line scan recorded along that "
            "line, or place the scan line again"
        )
    return dataset
