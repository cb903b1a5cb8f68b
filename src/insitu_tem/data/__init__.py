"""Qt-free data model and file readers/writers."""

from .model import KINDS, Axis, DataError, Dataset

__all__ = ["KINDS", "Axis", "DataError", "Dataset"]
