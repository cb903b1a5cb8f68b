"""Tilt-series tomography on the CPU: alignment, reconstruction, segmentation, measurement.

Geometry (used everywhere in this package): projections are (n_tilts, rows, cols)
images; after alignment the tilt axis runs along the rows (y). The volume is
(z, y, x): y and x are the aligned images' rows and columns, z is along the
beam at 0° tilt. A voxel at (z, x), measured from the tilt axis, projects at
detector column ``u = x cos θ + z sin θ`` from the axis.
"""
