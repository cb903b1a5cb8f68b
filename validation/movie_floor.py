"""The error budget of a front position on the generated movies: the tracker given more truth.

Each corpus movie is tracked again with progressively more of the generator's truth:

(ii) the true drift (``analyse_front`` with the generator's shifts: tilt, kymograph and tracker
as shipped);
(iii) the true drift and the true pristine and reacted levels of every sample in every frame —
the kymographs of the generator's noise-free pure-state frames (:meth:`MoviePlan.expected_counts`:
beam, illumination, changing texture, PSF), so ``φ = (K - P) / (R - P)`` is the reacted fraction
up to the data's noise, fitted by the shipped erf fit (:func:`fit_profile`, its 1σ per sample
the kymograph's Poisson noise, from the recorded minus the noise-free kymograph) with the shipped
presence rule;
(iv) the same reacted fraction read as an area: the position where a straight sharp front leaves
the same reacted area, ``Σ φ`` over a window around the truth that holds the whole front (its
roughness, diffuse width and PSF; the band is lengthened by the window at both ends so a front
near an end is read whole), without a profile model, in the frames with the front on the line.
Its 1σ is ``√Σ σ_φ²``. The same sum over the noise-free frames is the width average's own bias:
``φ`` of a width-averaged kymograph is the reacted fraction across the width weighted by the
local contrast ``R - P``, which texture makes uneven, while the truth weighs the width evenly
(the reacted area); no estimator of the kymograph alone can remove it.
(v) the band's rows before their mean, each row's reacted fraction with its own true levels read
as an area and the rows averaged evenly (:mod:`validation.movie_rows`), in the frames (iii)
reports, over the same lengthened line.

The information bound needs no estimator. The recorded counts are Poisson with the mean
:meth:`MoviePlan.expected_counts`, and a front moved along the line by δ is the same front with
its normal position moved by δ cos θ (θ between the line and the normal: the front is rigid, so
its width-averaged position moves with it). The Fisher information of the position in the
pixels the kymograph reads (those within one pixel of its sampling points) is
``I = Σ (∂λ/∂p)² / λ`` (central difference of the generator's frames), and ``1/√I`` bounds the
standard deviation of any unbiased position from those pixels, knowing everything else — the
texture, the levels, the roughness, the drift (Cramér 1946). Any estimator that reads the band
only (the kymograph is a function of these pixels, Zamir 1998) cannot do better.

The kinetic exponent's floor is the power-law fit of :func:`fit_kinetics` (as the front analysis
runs it) on the true positions of the frames with the front on the line plus, drawn
independently per frame, errors from each stage's own error distribution over the corpus (the
Cramér–Rao bound's as N(0, σ²)), ``DRAWS`` draws per power-law movie; and on the true-drift
track's own positions, whose errors persist over frames.

References
----------
H. Cramér, *Mathematical Methods of Statistics* (Princeton, 1946), §32.3.
R. Zamir, "A proof of the Fisher information inequality via a data processing argument",
IEEE Trans. Inf. Theory 44, 1246 (1998).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from insitu_tem.analysis.movie.front import MIN_EVIDENCE
from insitu_tem.analysis.movie.front_line import ERROR_SPAN, analyse_front
from insitu_tem.analysis.movie.front_profile import fit_profile, on_line
from insitu_tem.analysis.movie.kinetics import fit_kinetics
from insitu_tem.analysis.movie.kymograph import band, sample_line
from insitu_tem.core.model import Axis
from validation.eels_floor import efficient_errors
from validation.movie_cases import SHAPE, MoviePlan
from validation.movie_rows import band_position
from validation.stats import Measurement

STEP_PX = 0.05
DRAWS = 3
EDGE_PX = 1.0


@dataclass(frozen=True)
class Stage:
    """Per-frame positions (px along the line, NaN where not measured) and their 1σ."""

    position: np.ndarray
    sigma: np.ndarray


def true_drift(movie) -> object:
    """(ii): the front analysis with the generator's drift instead of a measured one."""
    axes = (Axis("y", SHAPE[0]), Axis("x", SHAPE[1]))
    return analyse_front(
        movie.movie,
        movie.line_rc,
        axes=axes,
        times=movie.times,
        width=movie.width,
        shifts_px=movie.shifts,
    )


def _extended_line(movie, margin: int) -> np.ndarray:
    """The line lengthened by ``margin`` px at both ends (samples stay on whole px from it)."""
    (p0, p1) = np.asarray(movie.line_rc, float)
    along = (p1 - p0) / np.hypot(*(p1 - p0))
    return np.array([p0 - margin * along, p1 + margin * along])


def _bands(plan: MoviePlan, movie, line, shear: float, normal: np.ndarray):
    """Bands (frames × samples × offsets, :func:`band`) along ``line`` of the recorded frames and
    of the noise-free pristine, reacted and recorded-as-rendered ones, and their sampling."""
    frames = range(plan.times.size)
    stacks = [movie.movie]
    for state in ("pristine", "reacted", None):
        stacks.append(np.stack([plan.expected_counts(i, s=normal[i], state=state) for i in frames]))
    sampling = sample_line(line, width=movie.width, shear=shear)
    return [band(stack.astype(np.float32), sampling, plan.shifts) for stack in stacks], sampling


def _direction(clean: np.ndarray, pristine: np.ndarray, reacted: np.ndarray) -> int:
    """+1 when the reacted side is at low sample index (as :class:`StateModel.direction`)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = (clean - pristine) / (reacted - pristine)
    third = phi.shape[1] // 3
    return 1 if np.nanmean(phi[:, :third]) >= np.nanmean(phi[:, -third:]) else -1


def _fractions(recorded, pristine, reacted, clean):
    """The reacted fraction ``φ``, its 1σ (the Poisson noise: the recorded minus the noise-free
    counts' variance per count) and ``φ`` of the noise-free frames."""
    noise_variance = np.sum((recorded - clean) ** 2) / np.sum(clean) * clean
    contrast = reacted - pristine
    with np.errstate(divide="ignore", invalid="ignore"):
        return (
            (recorded - pristine) / contrast,
            np.sqrt(noise_variance) / np.abs(contrast),
            (clean - pristine) / contrast,
        )


def true_level_stages(plan: MoviePlan, movie, shear: float, normal: np.ndarray):
    """(iii), (iv) and (v) with the band sampled with ``shear`` (``normal``: the front's normal
    position per frame). (iv) and (v) read the line lengthened by the front's half-extent at both
    ends, so a front near an end is measured whole; (v) reads the frames (iii) reports, over the
    front's half-extent either side of (iii)'s position."""
    half = _front_half_extent(plan)
    margin = int(np.ceil(half)) + 1
    bands, sampling = _bands(plan, movie, _extended_line(movie, margin), shear, normal)
    recorded, pristine, reacted, clean = (b.mean(axis=-1).astype(float) for b in bands)
    direction = _direction(clean, pristine, reacted)
    phi, sigma, exact = _fractions(recorded, pristine, reacted, clean)
    rows_phi, rows_sigma, _ = _fractions(*(b.astype(float) for b in bands))
    frames, samples = phi.shape
    inner = slice(margin, samples - margin)
    stages = [Stage(np.full(frames, np.nan), np.full(frames, np.nan)) for _ in range(4)]
    fitted, area, ideal, rows = stages
    for t in range(frames):
        fit = fit_profile(phi[t, inner], sigma[t, inner], direction=direction)
        if fit is not None and fit.evidence > MIN_EVIDENCE:
            if on_line(fit, inner.stop - inner.start, direction):
                fitted.position[t], fitted.sigma[t] = fit.position, fit.sigma
                window = (np.floor(fit.position - half), np.ceil(fit.position + half))
                rows.position[t] = (
                    band_position(
                        rows_phi[t],
                        rows_sigma[t],
                        direction=direction,
                        window=(window[0] + margin, window[1] + margin),
                        erf=(fit.position + margin, fit.width),
                        offsets=sampling.offsets_px,
                        shear=shear,
                    )
                    - margin
                )
        if not EDGE_PX < plan.truth[t] < plan.properties["length_px"] - EDGE_PX:
            continue
        lo = max(int(np.ceil(plan.truth[t] - half)) + margin, 0)
        hi = min(int(np.floor(plan.truth[t] + half)) + margin, samples - 1)
        for stage, values in ((area, phi[t]), (ideal, exact[t])):
            window = values[lo : hi + 1]
            inside = window.sum() if direction > 0 else window.size - window.sum()
            stage.position[t] = lo - margin - 0.5 + inside
            stage.sigma[t] = np.sqrt(np.sum(sigma[t, lo : hi + 1] ** 2))
    return stages


def _cos(plan: MoviePlan) -> float:
    (p0, p1) = plan.scene.line_rc
    return float((p1 - p0) @ plan.scene.normal / np.hypot(*(p1 - p0)))


def _front_half_extent(plan: MoviePlan) -> float:
    """Half the extent along the line (px) that holds a front: roughness, diffuse width, PSF."""
    scene = plan.scene
    across = np.abs(scene.roughness[0]).sum() + 4 * scene.diffuse_sigma + 3 * plan.psf + 2
    return float(across / abs(_cos(plan)))


def _band(sampling, shift: np.ndarray) -> np.ndarray:
    """Pixels within one pixel of the kymograph's sampling points in a frame (bool image)."""
    rows, cols = np.round(sampling.coordinates(shift)).astype(int)
    band = np.zeros(SHAPE, bool)
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            band[np.clip(rows + dr, 0, SHAPE[0] - 1), np.clip(cols + dc, 0, SHAPE[1] - 1)] = True
    return band


def cramer_rao_sigmas(plan: MoviePlan, sampling, normal: np.ndarray) -> np.ndarray:
    """1σ bound (px) of the position in every frame from the pixels the kymograph reads."""
    step = STEP_PX * _cos(plan)
    sigmas = np.full(plan.times.size, np.nan)
    for i, s in enumerate(normal):
        counts = plan.expected_counts(i, s=s)
        slope = (plan.expected_counts(i, s=s + step) - plan.expected_counts(i, s=s - step)) / (
            2 * STEP_PX
        )
        band = _band(sampling, plan.shifts[i])
        information = np.sum(slope[band] ** 2 / np.maximum(counts[band], 1e-9))
        sigmas[i] = 1 / np.sqrt(information) if information > 0 else np.inf
    return sigmas


@dataclass(frozen=True)
class MovieBudget:
    """The stages of one movie: positions per frame, the bound, and what is scored."""

    truth: np.ndarray
    length: float
    times: np.ndarray
    n: float
    stages: dict
    bound: np.ndarray
    drift_n: float


def movie_budget(plan: MoviePlan, movie, shipped) -> MovieBudget:
    """Every stage of the budget on one movie (``shipped``: its :class:`FrontAnalysis`)."""
    normal = np.array([plan.normal_position(i) for i in range(plan.times.size)])
    drift = true_drift(movie)
    kymo = drift.kymograph
    fitted, area, ideal, rows = true_level_stages(plan, movie, kymo.sampling.shear, normal)
    stages = {
        "shipped": Stage(
            np.asarray(shipped.track.position, float),
            np.asarray(shipped.track.position_sigma, float),
        ),
        "drift": Stage(
            np.asarray(drift.track.position, float), np.asarray(drift.track.position_sigma, float)
        ),
        "levels": fitted,
        "area": area,
        "area_noise_free": ideal,
        "rows": rows,
    }
    bound = cramer_rao_sigmas(plan, kymo.sampling, normal)
    drift_n = float(drift.fit.n) if drift.fit.ok else np.nan
    length = plan.properties["length_px"]
    return MovieBudget(plan.truth, length, plan.times, plan.n, stages, bound, drift_n)


def on_line_frames(budget: MovieBudget) -> np.ndarray:
    """Frames whose front lies on the line (farther than ``EDGE_PX`` from its ends)."""
    return (budget.truth > EDGE_PX) & (budget.truth < budget.length - EDGE_PX)


def scored(budget: MovieBudget, stage: str) -> tuple[np.ndarray, np.ndarray, int]:
    """Errors and 1σ of a stage's frames scored as the validation scores them, and how many
    frames with the front on the line it did not measure."""
    position, sigma = budget.stages[stage].position, budget.stages[stage].sigma
    on = on_line_frames(budget)
    reported = np.isfinite(position)
    outside = (budget.truth < -EDGE_PX) | (budget.truth > budget.length + EDGE_PX)
    keep = reported & (on | outside)
    return (position - budget.truth)[keep], sigma[keep], int(np.sum(on & ~reported))


def exponent_error(times, positions, sigma) -> float:
    """n of the power law fitted as the front analysis fits it, NaN when the fit declines."""
    fit = fit_kinetics(times, positions, sigma=sigma, correlation_span=ERROR_SPAN)
    return float(fit.n) if fit.ok else np.nan


def exponent_floor(budget: MovieBudget, draw, rng, draws: int = DRAWS) -> np.ndarray:
    """n minus truth fitted to the true positions of the on-line frames plus ``draw(rng, k)``
    (errors, 1σ) for the ``k`` frames, ``draws`` times (NaN where the fit declines)."""
    on = on_line_frames(budget)
    out = []
    for _ in range(draws):
        errors, sigma = draw(rng, int(on.sum()))
        positions = np.where(on, budget.truth, np.nan)
        positions[on] += errors
        full_sigma = np.full(on.shape, np.nan)
        full_sigma[on] = sigma
        out.append(exponent_error(budget.times, positions, full_sigma) - budget.n)
    return np.array(out)


POSITION_ROWS = (
    ("drift", "(ii) the tracker on the true drift"),
    ("levels", "(iii) true drift and true levels, the shipped erf fit"),
    ("area", "(iv) true drift and true levels, area-equivalent position"),
    ("area_noise_free", "(iv) on the noise-free frames (the width average's own bias)"),
    ("rows", "(v) true drift and true levels, the band's rows as areas, shrunk to (iii)'s erf"),
)
EXPONENT_ROWS = (
    ("shipped", "(i) shipped"),
    ("levels", "(iii) true-level"),
)


def _pooled(budgets: list[MovieBudget], stage: str) -> np.ndarray:
    return np.concatenate([scored(b, stage)[0] for b in budgets])


def _draw_from(errors: np.ndarray):
    spread = float(np.median(np.abs(errors)) / 0.6745) if errors.size else np.nan

    def draw(rng, k):
        return rng.choice(errors, k), np.full(k, spread)

    return draw


def _bound_draw(bound: np.ndarray, on: np.ndarray):
    def draw(rng, k):
        return rng.normal(0.0, bound[on]), bound[on]

    return draw


def _exponent_errors(budgets: list[MovieBudget], draw_for) -> np.ndarray:
    rng = np.random.default_rng(0)
    power = [b for b in budgets if np.isfinite(b.n)]
    errors = [exponent_floor(b, draw_for(b), rng) for b in power]
    return np.concatenate(errors) if errors else np.array([])


def _row(name: str, values: np.ndarray, units: str, label: str, missed: int = 0) -> Measurement:
    values = np.asarray(values, float)
    return Measurement(
        "movie",
        name + " (informative)" + label,
        values[np.isfinite(values)],
        None,
        units,
        coverage_range=None,
        n_not_measured=missed + int(np.sum(~np.isfinite(values))),
    )


def floor_measurements(budgets: list[MovieBudget], label: str) -> list[Measurement]:
    """The budget's position rows, the Cramér–Rao bound and the exponent floors of a corpus."""
    rows = []
    for stage, name in POSITION_ROWS:
        missed = sum(scored(b, stage)[2] for b in budgets)
        rows.append(_row("front position: " + name, _pooled(budgets, stage), "px", label, missed))
    bounds = np.concatenate([b.bound[on_line_frames(b)] for b in budgets])
    rows.append(
        _row(
            "front position: Cramér–Rao bound of the band's pixels, all else known",
            efficient_errors(bounds[np.isfinite(bounds)]),
            "px",
            label,
        )
    )
    power = [b for b in budgets if np.isfinite(b.n)]
    rows.append(
        _row(
            "kinetic exponent n: (ii) fitted on the true-drift track",
            [b.drift_n - b.n for b in power],
            "",
            label,
        )
    )
    for stage, name in EXPONENT_ROWS:
        draw = _draw_from(_pooled(budgets, stage))
        rows.append(
            _row(
                f"kinetic exponent n: true positions + {name} errors drawn independently",
                _exponent_errors(budgets, lambda b: draw),
                "",
                label,
            )
        )
    rows.append(
        _row(
            "kinetic exponent n: true positions + Cramér–Rao noise",
            _exponent_errors(budgets, lambda b: _bound_draw(b.bound, on_line_frames(b))),
            "",
            label,
        )
    )
    return rows
