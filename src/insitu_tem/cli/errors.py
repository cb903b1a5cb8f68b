"""The exceptions a command raises for bad input (no heavy imports: the entry point uses them)."""

from __future__ import annotations

from pathlib import Path

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1
EXIT_INTERRUPTED = 130


class InputError(Exception):
    """Bad input for a command: reported as one line naming the file, exit 2."""

    def __init__(self, path: str | Path | None, message: str) -> None:
        super().__init__(message)
        self.path = None if path is None else str(path)
        self.message = message


class OptionError(InputError):
    """A bad command-line option: reported as one line, exit 2."""


def classify_error(error: BaseException, path: str | None) -> tuple[int, str | None, str]:
    """Exit code, file and message for an exception escaping a command."""
    if isinstance(error, InputError):
        return (
            EXIT_BAD_INPUT,
            error.path or (None if isinstance(error, OptionError) else path),
            error.message,
        )
    if isinstance(error, ImportError):
        return (
            EXIT_INTERNAL,
            None,
            (
                f"internal error: a library failed to import ({error}); reinstall "
                "insitu-tem (pip install -e .) and rerun with --debug"
            ),
        )
    if isinstance(error, (ValueError, OSError)):
        where = getattr(error, "filename", None) or path
        text = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        return EXIT_BAD_INPUT, where, text or type(error).__name__
    if isinstance(error, RecursionError):
        return (
            EXIT_BAD_INPUT,
            path,
            "is nested too deeply to read; the file may be damaged or malicious",
        )
    if isinstance(error, MemoryError):
        return (
            EXIT_BAD_INPUT,
            path,
            (
                "needs more memory than this machine has for this command; "
                "try a smaller region or frame range, or a machine with more memory"
            ),
        )
    return (
        EXIT_INTERNAL,
        path,
        f"internal error ({type(error).__name__}: {error}); please report it with --debug",
    )
