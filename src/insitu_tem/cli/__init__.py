"""Command line: main (the entry point), one module per command in commands/, batch."""
