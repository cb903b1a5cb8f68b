"""Colour maps of exported figures: the names the screen uses, read through the screen's gamma.

The screen (pyqtgraph) and matplotlib name maps differently: "grey" is matplotlib's "gray",
and the CET maps ("CET-L8", ...) come from colorcet, the library both take them from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from insitu_tem.analysis.movie.display_processing import gamma_lut

if TYPE_CHECKING:
    from matplotlib.colors import Colormap

ALIASES = {"grey": "gray"}


def base_colormap(name: str | None) -> Colormap:
    """The matplotlib colour map for a screen colour-map name (None: grey)."""
    name = ALIASES.get(name or "gray", name or "gray")
    if name.upper().startswith("CET-") or name.upper().startswith("CET_"):
        import colorcet

        key = name.replace("-", "_").upper()
        if key not in colorcet.cm:
            raise ValueError(f"unknown colour map {name!r}")
        return colorcet.cm[key]
    from matplotlib import colormaps

    return colormaps[name]


def colormap(name: str | None, gamma: float = 1.0) -> Colormap:
    """``name`` read through the same 256-entry gamma table as the screen (gamma 1: unchanged)."""
    from matplotlib.colors import ListedColormap

    base = base_colormap(name)
    if float(gamma) == 1.0:
        return base
    colors = np.round(base(np.linspace(0.0, 1.0, 256))[:, :3] * 255).astype(np.uint8)
    return ListedColormap(gamma_lut(colors, float(gamma)) / 255.0, name=f"{base.name}^{gamma:g}")
