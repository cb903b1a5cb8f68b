"""``python -m insitu_tem.samples FOLDER`` regenerates the bundled samples."""

import sys

from insitu_tem.samples import write_all

if __name__ == "__main__":
    for path in write_all(sys.argv[1] if len(sys.argv) > 1 else "sample_data"):
        print(path)
