"""Qt-free core: the data model, units, calibration, coordinates and the project file."""

from insitu_tem.core.model import KINDS, Axis, DataError, Dataset

__all__ = ["KINDS", "Axis", "DataError", "Dataset"]
