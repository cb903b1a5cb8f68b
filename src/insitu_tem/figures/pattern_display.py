"""What the NBD view shows of a pattern — one function for the screen and the export."""

from __future__ import annotations

import numpy as np

DISPLAY_MODES = ("log", "gamma", "linear")


def pattern_display(pattern, *, mode: str, gamma: float) -> np.ndarray:
    """log(1 + I), (I − min)^γ or I as float32; complex data shows its modulus.

    Parameters
    ----------
    pattern : array_like
        One diffraction pattern (counts).
    mode : {"log", "gamma", "linear"}
        Display transform.
    gamma : float
        Exponent of the "gamma" mode (dimensionless).
    """
    data = np.asarray(np.abs(pattern) if np.iscomplexobj(pattern) else pattern, dtype=np.float32)
    if mode == "log":
        return np.log1p(np.clip(data, 0, None))
    if mode == "gamma":
        return np.power(np.clip(data - data.min(), 0, None), float(gamma))
    return data
