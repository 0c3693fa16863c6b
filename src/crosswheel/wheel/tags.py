"""Platform and ABI tags computed from what was built, not from what was asked for.

Linux wheels get the most compatible tag of their row's policy (manylinux,
musllinux) that every binary satisfies (PEP 600, PEP 656, with auditwheel's
policies from ``policies``); the other ELF families their platform tag after their
loader's rules (libpython linked where the row says so, no glibc, the row's page
size: what PEP 738 and Google Play ask). A wheel whose extensions are all ``.abi3`` gets
``cp3Y-abi3``. Whatever the tag, a requested one (``platform-tag``, or a policy
tag used as the target name) is checked against the binaries, never trusted.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from packaging.tags import Tag

from crosswheel.errors import CrosswheelError, RefusedWheel
from crosswheel.target.families import FAMILIES, Family
from crosswheel.target.names import Target
from crosswheel.target.policies import (
    Policy,
    manylinux_policies,
    musllinux_policies,
    policies_for,
)
from crosswheel.wheel.binaries import Binary

_LOADERS = re.compile("|".join(f"(?:{r.loaders})" for r in FAMILIES.values() if r.loaders))
"""Every row's dynamic loaders (fullmatch)."""
_LIBCS = re.compile("|".join(f"(?:{r.libc_names})" for r in FAMILIES.values() if r.libc_names))
"""Every row's C library names (fullmatch)."""
_GLIBC_LIBS = re.compile(r"^lib(c|m|dl|pthread|rt|util|resolv|anl|nsl)\.so\.\d+$")
_LIBPYTHON = re.compile(r"^libpython3\.\d+t?\.so(\.[0-9.]+)?$")


@dataclass(frozen=True)
class TagDecision:
    """The platform tag for a wheel, and why not a better one."""

    platform: str
    reasons: tuple[str, ...] = ()
    """Why the most compatible tag of the family did not fit (empty when it did)."""


def external_libraries(binaries: Iterable[Binary]) -> set[str]:
    """Libraries the binaries need that the wheel does not ship itself (loaders left out)."""
    binaries = list(binaries)
    shipped = {Path(b.name).name for b in binaries} | {b.soname for b in binaries if b.soname}
    return {
        lib
        for b in binaries
        for lib in b.needed
        if lib not in shipped and not _LOADERS.fullmatch(lib)
    }


def provided_by_runtime(lib: str) -> bool:
    """The dynamic loader, the C library, libpython: never bundled into a Linux wheel."""
    return bool(_LOADERS.fullmatch(lib) or _LIBCS.fullmatch(lib) or _LIBPYTHON.match(lib))


def policy_problems(policy: Policy, arch: str, binaries: list[Binary]) -> list[str]:
    """Why ``binaries`` break ``policy`` on ``arch`` (empty: they satisfy it)."""
    if arch not in policy.arches:
        return [f"{policy.name} has no {arch}"]
    problems: list[str] = []
    allowed = policy.symbol_versions.get(arch, {})
    too_new: dict[str, set[str]] = {}
    for binary in binaries:
        for versions in binary.version_needs.values():
            for version in versions:
                namespace, _, number = version.partition("_")
                if namespace in allowed and number not in allowed[namespace]:
                    too_new.setdefault(version, set()).add(Path(binary.name).name)
    for version in sorted(too_new, key=version_key):
        problems.append(f"{version} (needed by {', '.join(sorted(too_new[version]))})")
    libraries = policy.libraries
    row = _policy_row(policy.name)
    if row.libc_names:  # the policy's own C library, whatever its name on the target
        libc = re.compile(row.libc_names)
        libraries = libraries | {lib for b in binaries for lib in b.needed if libc.fullmatch(lib)}
    for lib in sorted(external_libraries(binaries) - libraries):
        problems.append(f"links {lib}, which {policy.name} does not allow")
    for binary in binaries:
        for lib, symbols in policy.blacklist.items():
            if lib in binary.needed:
                used = sorted(binary.undefined & symbols)
                if used:
                    problems.append(f"{Path(binary.name).name} uses {', '.join(used)} from {lib}")
    return problems


def _policy_row(name: str) -> Family:
    """The family row whose tag policy ``name`` (``musllinux_1_2``) is."""
    return next(r for r in FAMILIES.values() if r.tag_policy and name.startswith(r.tag_policy))


def version_key(version: str) -> tuple[str, tuple[int, ...]]:
    """Sort key of a symbol version (``GLIBC_2.17`` before ``GLIBC_2.28``)."""
    namespace, _, number = version.partition("_")
    return namespace, tuple(int(p) for p in re.findall(r"\d+", number))


def _policy_tag(
    policies: tuple[Policy, ...], fallback: str, arch: str, binaries: list[Binary]
) -> TagDecision:
    """The most compatible policy every binary satisfies, or ``fallback`` with the reasons."""
    tried: Policy | None = None  # the next more compatible policy for this arch
    for policy in policies:
        if not policy_problems(policy, arch, binaries):
            reasons = tuple(policy_problems(tried, arch, binaries)) if tried else ()
            return TagDecision(policy.tag(arch), reasons)
        if arch in policy.arches:
            tried = policy
    newest = [p for p in policies if arch in p.arches][-1:] or list(policies[-1:])
    return TagDecision(fallback, tuple(policy_problems(newest[0], arch, binaries)))


def linux_tag(target: Target, binaries: list[Binary]) -> TagDecision:
    """manylinux/musllinux tag for a Linux target, or ``linux_<arch>`` with the reasons."""
    arch = target.arch.machine
    return _policy_tag(policies_for(target), f"linux_{arch}", arch, binaries)


def _policy_by_tag(tag: str) -> tuple[Policy, str] | None:
    for policy in (*manylinux_policies(), *musllinux_policies()):
        for name in (policy.name, *policy.aliases):
            if tag.startswith(name + "_"):
                return policy, tag[len(name) + 1 :]
    return None


def check_requested_tag(tag: str, target: Target, binaries: list[Binary]) -> None:
    """Refuse a requested platform tag that the target or the binaries contradict."""
    if target.family == "linux":
        found = _policy_by_tag(tag)
        if found is None:
            if tag != f"linux_{target.arch.machine}":
                raise CrosswheelError(
                    f"platform tag {tag!r} is not a tag for {target.triplet}",
                    hint=f"use linux_{target.arch.machine}, a manylinux_2_X_"
                    f"{target.arch.machine} or musllinux_1_X_{target.arch.machine} tag",
                )
            return
        policy, arch = found
        family_ok = _policy_row(policy.name) is target.facts
        if arch != target.arch.machine or not family_ok:
            raise CrosswheelError(
                f"platform tag {tag!r} does not match the target {target.triplet}",
                hint="leave platform-tag unset to have crosswheel compute it",
            )
        problems = policy_problems(policy, arch, binaries)
        if problems:
            raise RefusedWheel(
                f"the wheel's binaries do not satisfy {tag}:\n  " + "\n  ".join(problems),
                hint="build against an older glibc (e.g. -C toolchain=zig with a "
                f"{target.arch.machine}-linux-gnu.2.17 target), or drop platform-tag",
            )
        return
    if target.facts.default_api_level:  # the tag names an API level: any, for this arch
        level = re.search(r"\d+", tag)
        at_level = dataclasses.replace(
            target, requested_tag=None, api_level=int(level[0]) if level else None
        )
        if at_level.wheel_platform != tag:
            raise CrosswheelError(
                f"platform tag {tag!r} does not match the target {target.triplet}",
                hint=f"{target.facts.title} tags look like {target.wheel_platform}",
            )
        return
    if tag != target.wheel_platform and not tag.endswith(target.tag_arch):
        raise CrosswheelError(f"platform tag {tag!r} does not match the target {target.triplet}")


def loader_problems(target: Target, binaries: list[Binary]) -> tuple[list[str], list[str]]:
    """(errors, page-size problems) of the binaries by the target row's loader rules.

    Where the row's libc is not glibc, no binary may link glibc; where it says
    ``links_libpython``, every extension module links libpython3.X.so; where it has
    a ``page_size``, every LOAD segment is aligned to it (PEP 738, Google Play).
    """
    facts = target.facts
    errors: list[str] = []
    pages: list[str] = []
    for binary in binaries:
        name = Path(binary.name).name
        glibc = [lib for lib in binary.needed if _GLIBC_LIBS.match(lib)]
        glibc += [v for vs in binary.version_needs.values() for v in vs if v.startswith("GLIBC")]
        if glibc or (binary.interpreter and "ld-linux" in binary.interpreter):
            errors.append(
                f"{name} links glibc ({', '.join(sorted(set(glibc))) or binary.interpreter}); "
                f"{facts.title} has {facts.libc}: build with its own toolchain"
            )
        needs_python = facts.links_libpython and _is_extension(binary.name)
        if needs_python and not any(_LIBPYTHON.match(n) for n in binary.needed):
            errors.append(
                f"{name} does not link libpython3.X.so; {facts.title} extension modules must "
                "(PEP 738): link with -lpython3.X"
            )
        small = [a for a in binary.load_alignments if a < facts.page_size]
        if small:
            pages.append(
                f"{name} has LOAD segments aligned to {min(small)} bytes, not "
                f"{facts.page_size // 1024} KB: link with -Wl,-z,max-page-size={facts.page_size}"
            )
    return errors, pages


def _is_extension(name: str) -> bool:
    """A Python extension module, as opposed to a helper library shipped beside it."""
    base = Path(name).name
    return base.endswith(".so") and not base.startswith("lib")


def stable_abi_interpreter(
    extension_names: Iterable[str], declared: Iterable[tuple[int, int]]
) -> str | None:
    """``cp3Y`` when every extension is ``.abi3``; ``None`` when any is version-specific."""
    names = [n for n in extension_names if _is_extension(n) or n.endswith(".pyd")]
    if not names or not all(re.search(r"\.abi3(-[^./]+)?\.so$", n) for n in names):
        return None
    versions = sorted(declared)
    if not versions:
        return None
    major, minor = versions[0]
    return f"cp{major}{minor}"


_LIMITED_API = re.compile(
    r"Py_LIMITED_API['\"]?\s*[=,]?\s*['\"]?0x0?3(?P<hex>[0-9a-fA-F]{2})[0-9a-fA-F]{4}"
    r"|py_limited_api\s*=\s*['\"]?cp3(?P<cp>\d+)"
)


def declared_limited_api(source_dir: Path) -> list[tuple[int, int]]:
    """Every ``Py_LIMITED_API`` / ``py_limited_api`` version the project's build files declare."""
    found: set[tuple[int, int]] = set()
    names = ("setup.py", "setup.cfg", "pyproject.toml", "meson.build", "CMakeLists.txt")
    for name in names:
        path = source_dir / name
        if not path.is_file():
            continue
        for match in _LIMITED_API.finditer(path.read_text(encoding="utf-8", errors="replace")):
            if match["hex"]:
                found.add((3, int(match["hex"], 16)))
            elif match["cp"]:
                found.add((3, int(match["cp"])))
    return sorted(found)


PageSizeCheck = Literal["error", "warn"]


@dataclass(frozen=True)
class TagChoice:
    """The tags a cross-built wheel gets, and what to tell the user about them."""

    platform: str | None
    """The platform tag; ``None`` keeps a pure wheel's tags."""
    stable_abi: str | None = None
    """``cp3Y`` when every extension uses the stable ABI."""
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def _loader_check(
    target: Target, binaries: list[Binary], page_size_check: PageSizeCheck
) -> tuple[str, ...]:
    """Refuse binaries the target's loader refuses; the page-size rule may be only a warning."""
    facts = target.facts
    errors, pages = loader_problems(target, binaries)
    if page_size_check == "error":
        errors += pages
    if errors:
        raise RefusedWheel(
            f"the wheel's binaries cannot load on {facts.title} ({target.triplet}):\n  "
            + "\n  ".join(errors),
            hint=f"{target.form(facts.compiler_hint)}; -C {facts.page_size_setting}"
            f"=warn downgrades the {facts.page_size // 1024} KB alignment check to a warning",
        )
    return tuple(pages)


def choose_tags(
    target: Target,
    binaries: Sequence[Binary],
    names: Sequence[str],
    inner_tags: Sequence[Tag],
    *,
    declared_limited_api: Sequence[tuple[int, int]] = (),
    requested: str | None = None,
    default_version: tuple[int, int],
    page_size_check: PageSizeCheck = "error",
) -> TagChoice:
    """The wheel's tags as a pure function of what was built and what was asked for.

    ``names`` are the wheel's file names (extension suffixes tell the stable ABI);
    ``inner_tags`` the inner backend's tags (an abi3 tag there declares a limited
    API); ``requested`` a platform tag the user asked for, checked, never trusted.
    """
    elf = [b for b in binaries if b.is_elf]
    requested = requested or target.requested_tag
    if binaries and requested:
        check_requested_tag(requested, target, elf)
    platform = requested
    notes: list[str] = []
    warnings: list[str] = []
    if target.family == "linux" and elf:
        decision = linux_tag(target, elf)
        if platform is None:
            platform = decision.platform
        if decision.platform.startswith("linux_"):
            warnings.append(
                f"tagged {platform}: no {target.facts.tag_policy} policy fits: "
                + "; ".join(decision.reasons)
            )
        else:
            notes.append(f"platform tag {platform} (the binaries satisfy {decision.platform})")
    elif target.facts.page_size and elf:
        warnings.extend(_loader_check(target, elf, page_size_check))
    if not binaries and platform is None:
        return TagChoice(None)
    declared = list(declared_limited_api)
    for tag in inner_tags:
        if tag.abi == "abi3" and tag.interpreter.startswith("cp3"):
            declared.append((3, int(tag.interpreter[3:])))
    stable = stable_abi_interpreter(names, declared or [default_version])
    if stable:
        notes.append(f"every extension uses the stable ABI: tagged {stable}-abi3")
    return TagChoice(platform or target.wheel_platform, stable, tuple(notes), tuple(warnings))
