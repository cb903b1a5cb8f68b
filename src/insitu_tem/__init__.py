"""insitu-tem: a workbench for in situ TEM of battery materials."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    if name != "__version__":
        raise AttributeError(f"module 'insitu_tem' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        value = version("insitu-tem")
    except PackageNotFoundError:  # running from a source tree without install
        value = "0.0.0+unknown"
    globals()["__version__"] = value
    return value
