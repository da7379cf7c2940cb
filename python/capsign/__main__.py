"""``python -m capsign``: the command line."""

import sys

from capsign.cli import main

sys.exit(main())
