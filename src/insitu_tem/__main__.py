"""``python -m insitu_tem``: the ``insitu-tem`` command (a checkout run without installing)."""

import sys

from insitu_tem.cli.main import main

if __name__ == "__main__":
    sys.argv[0] = "insitu-tem"
    sys.exit(main())
