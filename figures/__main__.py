"""``python -m figures [NAME...] [--quick] [--out DIR]``: same as ``autocorr-ssm figures``."""

import sys

from figures.cli import main

if __name__ == "__main__":
    sys.exit(main(["figures", *sys.argv[1:]]))
