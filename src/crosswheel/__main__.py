"""``python -m crosswheel`` and the ``crosswheel`` console script."""

from __future__ import annotations

import sys


def main() -> None:
    """Entry point: exit with the command line's status."""
    from crosswheel.cli.main import main as run

    sys.exit(run())


if __name__ == "__main__":
    main()
