"""Everything that imports Qt lives in this package (DESIGN.md rule 1)."""
