"""The eels panel and the widgets only it uses."""
