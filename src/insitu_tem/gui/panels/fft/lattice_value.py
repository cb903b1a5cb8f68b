"""The FFT panel's session result "fft" and what the panel draws from it.

The value holds every spot (all :class:`~insitu_tem.analysis.hrtem.fft_lattice.Spot` fields
with its phase and hkl), the refined lattice (all
:class:`~insitu_tem.analysis.hrtem.lattice_fit.LatticeFit` fields), the best phase match,
the warnings, the calibration fitted on all reflections and the phases the lattice also indexes
as with a scaled pixel size (all :class:`~insitu_tem.analysis.hrtem.lattice_calibration.
ScaledCandidate` fields; searched only when the phase match is unsure). :func:`shown` rebuilds from
it what
the panel draws, so a reopened project shows the stored measurement without measuring again;
only the power spectrum image is computed from the region.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from insitu_tem.analysis.hrtem.fft_lattice import Spot
from insitu_tem.analysis.hrtem.fft_spectrum import PowerSpectrum
from insitu_tem.analysis.hrtem.lattice_calibration import LatticeCalibration, ScaledCandidate
from insitu_tem.analysis.hrtem.lattice_fit import LatticeFit
from insitu_tem.analysis.hrtem.lattice_report import LatticeMeasurement
from insitu_tem.core.results import plain

SPOT_FIELDS = tuple(f.name for f in fields(Spot))


@dataclass(frozen=True)
class Shown:
    """A lattice measurement as the panel draws it (fresh or read back from the session)."""

    value: dict
    spectrum: PowerSpectrum
    spots: tuple[Spot, ...]
    fit: LatticeFit
    assignments: tuple
    calibration: LatticeCalibration | None
    candidates: tuple[ScaledCandidate, ...] | None
    """None: a result stored before the candidates were (a project saved by an older version)."""


def unsure(m: LatticeMeasurement) -> bool:
    """Whether measurement ``m`` found no phase match or an ambiguous one."""
    return m.matches is None or not m.matches.ok or bool(m.matches.ambiguous)


def measurement_value(
    region,
    m: LatticeMeasurement,
    fit: LatticeCalibration | None,
    candidates: tuple[ScaledCandidate, ...],
) -> dict:
    """The session's "fft" result value of measurement ``m`` on ``region`` (see module
    docstring)."""
    best = m.matches.best if m.matches is not None and m.matches.ok else None
    return plain(
        {
            "roi_px": list(region.roi_px),
            "frame": region.frame,
            "pixel_nm": region.pixel_nm,
            "calibrated": region.calibrated,
            "spots": [
                {**asdict(s), "phase": phase, "hkl": None if hkl is None else list(hkl)}
                for s, (phase, hkl) in zip(m.spots, m.assignments)
            ],
            "lattice": asdict(m.fit),
            "best_match": None
            if best is None
            else {
                "phase": best.phase,
                "zone_axis": None if best.zone_axis is None else list(best.zone_axis),
                "ambiguous": bool(m.matches.ambiguous),
            },
            "unsure": unsure(m),
            "warnings": list(m.warnings),
            "calibration": None if fit is None else {**asdict(fit), "message": fit.message},
            "candidates": [asdict(c) for c in candidates],
        }
    )


def shown(value: dict, spectrum: PowerSpectrum) -> Shown:
    """What the panel draws from a stored "fft" value and the region's power spectrum."""
    spots = tuple(Spot(**{k: s[k] for k in SPOT_FIELDS if k in s}) for s in value["spots"])
    assignments = tuple(
        (s["phase"], None if s["hkl"] is None else tuple(s["hkl"])) for s in value["spots"]
    )
    stored = value.get("candidates")
    candidates = (
        None
        if stored is None
        else tuple(ScaledCandidate(**{k: _tuples(v) for k, v in c.items()}) for c in stored)
    )
    return Shown(
        value,
        spectrum,
        spots,
        _lattice_fit(value["lattice"]),
        assignments,
        _calibration(value),
        candidates,
    )


def _tuples(item: Any) -> Any:
    return tuple(_tuples(v) for v in item) if isinstance(item, list) else item


def _lattice_fit(stored: dict) -> LatticeFit:
    return LatticeFit(**{f.name: _tuples(stored[f.name]) for f in fields(LatticeFit)})


def _calibration(value: dict) -> LatticeCalibration | None:
    stored = value.get("calibration")
    if stored is None:
        return None
    return LatticeCalibration(
        **{f.name: _tuples(stored[f.name]) for f in fields(LatticeCalibration)}
    )


def matches_parameters(stored, parameters: dict) -> bool:
    """Whether a stored "fft" result was measured with ``parameters`` (region, frame, threshold,
    reference)."""
    return stored is not None and plain(parameters) == stored.parameters
