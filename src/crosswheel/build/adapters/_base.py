"""The adapter interface, apart so that adapter modules can import it without a cycle."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crosswheel.target.resolve import CrossBuild

Settings = dict[str, "str | list[str]"]


class Adapter:
    """What a backend needs beyond the shim. The base adds nothing."""

    modules: tuple[str, ...] = ()
    """Top-level backend modules this adapter speaks for."""

    def matches(self, backend: str) -> bool:
        return backend.split(":")[0].split(".")[0] in self.modules or (
            backend.split(":")[0] in self.modules
        )

    def config_settings(self, build: CrossBuild, workdir: Path, settings: Settings) -> Settings:
        """The inner backend's config settings for this cross build (the user's kept)."""
        return settings

    def environment(self, build: CrossBuild, workdir: Path) -> dict[str, str]:
        """Extra variables for the inner backend's environment."""
        return {}
