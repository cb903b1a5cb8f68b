"""Format-specific readers. Each returns a list of :class:`RawSignal` that
:mod:`insitu_tem.io.load` turns into calibrated :class:`~insitu_tem.core.model.Dataset`."""

from insitu_tem.io.readers.raw import RawAxis, RawSignal

__all__ = ["RawAxis", "RawSignal"]
