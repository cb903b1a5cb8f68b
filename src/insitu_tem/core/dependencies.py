"""What a session's results and annotations depend on: file sources and invalidation records."""

from __future__ import annotations

from dataclasses import dataclass, field

from insitu_tem.core.results import Result


@dataclass(frozen=True)
class DataSource:
    """Where the dataset of a role comes from.

    Attributes
    ----------
    path : str or None
        Absolute path of the raw file (None: made in memory, not saved with the project).
    sha256 : str
        File checksum ("" until computed; :meth:`Session.fingerprint` fills it in).
    signal : int or None
        Signal index in a multi-signal file.
    kind : str or None
        Kind the file was read as when overridden (e.g. "pattern_series").
    token : str
        Identity of an in-memory dataset (fingerprint when there is no file).
    """

    path: str | None = None
    sha256: str = ""
    signal: int | None = None
    kind: str | None = None
    token: str = field(default="", compare=False)

    def same_file(self, other: "DataSource | None") -> bool:
        """True when ``other`` reads the same bytes the same way (checksums compared when both
        known)."""
        if (
            other is None
            or self.path is None
            or (self.path, self.signal, self.kind) != (other.path, other.signal, other.kind)
        ):
            return False
        return not (self.sha256 and other.sha256 and self.sha256 != other.sha256)


@dataclass(frozen=True)
class Invalidation:
    """What replacing or removing the dataset of ``role`` took away (for asking and undo)."""

    role: str
    results: dict = field(default_factory=dict)
    scan_lines: dict = field(default_factory=dict)
    analysis_line: list | None = None
    marks: dict = field(default_factory=dict)
    calibration: dict | None = None
    measurements: dict = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(
            self.results
            or self.scan_lines
            or self.analysis_line
            or self.marks
            or self.calibration
            or self.measurements
        )

    def describe(self) -> list[str]:
        """Human-readable names of what is lost, e.g. ["front result", "EELS scan line"]."""
        names = [f"{name} result" for name in self.results]
        names += [f"{role.upper()} scan line" for role in self.scan_lines]
        names += ["analysis line"] if self.analysis_line else []
        names += ["front marks"] if self.marks else []
        names += [f"{self.role} calibration"] if self.calibration else []
        names += [f"{self.role} measuring tools"] if self.measurements else []
        return names


def dependent_results(results: dict[str, Result], keys: set[str]) -> dict[str, Result]:
    """Results whose inputs include any of ``keys``, and transitively those built on them."""
    keys = set(keys)
    found: dict[str, Result] = {}
    grew = True
    while grew:
        grew = False
        for name, result in results.items():
            if name not in found and keys & set(result.inputs):
                found[name] = result
                keys.add(f"result.{name}")
                grew = True
    return found
