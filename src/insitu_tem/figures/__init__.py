"""Publication figures, Qt-free (matplotlib): calibrated frames with exact scale bars,
profiles, multi-panel compositions with panel letters, movie export, provenance."""
