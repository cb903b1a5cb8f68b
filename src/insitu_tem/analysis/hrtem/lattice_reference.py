"""Reference spacings for the lattice calibration check: a library phase's reflection (with its
phase's other spacings) or a typed spacing, and Miller indices as users type them."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ReferenceSpacing:
    """A known spacing for the calibration check.

    Attributes
    ----------
    d_nm : float
        The reference reflection's spacing, nm.
    label : str
        "SrTiO3 (100)" or "3.905 Å".
    other_d_nm : tuple of float
        Spacings of the phase's other reflections, nm: a measured spacing
        belongs to the reference family when it is nearer to ``d_nm`` than to
        any of these.
    """

    d_nm: float
    label: str = ""
    other_d_nm: tuple[float, ...] = ()


def reference_spacing(phase_name: str, hkl: tuple[int, int, int]) -> ReferenceSpacing:
    """The spacing of reflection ``hkl`` of a library phase, with the phase's other spacings.

    Raises ValueError for an unknown phase or an extinct reflection.
    """
    from insitu_tem.analysis.crystal.phases import get_phase

    phase = get_phase(phase_name)
    reflections = phase.reflections(d_min_A=0.5)
    allowed = {h for r in reflections for h in phase.equivalents(r.hkl)}
    if tuple(hkl) not in allowed:
        raise ValueError(
            f"({''.join(map(str, hkl))}) is not an allowed reflection of {phase.name}; "
            "pick a reflection the structure factor allows"
        )
    d_A = phase.d_spacing(hkl)
    others = tuple(r.d_A / 10.0 for r in reflections if abs(r.d_A / d_A - 1) > 1e-6)
    return ReferenceSpacing(d_A / 10.0, f"{phase.name} ({''.join(str(v) for v in hkl)})", others)


def parse_hkl(text: str) -> tuple[int, int, int]:
    """Miller indices from "100", "1-10", "1 -1 0" or "1,-1,0"; raise ValueError otherwise."""
    text = str(text).strip()
    tokens = re.split(r"[ ,]+", text) if re.search(r"[ ,]", text) else re.findall(r"-?\d", text)
    if len(tokens) != 3 or not all(re.fullmatch(r"-?\d+", t) for t in tokens):
        raise ValueError(f"hkl {text!r}: give three Miller indices, e.g. 100, 1-10 or '1 -1 0'")
    return int(tokens[0]), int(tokens[1]), int(tokens[2])
