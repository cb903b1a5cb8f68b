"""Analysis results as the session keeps them, and the fingerprints that make them reproducible.

A :class:`Result` holds a plain value (dicts, lists, floats, ints, str, bool,
None: what JSON holds, so saving and reopening gives identical numbers), the
parameters that produced it and the fingerprints of its inputs (file checksums
with calibration, annotations, other results) at the time it was computed.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field, is_dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

import insitu_tem


def plain(value: Any) -> Any:
    """``value`` as plain JSON types: arrays -> lists, numpy scalars -> Python, tuples -> lists.

    NaN and infinities stay floats (the project file writes them as ``NaN``/``Infinity``).
    """
    if is_dataclass(value) and not isinstance(value, type):
        return plain(asdict(value))
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if value is None or isinstance(value, str):
        return value
    raise TypeError(
        f"cannot keep a {type(value).__name__} in the session; convert it to numbers, lists or "
        "dicts"
    )


def same(a: Any, b: Any) -> bool:
    """Equality of plain values where NaN equals NaN (bit-identical numbers otherwise)."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def digest(value: Any) -> str:
    """A short SHA-256 of a plain value's canonical JSON (fingerprint of annotations and
    results)."""
    return _digest_of_plain(plain(value))


def _digest_of_plain(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def sha256_of(path: str | Path, *, chunk_bytes: int = 2**22) -> str:
    """SHA-256 hex digest of a file, read in chunks."""
    hasher = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(chunk_bytes), b""):
            hasher.update(block)
    return hasher.hexdigest()


@dataclass(frozen=True)
class Result:
    """One analysis result kept in the session.

    Attributes
    ----------
    value : dict
        The numbers, as plain JSON types (see :func:`plain`); units are part of the
        keys or stored beside them.
    parameters : dict
        The parameters that produced ``value`` (plain types).
    inputs : dict of str to str
        Input name -> fingerprint when computed: a role ("movie"), an annotation
        ("analysis_line", "marks", "scan_line.eels") or another result ("result.front").
    program_version : str
        insitu-tem version that computed it.
    """

    value: dict = field(default_factory=dict)
    parameters: dict = field(default_factory=dict)
    inputs: dict = field(default_factory=dict)
    program_version: str = field(default_factory=lambda: insitu_tem.__version__)

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", plain(self.value))
        object.__setattr__(self, "parameters", plain(self.parameters))
        object.__setattr__(self, "inputs", {str(k): str(v) for k, v in self.inputs.items()})

    @cached_property
    def fingerprint(self) -> str:
        """:func:`digest` of the value and parameters: what a result computed from this one
        records as its input "result.<name>" (computed once; a result is never changed; its value
        and parameters are plain already)."""
        return _digest_of_plain([self.value, self.parameters])

    def same_as(self, other: "Result") -> bool:
        """Identical numbers, parameters and inputs (NaN equals NaN)."""
        return same(plain(asdict(self)), plain(asdict(other)))

    def to_dict(self) -> dict:
        return plain(asdict(self))

    @classmethod
    def from_dict(cls, document: dict) -> "Result":
        return cls(
            value=document.get("value", {}),
            parameters=document.get("parameters", {}),
            inputs=document.get("inputs", {}),
            program_version=str(document.get("program_version", "")),
        )
