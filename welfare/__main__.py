"""``python -m welfare``: see welfare.cli."""

import sys

from welfare.cli import main

sys.exit(main())
