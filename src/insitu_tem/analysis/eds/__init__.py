"""EDS spectrum images: X-ray lines, background windows, line-intensity maps, Cliff–Lorimer."""
