"""Reusable widgets: calibrated image view, scale bar, line and ROI tools."""
