"""Reference phases: the shipped library, CIF reading, matching measured spacings.

The library ships as CIF files in ``insitu_tem/resources/phases`` (γ-WO3,
LixWO3, W, Li, Li2O, LiH, LiF, Cu, Si, plus SrTiO3, Bi and VO2 for the
real-data tests); users add their own with :func:`load_cif`.

CIF parsing uses **gemmi** (``gemmi.cif`` + ``make_small_structure_from_block``):
a maintained, MPL-2.0 library with binary wheels for every CPython on PyPI and
no dependencies, that reads CIF 1.1/2.0 (UTF-8 names such as γ-WO3), knows
all 530 space-group settings (origin choices, hexagonal/rhombohedral axes) and
parses symmetry-operator triplets. diffpy.structure and ase were the
alternatives; both pull larger dependency trees for features we do not use.

A :class:`~.crystal_structure.Phase` derives its allowed reflections from the
kinematic structure factor (see :mod:`.crystal_structure`).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Sequence

import numpy as np

from insitu_tem.analysis.crystal.structures import Phase, Site
from insitu_tem.analysis.crystal.crystallography import Index3, UnitCell, index_spots_in_zone
from insitu_tem.analysis.crystal.reflections import Reflection
from insitu_tem.analysis.crystal.scattering_factors import normalise_element

__all__ = [
    "Site",
    "Phase",
    "load_library",
    "get_phase",
    "load_cif",
    "match_spacings",
    "MatchResult",
    "MatchCandidate",
    "Reflection",
    "UnitCell",
]


def load_cif(path: str | Path, *, name: str | None = None) -> Phase:
    """Read a crystal structure from a CIF file.

    Parameters
    ----------
    path : str or Path
        CIF file (first data block is used).
    name : str, optional
        Phase name; default ``_chemical_name_common``, else the formula, else the block name.

    Returns
    -------
    Phase
        Symmetry operations come from the CIF's operator loop when present,
        otherwise from its space-group symbol.
    """
    import gemmi

    path = Path(path)
    try:
        block = gemmi.cif.read(str(path))[0]
        small = gemmi.make_small_structure_from_block(block)
    except (RuntimeError, ValueError, IndexError) as error:
        raise ValueError(f"{path.name}: not a readable CIF ({error}); check the file") from error
    cell = small.cell
    if not small.sites or cell.a <= 1.0:
        raise ValueError(f"{path.name}: the CIF has no cell or no atom sites; export it with both")
    sites = tuple(
        Site(
            normalise_element(s.element.name),
            (s.fract.x, s.fract.y, s.fract.z),
            float(s.occ),
            float(8 * math.pi**2 * s.u_iso),
            s.label,
        )
        for s in small.sites
    )
    operations, symbol = _cif_operations(block, small)
    return Phase(
        name=name
        or _cif_text(block, "_chemical_name_common", "_chemical_formula_sum")
        or block.name,
        lattice=UnitCell(cell.a, cell.b, cell.c, cell.alpha, cell.beta, cell.gamma),
        sites=sites,
        space_group=symbol,
        symmetry_operations=operations,
        source=_cif_text(block, "_publ_section_references", "_journal_name_full") or str(path.name),
    )


def _cif_text(block, *tags: str) -> str:
    import gemmi

    for tag in tags:
        value = block.find_value(tag)
        if value is not None and value not in ("?", "."):
            return " ".join(gemmi.cif.as_string(value).split())
    return ""


def _cif_operations(block, small) -> tuple[tuple[str, ...], str]:
    import gemmi

    for tag in ("_space_group_symop_operation_xyz", "_symmetry_equiv_pos_as_xyz"):
        values = [gemmi.cif.as_string(v) for v in block.find_values(tag)]
        if values:
            group = gemmi.find_spacegroup_by_ops(gemmi.GroupOps([gemmi.Op(v) for v in values]))
            return tuple(values), group.xhm() if group else "P 1"
    group = small.spacegroup
    if group is None:
        raise ValueError("the CIF has neither symmetry operators nor a space-group symbol; add one")
    return tuple(op.triplet() for op in group.operations()), group.xhm()


def _ascii(name: str) -> str:
    return name.replace("γ", "gamma").lower()


def load_library() -> dict[str, Phase]:
    """Every phase shipped with insitu-tem, by name (a new dict each call; the phases are shared).

    Names: ``"γ-WO3"``, ``"LixWO3"``, ``"W"``, ``"Li"``, ``"Li2O"``, ``"LiH"``,
    ``"LiF"``, ``"Cu"``, ``"Si"``, ``"SrTiO3"``, ``"Bi"``, ``"VO2"``.
    """
    return dict(_library())


@functools.lru_cache(maxsize=1)
def _library() -> tuple[tuple[str, Phase], ...]:
    folder = resources.files("insitu_tem") / "resources" / "phases"
    phases = [
        load_cif(Path(str(entry))) for entry in folder.iterdir() if entry.name.endswith(".cif")
    ]
    return tuple((phase.name, phase) for phase in sorted(phases, key=lambda p: p.name))


def get_phase(name: str) -> Phase:
    """Library phase by name, case-insensitive; ``"gamma-WO3"`` is accepted for ``"γ-WO3"``."""
    library = load_library()
    wanted = _ascii(str(name).strip())
    for key, phase in library.items():
        if _ascii(key) == wanted:
            return phase
    raise ValueError(f"unknown phase {name!r}; choose one of: {', '.join(library)}")


@dataclass(frozen=True)
class MatchCandidate:
    """One phase's best explanation of the measured spacings.

    Attributes
    ----------
    phase : str
        Phase name.
    hkl : tuple
        Miller indices assigned to each measured spacing (None when unmatched).
    d_reference_A : tuple
        Reference spacing in Å of each assigned reflection (None when unmatched).
    d_error : tuple
        Relative error d_measured / d_reference - 1 per spacing (None when unmatched).
    zone_axis : tuple of int or None
        [uvw] from two non-collinear assigned spots (only when angles were given).
    score : float
        RMS of the errors in units of the tolerances (0 perfect, <= 1 within tolerance).
    n_matched : int
        Number of measured spacings explained.
    alternatives : tuple
        Per spacing, other reflection families of this phase within tolerance.
    """

    phase: str
    hkl: tuple[Index3 | None, ...]
    d_reference_A: tuple[float | None, ...]
    d_error: tuple[float | None, ...]
    zone_axis: Index3 | None
    score: float
    n_matched: int
    alternatives: tuple[tuple[Index3, ...], ...]


@dataclass(frozen=True)
class MatchResult:
    """Ranked phase candidates for a set of measured spacings.

    ``ok`` is False (with ``reason``) when no phase explains any spacing;
    ``ambiguous`` is True when several phases explain as many spacings as the
    best one, which ``note`` spells out.
    """

    ok: bool
    candidates: tuple[MatchCandidate, ...]
    ambiguous: bool
    note: str
    reason: str = ""

    @property
    def best(self) -> MatchCandidate | None:
        """The top-ranked candidate, or None."""
        return self.candidates[0] if self.candidates else None


def match_spacings(
    d_A: Sequence[float],
    *,
    angles_deg: Sequence[float] | None = None,
    tolerance: float = 0.02,
    angle_tolerance_deg: float = 2.0,
    phases: Sequence[Phase | str] | None = None,
    energy_kV: float = 300.0,
    min_intensity: float = 1e-3,
) -> MatchResult:
    """Rank phases whose allowed reflections explain measured d-spacings (and angles).

    Parameters
    ----------
    d_A : sequence of float
        Measured spacings in Å (one per spot or ring).
    angles_deg : sequence of float, optional
        Azimuth of each spot's g vector in the image, in degrees (same length as
        ``d_A``). Spots are Friedel-reduced, so only the folded angle between
        two spots (0-90°) is used. With angles, hkl are assigned consistently in
        one zone and its axis is reported.
    tolerance : float
        Relative d tolerance (0.02 = 2 %).
    angle_tolerance_deg : float
        Angle tolerance in degrees.
    phases : sequence of Phase or str, optional
        Candidates; default the whole library.
    energy_kV : float
        Beam energy for the structure factors, kV.
    min_intensity : float
        Ignore reflections weaker than this fraction of the phase's strongest |F|².

    Returns
    -------
    MatchResult
        Candidates ranked by number of explained spacings, then score.
    """
    d = _checked_spacings(d_A, tolerance)
    angles = None if angles_deg is None else np.asarray(angles_deg, dtype=float)
    if angles is not None and (angles.shape != d.shape or not np.all(np.isfinite(angles))):
        raise ValueError(f"give one finite angle per spacing ({d.size}), got {angles_deg!r}")
    pool = (
        list(load_library().values())
        if phases is None
        else [p if isinstance(p, Phase) else get_phase(p) for p in phases]
    )
    found = [
        c
        for p in pool
        if (
            c := _match_phase(
                p, d, angles, tolerance, angle_tolerance_deg, energy_kV, min_intensity
            )
        )
    ]
    found.sort(key=lambda c: (-c.n_matched, c.score))
    if not found:
        listed = ", ".join(f"{v:.3f}" for v in d)
        return MatchResult(
            False,
            (),
            False,
            "",
            reason=(
                f"no phase has a reflection within {tolerance:.1%} of d = {listed} Å; "
                "widen the tolerance, check the calibration or load the phase's CIF"
            ),
        )
    top = [c for c in found if c.n_matched == found[0].n_matched]
    return MatchResult(True, tuple(found), len(top) > 1, _note(top, d, tolerance))


def _checked_spacings(d_A, tolerance: float) -> np.ndarray:
    d = np.atleast_1d(np.asarray(d_A, dtype=float))
    if d.ndim != 1 or d.size == 0 or not np.all(np.isfinite(d) & (d > 0)):
        raise ValueError(f"give one or more positive d-spacings in Å, got {d_A!r}")
    if not 0 < tolerance < 0.5:
        raise ValueError(f"tolerance {tolerance!r} must be a fraction between 0 and 0.5, e.g. 0.02")
    return d


def _match_phase(
    phase, d, angles, tolerance, angle_tol, energy_kV, min_intensity
) -> MatchCandidate | None:
    table = phase.reflections(d_min_A=float(d.min()) * (1 - tolerance) * 0.999, energy_kV=energy_kV)
    strongest = max((r.intensity for r in table), default=0.0)
    table = [r for r in table if r.intensity >= min_intensity * strongest]
    options = [
        sorted(
            (r for r in table if abs(value / r.d_A - 1) <= tolerance),
            key=lambda r: abs(value / r.d_A - 1),
        )
        for value in d
    ]
    matched = [i for i, opts in enumerate(options) if opts]
    if not matched:
        return None
    hkl: list = [opts[0].hkl if opts else None for opts in options]
    zone, angle_errors = None, ()
    if angles is not None and len(matched) > 1:
        families = [[phase.equivalents(r.hkl) for r in opts] for opts in options]
        indexed = index_spots_in_zone(
            phase.lattice, families, angles, angle_tolerance_deg=angle_tol
        )
        hkl, zone, angle_errors = list(indexed.hkl), indexed.zone_axis, indexed.angle_errors_deg
        if not any(h is not None for h in hkl):
            return None
    refs = [phase.d_spacing(h) if h is not None else None for h in hkl]
    d_err = [d[i] / r - 1 if r is not None else None for i, r in enumerate(refs)]
    terms = [e / tolerance for e in d_err if e is not None] + [a / angle_tol for a in angle_errors]
    alternatives = tuple(
        tuple(r.hkl for r in opts if h is None or r.hkl not in phase.equivalents(h))
        for opts, h in zip(options, hkl)
    )
    return MatchCandidate(
        phase.name,
        tuple(hkl),
        tuple(refs),
        tuple(d_err),
        zone,
        float(np.sqrt(np.mean(np.square(terms)))),
        sum(h is not None for h in hkl),
        alternatives,
    )


def _note(top: list[MatchCandidate], d: np.ndarray, tolerance: float) -> str:
    def describe(c: MatchCandidate) -> str:
        parts = [
            f"({''.join(str(v) for v in h)}) {r:.3f} Å" for h, r in zip(c.hkl, c.d_reference_A) if h
        ]
        zone = f" zone [{''.join(str(v) for v in c.zone_axis)}]" if c.zone_axis else ""
        return f"{c.phase} {', '.join(parts)}{zone}"

    listed = ", ".join(f"{v:.3f}" for v in d)
    if len(top) > 1:
        return (
            f"ambiguous: d = {listed} Å fits {len(top)} phases within {tolerance:.1%}: "
            + "; ".join(describe(c) for c in top)
            + ". Measure another spacing or the angle between two spots to decide."
        )
    return f"best match: {describe(top[0])}"
