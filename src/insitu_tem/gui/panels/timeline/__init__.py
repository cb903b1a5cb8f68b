"""The timeline panel: holder-log channels and the charge passed under the movie, on its time
axis."""
