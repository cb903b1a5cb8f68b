"""The exceptions a command raises for bad input (no heavy imports: the entry point uses them)."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad input for a command: reported as one line naming the file, exit 2."""

    def __init__(self, path: str | Path | None, message: str) -> None:
        super().__init__(message)
        self.path = None if path is None else str(path)
        self.message = message


class OptionError(InputError):
    """A bad command-line option: reported as one line, exit 2."""
