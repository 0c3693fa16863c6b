"""What the bundled library's ``configure`` found: the host it configured for, and facts."""

from crossanswer._native import facts

__all__ = ["facts"]
