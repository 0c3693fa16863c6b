"""The exceptions that carry a user-facing message: one base, a type per kind of mistake."""

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


class ConfigError(CrosswheelError):
    """A config setting or ``[tool.crosswheel]`` key that crosswheel cannot use."""


class MissingTool(CrosswheelError):
    """A compiler, SDK, emulator or target interpreter that this machine does not have."""


class RefusedWheel(CrosswheelError):
    """A wheel crosswheel will not ship or rewrite: damaged, unsafe, or not for the target."""
