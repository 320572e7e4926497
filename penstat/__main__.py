"""``python -m penstat`` runs the command line (see :mod:`penstat.cli`)."""

import sys

from penstat.cli import main

sys.exit(main())
