"""Format-specific readers. Each returns a list of :class:`RawSignal` that
:mod:`insitu_tem.data.io` turns into calibrated :class:`~insitu_tem.data.model.Dataset`."""

from .raw import RawAxis, RawSignal

__all__ = ["RawAxis", "RawSignal"]
