"""One module per ``insitu-tem`` subcommand.

Each module defines ``NAME``, ``HELP``, ``add_arguments(parser)`` and
``run(args, progress) -> dict``; :mod:`insitu_tem.cli.main` discovers them, so a
new command is a new file here. ``progress(fraction, message)`` reports on
stderr and is a no-op when quiet.
"""
