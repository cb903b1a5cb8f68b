"""The tracked front against the charge passed: the charge when the front reaches a position, and
the lithium per formula unit behind the front, each with its 1σ.

Both take the front track (position along the line at every frame, with its 1σ) and a
:class:`~insitu_tem.analysis.timeline.frames.FrameTimeline` (the charge at the same frames).

References
----------
Faraday's law, n = Q / F (CODATA 2018 F, ``scipy.constants``). WO3: M = 231.84 g/mol,
ρ = 7.16 g/cm³ (monoclinic γ-WO3), so V_m = 32.4 cm³/mol.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from insitu_tem.analysis.timeline.charge import lithium_per_formula_unit
from insitu_tem.analysis.timeline.frames import FrameTimeline

WO3_MOLAR_MASS_G_MOL = 231.84
WO3_DENSITY_G_CM3 = 7.16


@dataclass(frozen=True)
class FilmGeometry:
    """The reacting film: its height in the image (across the front's path) and its depth along
    the beam, both in nm with 1σ, and the host's molar mass (g/mol) and density (g/cm³)."""

    height_nm: float
    depth_nm: float
    height_sigma_nm: float = 0.0
    depth_sigma_nm: float = 0.0
    molar_mass_g_mol: float = WO3_MOLAR_MASS_G_MOL
    density_g_cm3: float = WO3_DENSITY_G_CM3

    def __post_init__(self) -> None:
        values = (self.height_nm, self.depth_nm, self.molar_mass_g_mol, self.density_g_cm3)
        if not all(np.isfinite(v) and v > 0 for v in values):
            raise ValueError("film height, depth, molar mass and density must be positive numbers")
        if not (self.height_sigma_nm >= 0 and self.depth_sigma_nm >= 0):
            raise ValueError("the 1σ of the film height and depth must be ≥ 0 nm")

    @property
    def molar_volume_cm3(self) -> float:
        """V_m = M / ρ (cm³/mol)."""
        return self.molar_mass_g_mol / self.density_g_cm3


@dataclass(frozen=True)
class LithiumBehindFront:
    """x in Li_x(host) behind the front at every frame.

    Attributes
    ----------
    advance_nm, advance_sigma_nm : ndarray
        Distance the front has moved since the reference frame, and its 1σ (nm).
    x, x_sigma : ndarray
        Li per formula unit and its 1σ; NaN where the front has not moved or was not found.
    ok : bool
    reason : str
    """

    advance_nm: np.ndarray
    advance_sigma_nm: np.ndarray
    x: np.ndarray
    x_sigma: np.ndarray
    ok: bool = True
    reason: str = ""


@dataclass(frozen=True)
class FrontCrossing:
    """When the front first reaches a position: time (s), frame, charge and its 1σ (C)."""

    position: float
    time_s: float
    frame: int
    charge_C: float
    charge_sigma_C: float
    ok: bool = True
    reason: str = ""


def _direction(position: np.ndarray) -> float:
    valid = position[np.isfinite(position)]
    if valid.size < 2 or valid[-1] == valid[0]:
        return 0.0
    return float(np.sign(valid[-1] - valid[0]))


def lithium_behind_front(
    timeline: FrameTimeline,
    position_nm: np.ndarray,
    position_sigma_nm: np.ndarray,
    *,
    geometry: FilmGeometry,
    reference_frame: int | None = None,
) -> LithiumBehindFront:
    """Li per formula unit behind the front, x = (|Q| / F) · V_m / (advance × height × depth).

    Parameters
    ----------
    timeline : FrameTimeline
        Charge passed at the movie's frames (C), with its 1σ.
    position_nm, position_sigma_nm : ndarray
        Front position along the line at every frame and its 1σ (nm).
    geometry : FilmGeometry
    reference_frame : int, optional
        Frame where the front starts to move (the bias switched on); default the first frame with
        a front position.

    Returns
    -------
    LithiumBehindFront
        The 1σ adds in quadrature the relative 1σ of the charge, of the advance (both end
        positions) and of the film's height and depth.
    """
    position = np.asarray(position_nm, dtype=float)
    sigma = np.asarray(position_sigma_nm, dtype=float)
    if position.shape != timeline.charge_C.shape:
        raise ValueError("give one front position per movie frame")
    found = np.flatnonzero(np.isfinite(position))
    direction = _direction(position)
    if found.size < 2 or direction == 0 or timeline.current_channel is None:
        nan = np.full(position.shape, np.nan)
        reason = timeline.reason if timeline.current_channel is None else "the front did not move"
        return LithiumBehindFront(nan, nan, nan, nan, ok=False, reason=reason)
    start = int(found[0] if reference_frame is None else reference_frame)
    advance = direction * (position - position[start])
    advance_sigma = np.hypot(sigma, sigma[start])
    x = lithium_per_formula_unit(
        timeline.charge_C - timeline.charge_C[start],
        advance * geometry.height_nm * geometry.depth_nm,
        molar_volume_cm3=geometry.molar_volume_cm3,
    )
    charge = np.abs(timeline.charge_C - timeline.charge_C[start])
    charge_sigma = np.hypot(timeline.charge_sigma_C, timeline.charge_sigma_C[start])
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.sqrt(
            (charge_sigma / charge) ** 2
            + (advance_sigma / advance) ** 2
            + (geometry.height_sigma_nm / geometry.height_nm) ** 2
            + (geometry.depth_sigma_nm / geometry.depth_nm) ** 2
        )
    return LithiumBehindFront(advance, advance_sigma, x, np.abs(x) * relative)


def charge_when_front_reaches(
    timeline: FrameTimeline,
    position: np.ndarray,
    position_sigma: np.ndarray,
    target: float,
) -> FrontCrossing:
    """The charge passed when the front first reaches ``target`` (same units as ``position``).

    The crossing is interpolated linearly between the two frames that bracket it. Its 1σ adds in
    quadrature the charge's 1σ there and the charge the current passes while the front moves by
    the position's 1σ (|dQ/dx| × σ_x).
    """
    position = np.asarray(position, dtype=float)
    sigma = np.asarray(position_sigma, dtype=float)
    direction = _direction(position)
    ahead = direction * (position - float(target))
    valid = np.flatnonzero(np.isfinite(ahead) & np.isfinite(timeline.charge_C))
    if valid.size < 2 or direction == 0:
        return _missing(target, "no moving front with charge at its frames")
    reached = np.flatnonzero(ahead[valid] >= 0)
    if reached.size == 0:
        return _missing(target, "the front never reaches that position in the movie")
    if reached[0] == 0:
        return _missing(target, "the front is already past that position in the first frame")
    before, after = valid[reached[0] - 1], valid[reached[0]]
    fraction = (target - position[before]) / (position[after] - position[before])
    times = timeline.frame_time_s
    charge, charge_sigma = timeline.charge_C, timeline.charge_sigma_C
    slope = (charge[after] - charge[before]) / (position[after] - position[before])
    sigma_x = sigma[before] + fraction * (sigma[after] - sigma[before])
    sigma_q = charge_sigma[before] + fraction * (charge_sigma[after] - charge_sigma[before])
    return FrontCrossing(
        float(target),
        float(times[before] + fraction * (times[after] - times[before])),
        int(after if fraction >= 0.5 else before),
        float(charge[before] + fraction * (charge[after] - charge[before])),
        float(np.hypot(sigma_q, slope * sigma_x)),
    )


def _missing(target: float, reason: str) -> FrontCrossing:
    return FrontCrossing(float(target), np.nan, -1, np.nan, np.nan, ok=False, reason=reason)
