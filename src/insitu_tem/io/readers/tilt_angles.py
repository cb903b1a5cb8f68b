"""Tilt angles from where acquisitions record them: a file's name, an IMOD ``.rawtlt``/``.tlt``
or SerialEM ``.mdoc`` file, or a ``START:STOP:STEP`` range given on the command line."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from insitu_tem.core.model import DataError
from insitu_tem.io.readers.tilt_checks import finite_tilts

_ANGLE = re.compile(r"[-+]?\d+(?:\.\d+)?")
MAX_TILTS = 3600


def angle_from_name(path: Path) -> float | None:
    """The last signed number in a file's stem, degrees (``"-40"`` → −40, ``"tilt_+12.5"`` →
    12.5)."""
    found = _ANGLE.findall(path.stem)
    return float(found[-1]) if found else None


def read_tilt_file(path: Path) -> np.ndarray:
    """Angles from an IMOD ``.rawtlt``/``.tlt`` file (one per line), or a SerialEM ``.mdoc``,
    degrees."""
    text = path.read_text(errors="replace")
    if path.suffix.lower() == ".mdoc":
        values = re.findall(r"^\s*TiltAngle\s*=\s*([-+0-9.eE]+)", text, flags=re.MULTILINE)
    else:
        values = [line.split()[0] for line in text.splitlines() if line.strip()]
    try:
        angles = np.array([float(v) for v in values])
    except ValueError as error:
        raise DataError(
            f"{path.name} holds a non-number ({error}); one tilt angle per line, in degrees"
        ) from error
    if angles.size == 0:
        raise DataError(f"{path.name} holds no tilt angles; one angle per line, in degrees")
    return finite_tilts(angles, path.name)


def parse_tilts(text: str) -> np.ndarray:
    """``"START:STOP:STEP"`` (inclusive, degrees) or a path to a tilt file."""
    if ":" in text and not Path(text).exists():
        try:
            start, stop, step = (float(v) for v in text.split(":"))
        except ValueError as error:
            raise DataError(
                f"--tilts {text!r}: give START:STOP:STEP in degrees, e.g. -60:60:5"
            ) from error
        if step == 0:
            raise DataError("--tilts: STEP must not be 0")
        if not all(abs(v) <= 90 for v in (start, stop)) or not abs(step) <= 180:
            raise DataError(
                f"--tilts {text!r}: START and STOP must be angles within ±90°, e.g. -60:60:5"
            )
        if (stop - start) / step > MAX_TILTS:
            raise DataError(
                f"--tilts {text!r} gives more than {MAX_TILTS} tilts; give the STEP between "
                "the series' tilts, e.g. -60:60:5"
            )
        return np.arange(start, stop + step / 2, step)
    return read_tilt_file(Path(text))
