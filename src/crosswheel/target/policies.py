"""The manylinux and musllinux policies (PEP 600, PEP 656), read from auditwheel's own data.

auditwheel ships each family's policies as a JSON file inside its package
(``auditwheel/policy/manylinux-policy.json``, ``musllinux-policy.json``): per
policy, the symbol versions allowed per architecture and namespace, the allowed
libraries, and symbols of allowed libraries that are nonetheless off limits.
Reading that file, rather than keeping a copy, makes crosswheel's tags follow
each new auditwheel release (a new glibc, a new architecture) and agree with
``auditwheel show``. Only the data is read; auditwheel's code is not imported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from crosswheel.errors import MissingTool
from crosswheel.target.names import Target


@dataclass(frozen=True)
class Policy:
    """One manylinux_X_Y or musllinux_X_Y policy, cumulative."""

    name: str
    aliases: tuple[str, ...]
    version: tuple[int, int]
    """The version of its C library the policy stands for (glibc's for manylinux)."""
    arches: frozenset[str]
    symbol_versions: dict[str, dict[str, frozenset[str]]]
    """arch -> namespace (``GLIBC``) -> allowed versions (``2.17``)."""
    libraries: frozenset[str]
    blacklist: dict[str, frozenset[str]]
    """library -> symbols it exports that binaries must not use."""

    def tag(self, arch: str) -> str:
        return f"{self.name}_{arch}"


def _load(family: str) -> list[dict[str, Any]]:
    """auditwheel's ``<family>-policy.json``, as a list of policies."""
    try:
        text = (files("auditwheel") / "policy" / f"{family}-policy.json").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise MissingTool(
            f"auditwheel's {family} policy data is missing ({exc})",
            hint="crosswheel reads the manylinux/musllinux policies from auditwheel: "
            "pip install 'auditwheel>=6'",
        ) from None
    data: list[dict[str, Any]] = json.loads(text)
    return data


def _policy(entry: dict[str, Any]) -> Policy:
    major, minor = (int(x) for x in str(entry["name"]).split("_")[1:3])
    versions = {
        str(arch): {str(ns): frozenset(map(str, vs)) for ns, vs in namespaces.items()}
        for arch, namespaces in entry["symbol_versions"].items()
    }
    return Policy(
        name=str(entry["name"]),
        aliases=tuple(map(str, entry["aliases"])),
        version=(major, minor),
        arches=frozenset(versions),
        symbol_versions=versions,
        libraries=frozenset(map(str, entry["lib_whitelist"])),
        blacklist={str(lib): frozenset(map(str, s)) for lib, s in entry["blacklist"].items()},
    )


def _policies(family: str) -> tuple[Policy, ...]:
    """The family's policies, most compatible (highest priority) first; ``linux`` left out."""
    entries = [e for e in _load(family) if e["name"] != "linux"]
    entries.sort(key=lambda e: -int(e["priority"]))
    return tuple(_policy(e) for e in entries)


@cache
def manylinux_policies() -> tuple[Policy, ...]:
    """Every manylinux policy, most compatible (lowest glibc) first."""
    return _policies("manylinux")


@cache
def musllinux_policies() -> tuple[Policy, ...]:
    """Every musllinux policy, most compatible first."""
    return _policies("musllinux")


def policies_for(target: Target) -> tuple[Policy, ...]:
    """The policies that tag ``target``'s wheels (its family row's), or none."""
    if target.facts.tag_policy == "manylinux":
        return manylinux_policies()
    if target.facts.tag_policy == "musllinux":
        return musllinux_policies()
    return ()


def accepted_platforms(target: Target, libc: tuple[int, int] | None = None) -> list[str]:
    """Platform tags a wheel for ``target`` may carry, most specific first.

    The one answer every stage uses (fetching the target's numpy, installing for a
    test). ``libc``: the target's own C library version where known (its interpreter
    says); else the requested tag's version, else every policy's.
    """
    policies = policies_for(target)
    if not policies:
        return [target.wheel_platform]
    arch = target.tag_arch
    limit = libc
    requested = target.requested_tag or ""
    for policy in policies:
        if limit is None and requested in (
            policy.tag(arch),
            *(f"{alias}_{arch}" for alias in policy.aliases),
        ):
            limit = policy.version
    platforms = []
    for policy in reversed(policies):
        if arch in policy.arches and (limit is None or policy.version <= limit):
            platforms.append(policy.tag(arch))
            platforms.extend(f"{alias}_{arch}" for alias in policy.aliases)
    if target.facts.tag_policy == "manylinux":
        platforms.append(f"linux_{arch}")
    return platforms
