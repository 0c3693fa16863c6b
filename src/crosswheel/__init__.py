"""crosswheel: cross-compile Python packages with any PEP 517 frontend.

This module is the PEP 517 backend. It stays light: importing it (which the
shim's ``.pth`` line does in every shimmed process) loads nothing else until a
hook runs.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = [
    "build_editable",
    "build_sdist",
    "build_wheel",
    "get_requires_for_build_editable",
    "get_requires_for_build_sdist",
    "get_requires_for_build_wheel",
    "prepare_metadata_for_build_editable",
    "prepare_metadata_for_build_wheel",
]


def get_requires_for_build_wheel(config_settings: dict[str, Any] | None = None) -> list[str]:
    from crosswheel import backend

    return backend.get_requires("get_requires_for_build_wheel", config_settings)


def get_requires_for_build_editable(config_settings: dict[str, Any] | None = None) -> list[str]:
    from crosswheel import backend

    return backend.get_requires("get_requires_for_build_editable", config_settings)


def get_requires_for_build_sdist(config_settings: dict[str, Any] | None = None) -> list[str]:
    from crosswheel import backend

    return backend.get_requires_for_build_sdist(config_settings)


def prepare_metadata_for_build_wheel(
    metadata_directory: str, config_settings: dict[str, Any] | None = None
) -> str:
    from crosswheel import backend

    return backend.prepare_metadata(
        "prepare_metadata_for_build_wheel", metadata_directory, config_settings
    )


def prepare_metadata_for_build_editable(
    metadata_directory: str, config_settings: dict[str, Any] | None = None
) -> str:
    from crosswheel import backend

    return backend.prepare_metadata(
        "prepare_metadata_for_build_editable", metadata_directory, config_settings
    )


def build_wheel(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    from crosswheel import backend

    return backend.build("build_wheel", wheel_directory, config_settings, metadata_directory)


def build_editable(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    from crosswheel import backend

    return backend.build("build_editable", wheel_directory, config_settings, metadata_directory)


def build_sdist(sdist_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    from crosswheel import backend

    return backend.build_sdist(sdist_directory, config_settings)
