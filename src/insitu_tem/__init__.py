"""insitu-tem: a workbench for in situ TEM of battery materials."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("insitu-tem")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+unknown"
