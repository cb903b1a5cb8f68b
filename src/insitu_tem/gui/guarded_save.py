"""Files the user saves from the window go through the same guard as the command line.

A path chosen in a save dialog may be the movie that is open, or another microscope file:
:func:`save_guarded` refuses it (the error names the file and says what to do) and
writes through a temporary name, so a failed write leaves no partial file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable


def save_guarded(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(temporary_path)`` and move the result to ``path``.

    Raises
    ------
    insitu_tem.io.outputs.OutputError
        When ``path`` is a file the session reads or an existing microscope data file.
    """
    from insitu_tem.io.outputs import output_file

    with output_file(path, option="file") as temporary:
        write(temporary)
    return Path(path)
