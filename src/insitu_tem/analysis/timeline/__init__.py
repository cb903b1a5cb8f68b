"""The in situ timeline: charge passed, lithium per formula unit, electron dose, and the
synchronisation of holder logs with movie frames. Qt-free, pure functions."""
