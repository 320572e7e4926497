"""``python -m penstat`` runs the command line (see :mod:`penstat.cli`)."""

import sys

from penstat.cli import main

if __name__ == "__main__":
    sys.exit(main())
