"""The exceptions that carry a user-facing message: one base, a type per kind of mistake."""

from __future__ import annotations


class CrosswheelError(Exception):
    """A mistake the user can fix: bad config, unknown target, missing tool.

    The message says what is wrong; ``hint`` says how to fix it. Both are shown
    to the user as they are, without a traceback.
    """

    default_hint = "crosswheel doctor --target TARGET shows what this machine has for a target"
    """What the user sees when the raiser had nothing more specific: never no hint at all."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint or self.default_hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  hint: {self.hint}"
        return self.message


class ConfigError(CrosswheelError):
    """A config setting or ``[tool.crosswheel]`` key that crosswheel cannot use."""

    default_hint = "the README's Configuration section lists every setting and its values"


class MissingTool(CrosswheelError):
    """A compiler, SDK, emulator or target interpreter that this machine does not have."""

    default_hint = "crosswheel doctor --target TARGET says what is missing and how to get it"


class RefusedWheel(CrosswheelError):
    """A wheel crosswheel will not ship or rewrite: damaged, unsafe, or not for the target."""

    default_hint = (
        "build the wheel again from its source; crosswheel neither ships nor rewrites a "
        "damaged or foreign wheel"
    )
