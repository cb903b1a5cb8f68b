"""Manual front annotations: keyframes of clicked points, interpolation between
keyframes, positions along an analysis line, and CSV rows.

A keyframe is a list of (row, col) px points (one point, or a polyline along
the front) marked on one frame. Between two keyframes the front is
interpolated linearly in time; polylines with different numbers of points are
first resampled to a common number of points by arc length.
"""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.movie.kymograph import sample_line
from insitu_tem.core.model import Axis


def resample_polyline(points_rc, n: int) -> np.ndarray:
    """``n`` points evenly spaced by arc length along a polyline ((m, 2) row, col)."""
    points = np.asarray(points_rc, dtype=float).reshape(-1, 2)
    if len(points) == 1:
        return np.repeat(points, n, axis=0)
    arc = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(points, axis=0).T))])
    if arc[-1] == 0:
        return np.repeat(points[:1], n, axis=0)
    target = np.linspace(0.0, arc[-1], n)
    return np.column_stack([np.interp(target, arc, points[:, k]) for k in (0, 1)])


def interpolate_keyframes(keyframes: dict[int, list], n_frames: int) -> dict[int, np.ndarray]:
    """Front points for every frame between the first and last keyframe.

    Parameters
    ----------
    keyframes : dict
        {frame: [(row, col), ...]} with at least one point each.
    n_frames : int
        Frames in the movie.

    Returns
    -------
    dict
        {frame: (m, 2) array}; keyframes as given, frames between them interpolated.
    """
    marked = sorted(f for f, points in keyframes.items() if len(points) and 0 <= f < n_frames)
    result = {f: np.asarray(keyframes[f], dtype=float).reshape(-1, 2) for f in marked}
    for first, last in zip(marked[:-1], marked[1:]):
        m = max(len(result[first]), len(result[last]))
        a, b = resample_polyline(result[first], m), resample_polyline(result[last], m)
        for frame in range(first + 1, last):
            weight = (frame - first) / (last - first)
            result[frame] = (1 - weight) * a + weight * b
    return dict(sorted(result.items()))


def position_along_line(points_rc, line_rc) -> float:
    """Where a front (point or polyline) crosses an analysis line, as arc length along the line, px.

    The crossing is the intersection of the two polylines nearest the line's
    start; without one, the projection of the front's point nearest the line.
    """
    front = np.asarray(points_rc, dtype=float).reshape(-1, 2)
    line = np.asarray(line_rc, dtype=float).reshape(-1, 2)
    seg_len = np.hypot(*np.diff(line, axis=0).T)
    arc = np.concatenate([[0.0], np.cumsum(seg_len)])
    best = None
    for i in range(len(line) - 1):
        for j in range(len(front) - 1):
            u = _intersection(line[i], line[i + 1], front[j], front[j + 1])
            if u is not None and (best is None or arc[i] + u * seg_len[i] < best):
                best = arc[i] + u * seg_len[i]
    if best is not None:
        return float(best)
    distances = [_project(p, line, arc, seg_len) for p in front]
    return float(min(distances, key=lambda d: d[1])[0])


def marks_along_line(
    marks: dict, line_rc, axes: tuple[Axis, Axis], *, n_frames: int, shifts_px=None
) -> tuple[np.ndarray, np.ndarray]:
    """Frames and calibrated positions along ``line_rc`` of marked keyframes.

    Parameters
    ----------
    marks : dict of int to list
        ``{frame: [[row, col], ...]}``, raw movie px.
    line_rc : array_like
        Vertices (row, col) of the line, first-frame px.
    axes : (Axis, Axis)
        Row and column axes of the movie (calibration of the distance along the line).
    n_frames : int
        Frames in the movie (marks outside are ignored).
    shifts_px : array_like, optional
        (n_frames, 2) drift of every frame from the first, px; marks are moved back by it.

    Returns
    -------
    frames : numpy.ndarray of int
        Marked frames, ascending.
    positions : numpy.ndarray
        Distance along the line where each keyframe's front crosses it, ``axes[1].units``.
    """
    frames = np.array(sorted(int(f) for f in marks if 0 <= int(f) < n_frames), dtype=int)
    line = np.asarray(line_rc, dtype=float)
    shifts = np.zeros((n_frames, 2)) if shifts_px is None else np.asarray(shifts_px, float)
    along_px = [position_along_line(np.asarray(marks[f], float) - shifts[f], line) for f in frames]
    sampling = sample_line(line, width=1)
    along = np.interp(along_px, sampling.distance_px, sampling.calibrated_distance(*axes))
    return frames, np.asarray(along, dtype=float)


def _intersection(a, b, c, d) -> float | None:
    """Fraction along a->b where it crosses segment c->d, or None."""
    r, s = b - a, d - c
    denominator = r[0] * s[1] - r[1] * s[0]
    if abs(denominator) < 1e-12:
        return None
    u = ((c[0] - a[0]) * s[1] - (c[1] - a[1]) * s[0]) / denominator
    v = ((c[0] - a[0]) * r[1] - (c[1] - a[1]) * r[0]) / denominator
    return float(u) if 0 <= u <= 1 and 0 <= v <= 1 else None


def _project(point, line, arc, seg_len) -> tuple[float, float]:
    """(arc length of the nearest point on the line, distance to it)."""
    best = (0.0, np.inf)
    for i in range(len(line) - 1):
        direction = line[i + 1] - line[i]
        u = float(
            np.clip(np.dot(point - line[i], direction) / max(seg_len[i] ** 2, 1e-12), 0.0, 1.0)
        )
        distance = float(np.hypot(*(line[i] + u * direction - point)))
        if distance < best[1]:
            best = (arc[i] + u * seg_len[i], distance)
    return best


def csv_rows(
    keyframes: dict[int, list], n_frames: int, *, time: Axis, row: Axis, col: Axis
) -> list[list]:
    """Rows ``frame, time_s, keyframe, point, x_px, y_px, x, y`` for every annotated frame.

    ``x`` is the column and ``y`` the row, in px and in the calibrated units of ``col``/``row``.
    """
    rows = []
    for frame, points in interpolate_keyframes(keyframes, n_frames).items():
        for k, (r, c) in enumerate(points):
            rows.append(
                [
                    frame,
                    time.to_value(frame),
                    frame in keyframes,
                    k,
                    c,
                    r,
                    col.to_value(c),
                    row.to_value(r),
                ]
            )
    return rows


def csv_header(row: Axis, col: Axis) -> list[str]:
    """Column names matching :func:`csv_rows`."""
    return [
        "frame",
        "time_s",
        "keyframe",
        "point",
        "x_px",
        "y_px",
        f"x_{col.units}",
        f"y_{row.units}",
    ]
