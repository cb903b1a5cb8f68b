"""Error distributions and coverage of stated uncertainties for one measurement over a corpus."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

DEFAULT_COVERAGE = (0.60, 0.75)
SUBGROUP_COVERAGE = (0.55, 0.80)
"""±1σ band of a corpus's subgroups: fewer cases, so a wider binomial spread about 68 %."""


@dataclass(frozen=True)
class Measurement:
    """Signed errors of one measurement over the cases of a corpus, with its targets.

    Parameters
    ----------
    family, name : str
        Method family ("movie", "eels", "nbd", "hrtem", "tomo") and what is measured.
    errors : ndarray
        Measured minus truth per measured case, in ``units``.
    sigmas : ndarray or None
        The stated 1σ per case (same units), None when the method states none.
    units : str
        Units of ``errors`` and ``sigmas`` ("px", "eV", "%", "").
    median_max, p95_max : float or None
        Targets for the median and the 95th percentile of ``|error|``.
    coverage_range : tuple of float or None
        Allowed fraction of cases with ``|error| <= 1σ``.
    n_not_measured : int
        Cases where the method said ``ok=False`` (not counted in the errors).
    covariates : dict of str to ndarray
        Per-case properties (dose, width, size…) for the error plots.
    """

    family: str
    name: str
    errors: np.ndarray
    sigmas: np.ndarray | None
    units: str
    median_max: float | None = None
    p95_max: float | None = None
    coverage_range: tuple[float, float] | None = DEFAULT_COVERAGE
    n_not_measured: int = 0
    covariates: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class Summary:
    """Distribution of ``|error|`` and coverage of ±1σ and ±2σ, with pass/fail per target."""

    n: int
    median: float
    p95: float
    worst: float
    coverage_1sigma: float | None
    coverage_2sigma: float | None
    passed: bool
    failures: tuple[str, ...]


def subgroup_measurements(
    family: str,
    name: str,
    errors: np.ndarray,
    sigmas: np.ndarray,
    units: str,
    *,
    covariates: dict[str, np.ndarray],
    groups: tuple,
) -> list[Measurement]:
    """One coverage row per non-empty subgroup of the cases: ``groups`` holds (covariate key,
    ((low, high, label), ...)) and picks the cases with ``low <= covariates[key] < high``,
    the row named ``"<name>, <label>"`` with the :data:`SUBGROUP_COVERAGE` band."""
    rows = []
    for key, ranges in groups:
        for low, high, label in ranges:
            pick = (covariates[key] >= low) & (covariates[key] < high)
            if pick.any():
                rows.append(
                    Measurement(
                        family,
                        f"{name}, {label}",
                        errors[pick],
                        sigmas[pick],
                        units,
                        coverage_range=SUBGROUP_COVERAGE,
                    )
                )
    return rows


def summarise(measurement: Measurement) -> Summary:
    """Median, 95th percentile and worst ``|error|``, coverage, and which targets are missed."""
    errors = np.abs(np.asarray(measurement.errors, dtype=float))
    if errors.size == 0:
        return Summary(0, np.nan, np.nan, np.nan, None, None, False, ("no measured case",))
    median, p95, worst = np.median(errors), np.percentile(errors, 95), errors.max()
    cover1 = cover2 = None
    if measurement.sigmas is not None:
        sigmas = np.asarray(measurement.sigmas, dtype=float)
        cover1 = float(np.mean(errors <= sigmas))
        cover2 = float(np.mean(errors <= 2 * sigmas))
    failures = []
    if measurement.median_max is not None and not median <= measurement.median_max:
        failures.append(f"median {median:.3g} > {measurement.median_max:g}")
    if measurement.p95_max is not None and not p95 <= measurement.p95_max:
        failures.append(f"95th percentile {p95:.3g} > {measurement.p95_max:g}")
    if measurement.coverage_range is not None:
        low, high = measurement.coverage_range
        if cover1 is None:
            failures.append("no uncertainty stated")
        elif not low <= cover1 <= high:
            failures.append(f"±1σ coverage {cover1:.0%} outside {low:.0%}–{high:.0%}")
    return Summary(
        int(errors.size),
        float(median),
        float(p95),
        float(worst),
        cover1,
        cover2,
        not failures,
        tuple(failures),
    )
