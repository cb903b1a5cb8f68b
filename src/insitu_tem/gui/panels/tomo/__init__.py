"""Tomography panel: tilt series, alignment, reconstruction, orthogonal slices, segmentation."""
