"""Diffraction analyses: pattern centre, radial profiles, ellipse, rings, disks, strain, ePDF,
decomposition."""
