"""The across panel and the widgets only it uses."""
