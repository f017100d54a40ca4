"""Command line: ``skneural`` (or ``python -m skneural``).

With no command it runs the demo; ``skneural train`` and ``skneural predict``
work on CSV files (see ``skneural --help``). The work is in ``_cli/``.
"""

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
