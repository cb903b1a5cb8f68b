"""Front views of a session: the kymograph along the user's line with the track, marks and fit;
the kinetics x(t) and v(t) with n ± σ; the across-the-front profiles."""

from __future__ import annotations

import textwrap
from dataclasses import replace

import numpy as np

from insitu_tem.analysis.movie.front_manual import marks_along_line, position_along_line
from insitu_tem.analysis.movie.kinetics import power_law
from insitu_tem.analysis.movie.kymograph import kymograph, sample_line
from insitu_tem.core.model import Axis, DataError
from insitu_tem.core.session import Session
from insitu_tem.core.uncertainty_text import value_with_sigma
from insitu_tem.figures.compose import ProfileView
from insitu_tem.figures.frame import FrameView
from insitu_tem.figures.holder_state import holder_state_at, scan_time_s


def kinetics_text(fit: dict, *, units: str, time_units: str) -> str:
    """The fit readout: x0, k, n, t0 ± 1σ with units, each rounded to its σ (the same text as on
    screen)."""
    if not fit.get("ok"):
        return f"kinetics: {fit.get('reason', 'not fitted')}"
    terms = [
        f"x0 = {value_with_sigma(fit['x0'], fit['x0_stderr'])} {units}",
        f"k = {value_with_sigma(fit['k'], fit['k_stderr'])} {units}/{time_units}^n",
        f"n = {value_with_sigma(fit['n'], fit['n_stderr'])}",
        f"t0 = {value_with_sigma(fit['t0'], fit['t0_stderr'])} {time_units}",
    ]
    return "x(t) = x0 + k (t − t0)^n:  " + ",  ".join(terms)


def thickness_text(value: dict) -> str:
    """The readout of a film-thickness result ("film.thickness"), on screen and in the export."""
    if not value["ok"]:
        return f"film thickness: {value['reason']}"
    units, sigma = value["units"], value.get("reference_sigma", np.nan)
    spread = f" (1σ {sigma:.2g} {units}, the first frames' scatter)" if np.isfinite(sigma) else ""
    strain, strain_sigma = value["final_strain_percent"], value.get("final_strain_sigma_percent")
    final = (
        f"{value_with_sigma(strain, strain_sigma)} % (1σ: edge fits, start thickness)"
        if strain_sigma is not None and np.isfinite(strain_sigma) and np.isfinite(strain)
        else f"{strain:.2f} % (1σ not estimated)"
    )
    start = f"Film thickness {value['reference']:.4g} {units} at start{spread}"
    return f"{start}; strain in the last frames {final}"


def area_text(value: dict) -> str:
    """The readout of a reacted-area result ("film.area"), on screen and in the export."""
    if not value["ok"]:
        return f"reacted area: {value['reason']}"
    side = "darker" if value["polarity"] < 0 else "brighter"
    confidence = np.mean(np.asarray(value["confidence"], float))
    return f"Reacted region ({side}) segmented; mean confidence {confidence:.2f}"


def _line(session: Session) -> list:
    if session.analysis_line:
        return session.analysis_line
    line = next((session.scan_line(r) for r in ("eels", "nbd") if session.scan_line(r)), None)
    if line is None:
        raise DataError("draw an analysis line on the movie first (or place a scan line)")
    return [line["start_rc"], line["end_rc"]]


def _track(session: Session) -> dict | None:
    """The front result's value when it was measured along the current line."""
    result = session.result("front")
    if (
        result is None
        or np.asarray(result.parameters.get("line_rc")).tolist()
        != np.asarray(_line(session), float).tolist()
    ):
        return None
    return result.value


def _shifts(session: Session, n_frames: int) -> np.ndarray:
    track = session.result("front")
    shifts = track.value.get("drift_shifts_px") if track is not None else None
    drift = session.result("drift")
    if (
        shifts is None
        and drift is not None
        and track is not None
        and "result.drift" in track.inputs
    ):
        shifts = drift.value["shifts_px"]
    return np.zeros((n_frames, 2)) if shifts is None else np.asarray(shifts, dtype=float)


def front_point_rc(session: Session, index: int) -> tuple[float, float] | None:
    """Where the tracked front crosses the line on movie frame ``index`` (raw movie px), or None."""
    track = _track(session) if session.dataset("movie") is not None else None
    if track is None or not 0 <= index < len(track["position_along_px"]):
        return None
    along = track["position_along_px"][index]
    if along is None or not np.isfinite(along):
        return None
    points = np.asarray(_line(session), dtype=float)
    arc = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(points, axis=0).T))])
    point = np.array([np.interp(along, arc, points[:, k]) for k in (0, 1)])
    point = point + _shifts(session, len(track["position_along_px"]))[index]
    return float(point[0]), float(point[1])


def kymograph_view(session: Session) -> FrameView:
    """Kymograph along the user's analysis line (distance along the line vs time), following the
    drift the track used, with the track, the front marks and the fit."""
    movie = session.dataset("movie")
    if movie is None:
        raise DataError("the session has no movie for the kymograph")
    line = np.asarray(_line(session), dtype=float)
    width = float(session.parameters("front").get("width_px", 21.0))
    shifts = _shifts(session, movie.n_items)
    image = kymograph(movie.array, line, width=width, shifts_px=shifts).image
    row, col = movie.signal_axes
    time_axis = movie.axes[0]
    sampling = sample_line(line, width=1)
    curves = []
    track = _track(session)
    if track is not None:
        frames = np.arange(len(track["position_px"]))
        curves.append((frames, np.asarray(track["position_px"], float), "#00e5ff", "track"))
        fit = track["fit"]
        if fit.get("ok"):
            fitted = power_law(
                np.asarray(track["times"], float), fit["x0"], fit["k"], fit["n"], fit["t0"]
            )
            distance = sampling.calibrated_distance(row, col)
            curves.append(
                (frames, np.interp(fitted, distance, np.arange(distance.size)), "#ffcc00", "fit")
            )
    marks = session.marks
    if marks:
        frames = sorted(f for f in marks if 0 <= f < movie.n_items)
        along = [position_along_line(np.asarray(marks[f]) - shifts[f], line) for f in frames]
        curves.append(
            (
                frames,
                np.interp(along, sampling.distance_px, np.arange(sampling.distance_px.size)),
                "#ff5050",
                "marks",
            )
        )
    distance_axis = Axis("x", image.shape[1], col.scale, 0.0, col.units)
    return FrameView(
        image,
        Axis("y", image.shape[0], time_axis.scale, time_axis.offset, time_axis.units),
        distance_axis,
        title="Kymograph",
        curves_rc=curves,
        cmap=session.view("movie.cmap"),
        axis_labels=(f"Time ({time_axis.units})", f"Distance along the line ({col.units})"),
    )


def kinetics_views(session: Session) -> list[ProfileView]:
    """What the kinetics tabs show: front position x(t) ± 1σ with the fit and n ± σ and the
    measured velocity ± 1σ with the fitted one (result "front"), the manual marks with their fit
    (result "front.manual"), the film strain (result "film.thickness") and the reacted area
    (result "film.area")."""
    views = _front_views(session)
    manual = _current(session, "front.manual")
    if not views and manual is not None:
        views = [_manual_only_view(manual)]
    thickness, area = _current(session, "film.thickness"), _current(session, "film.area")
    if thickness is not None:
        views.append(_film_view(thickness, "strain", "Film strain", "Strain (%)", thickness_text))
    if area is not None:
        views.append(_film_view(area, "area", "Reacted area", f"Area ({area['units']})", area_text))
    if not views:
        raise DataError(
            "track the front, mark it, or measure the film first; the kinetics view shows "
            "those results"
        )
    return views


def _sigma(values) -> np.ndarray | None:
    return None if values is None else np.asarray(values, float)


def _current(session: Session, name: str) -> dict | None:
    if session.result_status(name) != "current":
        return None
    return session.result(name).value


def _front_views(session: Session) -> list[ProfileView]:
    result = session.result("front")
    if result is None:
        return []
    value = result.value
    times = np.asarray(value["times"], float)
    units, time_units = value["units"], value["time_units"]
    fit = value["fit"]
    lines, velocity_lines, velocity_bands = [], [], []
    band = fitted_velocity_band(value)
    if band is not None:
        velocity_bands.append(("fit ±1σ", *band))
    if fit.get("ok"):
        fine = np.linspace(times.min(), times.max(), 400)
        lines.append(("fit", fine, power_law(fine, fit["x0"], fit["k"], fit["n"], fit["t0"]), "-"))
        after = fine[fine > fit["t0"]]
        speed = fit["k"] * fit["n"] * (after - fit["t0"]) ** (fit["n"] - 1.0)
        velocity_lines.append(("fit", after, speed, "-"))
    marks, manual_note = _manual_lines(session)
    note = kinetics_text(fit, units=units, time_units=time_units).replace(",  ", "\n")
    position = ProfileView(
        times,
        [("automatic", np.asarray(value["position"], float), _sigma(value.get("position_sigma")))],
        f"Time ({time_units})",
        f"Front position ({units})",
        title="Front position x(t)",
        lines=lines + marks,
        note=note + (f"\n{manual_note}" if manual_note else ""),
        points=True,
    )
    velocity = ProfileView(
        times,
        [
            (
                "from positions",
                np.asarray(value["velocity_measured"], float),
                _sigma(value.get("velocity_measured_sigma")),
            )
        ],
        f"Time ({time_units})",
        f"Velocity ({value['velocity_units']})",
        title="Velocity",
        lines=velocity_lines,
        points=True,
        bands=velocity_bands,
    )
    return [position, velocity]


def fitted_velocity_band(track: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The fitted velocity ± 1σ of a front result at its frames after t0 where the 1σ is
    known (beyond 2σ of t0): (times, low, high), or None without a fit or a 1σ."""
    sigma = track.get("velocity_sigma")
    if not track["fit"].get("ok") or sigma is None:
        return None
    times = np.asarray(track["times"], float)
    velocity, sigma = np.asarray(track["velocity"], float), np.asarray(sigma, float)
    keep = (times > track["fit"]["t0"]) & np.isfinite(velocity) & np.isfinite(sigma)
    if keep.sum() < 2:
        return None
    return times[keep], velocity[keep] - sigma[keep], velocity[keep] + sigma[keep]


def _manual_only_view(manual: dict) -> ProfileView:
    times = np.asarray(manual["times"], float)
    lines = _manual_fit_line(manual)
    return ProfileView(
        times,
        [("manual marks", np.asarray(manual["position"], float), None)],
        f"Time ({manual['time_units']})",
        f"Front position ({manual['units']})",
        title="Front position x(t), manual marks",
        lines=lines,
        note=manual_text(manual).replace(",  ", "\n"),
        points=True,
    )


def manual_text(manual: dict) -> str:
    """The readout of the manual marks' fit (a "front.manual" result value)."""
    fit = manual["fit"]
    if not fit["ok"]:
        return f"manual marks: {fit['reason']}"
    return "manual marks: " + kinetics_text(
        fit, units=manual["units"], time_units=manual["time_units"]
    )


def _manual_fit_line(manual: dict) -> list:
    fit = manual["fit"]
    if not fit["ok"]:
        return []
    times = np.asarray(manual["times"], float)
    fine = np.linspace(times.min(), times.max(), 400)
    return [("manual fit", fine, power_law(fine, fit["x0"], fit["k"], fit["n"], fit["t0"]), "--")]


def _manual_lines(session: Session) -> tuple[list, str]:
    """The manual marks (as the screen draws them) and, when current, their fit and its text."""
    movie, marks = session.dataset("movie"), session.marks
    if movie is None or not marks:
        return [], ""
    drift = session.result("drift")
    frames, along = marks_along_line(
        marks,
        _line(session),
        movie.signal_axes,
        n_frames=movie.n_items,
        shifts_px=None if drift is None else drift.value["shifts_px"],
    )
    times = (
        movie.axes[0].coordinates()
        if movie.axes[0].units == "s"
        else np.arange(movie.n_items, dtype=float)
    )
    lines = [("manual marks", times[frames], along, "x")]
    manual = _current(session, "front.manual")
    if manual is None:
        return lines, ""
    return lines + _manual_fit_line(manual), manual_text(manual)


def _film_view(value: dict, key: str, title: str, label: str, text) -> ProfileView:
    scale = 100.0 if key == "strain" else 1.0
    y = np.asarray(value[key], float) * scale
    sigma = value.get(f"{key}_sigma")
    return ProfileView(
        np.asarray(value["times"], float),
        [(title.lower(), y, None if sigma is None else np.asarray(sigma, float) * scale)],
        f"Time ({value['time_units']})",
        label,
        title=title,
        note=text(value),
        points=True,
    )


def across_views(session: Session, *, project_dir=None) -> list[ProfileView]:
    """Every across-the-front column against distance from the front, front at 0; the first
    panel notes the holder's state (bias, current, charge, dose) at the scan's time and the
    front position's 1σ."""
    result = session.result("across")
    if result is None:
        raise DataError("compute the across-the-front view first")
    value = result.value
    distance = np.asarray(value["distance_nm"], float)
    columns = {k: np.asarray(v, float) for k, v in value["columns"].items()}
    why = {k: textwrap.fill(r.split("; ")[0], 60) for k, r in value.get("reasons", {}).items()}
    label = "Distance from front (nm)"
    panels = []
    if "W_O23_shift" in columns:
        panels.append(
            ProfileView(
                distance,
                [("W O2,3", columns["W_O23_shift"], columns.get("W_O23_shift_stderr"))],
                label,
                "Chemical shift (eV)",
                [0.0],
                note=why.get("W_O23_shift", ""),
            )
        )
    for name in ("Li_K_intensity", "lattice_strain", "crystalline"):
        if name in columns:
            panels.append(
                ProfileView(
                    distance,
                    [(name, columns[name], columns.get(f"{name}_stderr"))],
                    label,
                    name.replace("_", " "),
                    [0.0],
                    note=why.get(name, ""),
                )
            )
    fractions = [
        (n.removeprefix("fraction_"), v, columns.get(f"{n}_stderr"))
        for n, v in columns.items()
        if n.startswith("fraction_") and not n.endswith("_stderr")
    ]
    if fractions:
        panels.append(ProfileView(distance, fractions, label, "Phase fraction", [0.0]))
    if not panels:
        raise DataError("no line-scan result to plot; the session needs EELS or NBD data")
    time_s = scan_time_s(session)
    state = None if time_s is None else holder_state_at(session, time_s, project_dir=project_dir)
    sigma = float(value.get("front_along_sigma_nm", np.nan))
    notes = [] if state is None else [f"holder at scan, {state.text()}"]
    if np.isfinite(sigma):
        notes.append(f"front position 1σ {sigma:.2g} nm (shifts every distance alike)")
    if notes:
        panels[0] = replace(panels[0], note="\n".join(filter(None, [*notes, panels[0].note])))
    return panels
