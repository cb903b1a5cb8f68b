"""The text of a holder log, without a last row the file may have been cut in.

Holder software ends every row with a line break. A log copied while it was still being written,
or cut short on a full disk, ends inside its last row, and a number cut there still reads as a
number (``6.6`` of ``6.6e12``); nothing in the values tells, but the missing line break does.
"""

from __future__ import annotations

from pathlib import Path

from insitu_tem.io.raw_formats import log_text

_SHOWN_CHARS = 60


def complete_text(path: Path) -> tuple[str, tuple[str, ...]]:
    """The decoded text of the log at ``path`` (:func:`~insitu_tem.io.raw_formats.log_text`)
    and the reader's warnings.

    A last line without a line break, after a first line (the header) that has one, is left out
    and a warning shows it and says how to keep it (end the file with a line break); a log whose
    last line is complete is returned whole, with no warning.
    """
    text = log_text(path.read_bytes())
    lines = text.splitlines(keepends=True)
    last = lines[-1] if lines else ""
    ended = len(last.splitlines()[0]) < len(last) if last else True
    if ended or not last.strip() or not any(line.strip() for line in lines[:-1]):
        return text, ()
    row = last.strip()
    shown = row if len(row) <= _SHOWN_CHARS else row[: _SHOWN_CHARS - 1] + "…"
    return "".join(lines[:-1]), (
        f"ends without a line break, so its last row may have been cut while the file was "
        f"written (a number cut there reads wrong, e.g. 6.6e12 as 6.6); that row ({shown!r}) was "
        "left out — if the file is complete, end it with a line break",
    )


__all__ = ["complete_text"]
