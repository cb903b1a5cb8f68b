"""Reading microscope files into calibrated datasets: load() and the format readers. Never writes
raw data."""
