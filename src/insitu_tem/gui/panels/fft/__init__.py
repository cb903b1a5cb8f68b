"""The fft panel and the widgets only it uses."""
