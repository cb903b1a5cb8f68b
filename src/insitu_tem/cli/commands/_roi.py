"""``--roi ROWS,COLS``: one rectangle syntax for every command that takes a region.

Rows and columns are written as half-open ranges in px, rows first (the house's (row, col)
order): ``--roi 180:256,0:256`` is rows 180–255 and columns 0–255 of the frame. Before session
29, ``drift``/``front`` read four numbers as ROW0,ROW1,COL0,COL1 and ``lattice``/
``crystallinity`` as R0,C0,R1,C1, so the same text chose different regions; four plain numbers
are now refused with their translation for the command that was given them.
"""

from __future__ import annotations

import argparse
import re

from insitu_tem.cli.errors import InputError

METAVAR = "R0:R1,C0:C1"
_RANGES = re.compile(r"^\s*(-?\d+)\s*:\s*(-?\d+)\s*,\s*(-?\d+)\s*:\s*(-?\d+)\s*$")
_OLD_ORDERS = {"rows-then-cols": (0, 1, 2, 3), "first-then-end-corner": (0, 2, 1, 3)}


def add_roi_argument(parser: argparse.ArgumentParser, *, purpose: str) -> None:
    """Add ``--roi`` with the shared syntax; ``purpose`` says what the region is for."""
    parser.add_argument(
        "--roi",
        default=None,
        metavar=METAVAR,
        help=f"{purpose}: rows R0 to R1 and columns C0 to C1 in px, end excluded, "
        "e.g. 180:256,0:256 (default: the whole frame)",
    )


def parse_roi(
    text: str | None,
    *,
    shape: tuple[int, int],
    minimum_px: int,
    path: str | None,
    old_order: str,
) -> tuple[int, int, int, int] | None:
    """Parse and check ``R0:R1,C0:C1``.

    Parameters
    ----------
    text : str or None
        The option's text; None means no region.
    shape : tuple of int
        (rows, cols) of the frame, px.
    minimum_px : int
        Smallest side the command can use, px.
    path : str or None
        The file the message names.
    old_order : {"rows-then-cols", "first-then-end-corner"}
        How this command read four comma-separated numbers before, to translate them.

    Returns
    -------
    tuple of int or None
        (row0, row1, col0, col1), half-open, px.
    """
    if text is None:
        return None
    found = _RANGES.match(text)
    if found is None:
        raise InputError(path, _not_ranges(text, old_order))
    r0, r1, c0, c1 = (int(v) for v in found.groups())
    rows, cols = shape
    if not (0 <= r0 < r1 <= rows and 0 <= c0 < c1 <= cols):
        raise InputError(
            path,
            f"--roi {text} must lie inside the {rows} × {cols} px frame "
            f"(0 <= R0 < R1 <= {rows}, 0 <= C0 < C1 <= {cols})",
        )
    if min(r1 - r0, c1 - c0) < minimum_px:
        raise InputError(
            path, f"--roi {text} is smaller than {minimum_px} × {minimum_px} px; enlarge it"
        )
    return r0, r1, c0, c1


def _not_ranges(text: str, old_order: str) -> str:
    numbers = text.split(",")
    if len(numbers) == 4 and all(re.fullmatch(r"\s*-?\d+\s*", v) for v in numbers):
        r0, r1, c0, c1 = (int(numbers[i]) for i in _OLD_ORDERS[old_order])
        return (
            f"--roi {text}: four numbers are no longer accepted (commands read them in "
            f"different orders); write rows then columns as ranges, here --roi {r0}:{r1},{c0}:{c1}"
        )
    return (
        f"--roi {text!r} is not {METAVAR} (rows R0 to R1, columns C0 to C1, px), e.g. 0:256,0:256"
    )
