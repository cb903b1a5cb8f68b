"""Crystallography: structures, reflections, electron scattering factors, phase library and
matching."""
