"""The movie panel and the widgets only it uses."""
