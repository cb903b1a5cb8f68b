"""Every result file goes through here: outputs never touch inputs.

:func:`output_file` refuses a path that resolves (after symlinks and hard links) to an
input of the run or to any raw file this process has opened, or whose folder is not
writable; refuses to overwrite an existing raw data file (any format a reader takes, a
holder log: a vendor's, or a CSV/TSV with a time column) unless ``force`` — a file insitu-tem
wrote itself, marked by :data:`OWN_METADATA` in its description, is a result, not raw data, and
is replaced; and yields a
temporary name in the same folder that is renamed into place only when writing succeeded —
on an error or Ctrl-C the partial file is removed.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from insitu_tem.core.model import DataError
from insitu_tem.io.raw_formats import OTHER_RAW_SUFFIXES, is_holder_log, log_text
from insitu_tem.io.sniff import sniff_head

_OPENED: set[str] = set()
_OPENED_LOCK = threading.Lock()
OWN_METADATA = {"program": "insitu-tem"}
_OWN_MARKS = (b'"program": "insitu-tem"', b"\nprogram=insitu-tem\n")


class OutputError(DataError):
    """An output path that must not be written; ``filename`` names it."""

    def __init__(self, path: str | os.PathLike, message: str) -> None:
        super().__init__(message)
        self.filename = str(path)


def remember_input(path: str | os.PathLike) -> None:
    """Record a raw file (or folder) this process reads: it is never written."""
    with _OPENED_LOCK:
        _OPENED.add(os.path.realpath(path))


def opened_inputs() -> frozenset[str]:
    """Real paths of every raw file read so far in this process."""
    with _OPENED_LOCK:
        return frozenset(_OPENED)


def _same_file(path: str, others: Iterable[str]) -> bool:
    try:
        own = os.stat(path)
    except OSError:
        return False
    for other in others:
        try:
            if os.path.samestat(own, os.stat(other)):
                return True
        except OSError:
            continue
    return False


def _raw_kind(path: str) -> str | None:
    """``"a holder log"`` or ``"a microscope data file"`` for an existing raw data file (one a
    reader accepts by its extension or whose first bytes show a format the readers know,
    :func:`~insitu_tem.io.sniff.sniff_head`, that insitu-tem did not write itself: no
    :data:`OWN_METADATA` in a JSON description — exports, the projections beside a volume — or in
    an ImageJ one, ``program=insitu-tem`` — volumes and labels); None for anything else."""
    from insitu_tem.io.load import SUPPORTED_SUFFIXES

    try:
        with open(path, "rb") as stream:
            head = stream.read(65536)
    except OSError:
        return None
    if any(mark in head for mark in _OWN_MARKS):
        return None
    if _is_holder_log(head):
        return "a holder log"
    if Path(path).suffix.lower() in SUPPORTED_SUFFIXES + OTHER_RAW_SUFFIXES or sniff_head(head):
        return "a microscope data file"
    return None


def _is_holder_log(head: bytes) -> bool:
    try:
        text = log_text(head[:4096])
    except DataError:
        return False
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return bool(lines) and is_holder_log(lines[0])


def check_output(
    path: str | os.PathLike,
    *,
    inputs: Iterable[str | os.PathLike] = (),
    force: bool = False,
    option: str = "--out",
    table: str | None = None,
) -> Path:
    """Resolve an output path and refuse it when writing would harm data; see module docstring.

    ``table`` names the text a command writes there (e.g. ``"a CSV table"``): such an output is
    refused under a microscope data file's name (``drift.tif``), which every later run would
    take for raw data.

    Returns
    -------
    Path
        The resolved path to write (symlinks followed).

    Raises
    ------
    OutputError
        Naming the path and what to do instead.
    """
    if str(path).strip() == "":
        raise OutputError(option, f"is empty; give a file name, e.g. {option} result.csv")
    real = os.path.realpath(path)
    if os.path.isdir(real):
        raise OutputError(path, f"is a folder; give a file name for {option}")
    if not os.path.isdir(os.path.dirname(real)):
        raise OutputError(path, f"its folder does not exist; create it or choose another {option}")
    if not os.access(os.path.dirname(real), os.W_OK | os.X_OK):
        raise OutputError(path, f"its folder is not writable; choose another {option}")
    protected = {os.path.realpath(p) for p in inputs} | opened_inputs()
    if real in protected or _same_file(real, protected):
        raise OutputError(
            path, f"is an input of this run and is never overwritten; choose another {option}"
        )
    kind = None if force or not os.path.exists(real) else _raw_kind(real)
    if kind is not None:
        forcing = " (or add --force to replace it)" if option.startswith("--") else ""
        raise OutputError(
            path, f"exists and is raw data ({kind}); choose another {option}{forcing}"
        )
    if table is not None:
        _refuse_data_suffix(path, table=table, option=option)
    return Path(real)


def _refuse_data_suffix(path: str | os.PathLike, *, table: str, option: str) -> None:
    from insitu_tem.io.load import SUPPORTED_SUFFIXES

    suffix = Path(path).suffix.lower()
    if suffix in SUPPORTED_SUFFIXES + OTHER_RAW_SUFFIXES:
        raise OutputError(
            path,
            f"{option} writes {table}, and a name ending {suffix} reads as a microscope data "
            f"file; give it a .csv name, e.g. {option} {Path(path).stem}.csv",
        )


def check_output_folder(path: str | os.PathLike, *, option: str = "--out") -> Path:
    """Refuse, before any work, a folder that results cannot be written into: an empty name, an
    existing file (a raw file given by mistake included) or a folder (or, when it does not exist
    yet, the nearest folder above it, where it will be created) that is not writable.

    Returns
    -------
    Path
        The folder, as given (it is created when the results are written).

    Raises
    ------
    OutputError
        Naming the path and what to do instead.
    """
    if str(path).strip() == "":
        raise OutputError(option, f"is empty; give a folder name, e.g. {option} results")
    real = Path(os.path.realpath(path))
    if real.exists() and not real.is_dir():
        raise OutputError(
            path, f"is a file, not a folder; {option} takes the folder the results go into"
        )
    existing = next(p for p in (real, *real.parents) if p.exists())
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        where = "" if existing == real else f" ({existing} cannot hold new folders)"
        raise OutputError(path, f"cannot be written{where}; choose another {option}")
    return Path(path)


@contextmanager
def output_file(
    path: str | os.PathLike,
    *,
    inputs: Iterable[str | os.PathLike] = (),
    force: bool = False,
    option: str = "--out",
) -> Iterator[Path]:
    """Yield a temporary path beside the checked output; rename it into place on success,
    remove it on any error or interrupt."""
    final = check_output(path, inputs=inputs, force=force, option=option)
    temp = final.with_name(
        f".{final.stem}.partial-{os.getpid()}-{threading.get_ident()}{final.suffix}"
    )
    try:
        yield temp
        if not temp.exists():
            raise OutputError(path, "nothing was written")
        os.replace(temp, final)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
