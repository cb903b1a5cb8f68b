"""HRTEM analyses: FFT lattice spacings, lattice refinement, d(t), crystallinity maps, display
filters."""
