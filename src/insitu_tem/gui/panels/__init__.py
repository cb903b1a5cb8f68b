"""One panel per file: movie, FFT, NBD, EELS. Each is built as ``Panel(state, tasks,
undo_stack)``."""
