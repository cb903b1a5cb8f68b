"""The nbd panel and the widgets only it uses."""
