"""Deterministic generators of the bundled sample data and their ground truth.

Each module writes one sample into a folder with a ``*.truth.json`` beside it;
:func:`write_all` writes every sample and the sample project that opens them.
Run ``python -m insitu_tem.samples sample_data`` to regenerate.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from insitu_tem.core.project import PROJECT_SUFFIX
from insitu_tem.samples.experiment import EXPERIMENT, Experiment

SAMPLE_MODULES = ("movie", "hrtem", "nbd", "eels", "holder_log")
PROJECT_NAME = "sample" + PROJECT_SUFFIX
"""File name of the sample project that opens every sample."""


def write_all(folder: str | Path) -> list[Path]:
    """Write all bundled samples and the sample project into ``folder``.

    Returns
    -------
    list of Path
        Every file written, data files and ground-truth JSON.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name in SAMPLE_MODULES:
        written += import_module(f"{__name__}.{name}").write(folder)
    written.append(import_module(f"{__name__}.project").write(folder))
    return written


__all__ = ["EXPERIMENT", "Experiment", "PROJECT_NAME", "SAMPLE_MODULES", "write_all"]
