"""Qt-free analyses: numpy, scipy and scikit-image, one module per method family."""
