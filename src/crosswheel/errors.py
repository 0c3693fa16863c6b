"""The one exception type that carries a user-facing message."""

from __future__ import annotations


class CrosswheelError(Exception):
    """A mistake the user can fix: bad config, unknown target, missing tool.

    The message says what is wrong; ``hint`` says how to fix it. Both are shown
    to the user as they are, without a traceback.
    """

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  hint: {self.hint}"
        return self.message
