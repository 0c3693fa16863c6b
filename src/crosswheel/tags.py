"""Platform and ABI tags computed from what was built, not from what was asked for.

Linux glibc wheels get the most compatible manylinux tag that every binary
satisfies (PEP 600, with auditwheel's policies from ``linux_policy``), musl wheels
a musllinux tag, Android wheels ``android_<api>_<abi>`` after the checks PEP 738
and Google Play ask for. A wheel whose extensions are all ``.abi3`` gets
``cp3Y-abi3``. Whatever the tag, a requested one (``platform-tag``, or a policy
tag used as the target name) is checked against the binaries, never trusted.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile
from elftools.elf.gnuversions import GNUVerNeedSection
from elftools.elf.sections import SymbolTableSection

from crosswheel.errors import CrosswheelError
from crosswheel.linux_policy import Policy, manylinux_policies, musllinux_policies
from crosswheel.targets import Target

ANDROID_PAGE = 16384
"""Google Play requires LOAD segments aligned to 16 KB (from November 2025)."""
_LOADERS = re.compile(r"^(ld-linux.*|ld64\.so\.[12]|ld\.so\.1|ld-musl-.*)$")
_MUSL_LIBC = re.compile(r"^(libc\.so|libc\.musl-[a-z0-9_]+\.so\.1)$")
_GLIBC_LIBS = re.compile(r"^lib(c|m|dl|pthread|rt|util|resolv|anl|nsl)\.so\.\d+$")
_LIBPYTHON = re.compile(r"^libpython3\.\d+t?\.so(\.[0-9.]+)?$")


@dataclass(frozen=True)
class ElfFacts:
    """What one ELF file needs from the system it runs on."""

    name: str
    needed: tuple[str, ...] = ()
    soname: str | None = None
    version_needs: dict[str, frozenset[str]] = field(default_factory=dict)
    """library -> symbol versions needed from it (``GLIBC_2.17``)."""
    undefined: frozenset[str] = frozenset()
    load_alignments: tuple[int, ...] = ()
    interpreter: str | None = None


def elf_facts(name: str, data: bytes) -> ElfFacts:
    """Read the dynamic section, version needs, imports and LOAD alignment of one ELF file."""
    try:
        elf = ELFFile(io.BytesIO(data))
        needed: list[str] = []
        soname = None
        versions: dict[str, set[str]] = {}
        undefined: set[str] = set()
        for section in elf.iter_sections():
            if isinstance(section, DynamicSection):
                for tag in section.iter_tags():
                    if tag.entry.d_tag == "DT_NEEDED":
                        needed.append(str(tag.needed))  # type: ignore[attr-defined]
                    elif tag.entry.d_tag == "DT_SONAME":
                        soname = str(tag.soname)  # type: ignore[attr-defined]
            elif isinstance(section, GNUVerNeedSection):
                for verneed, auxes in section.iter_versions():
                    versions.setdefault(str(verneed.name), set()).update(a.name for a in auxes)
            elif isinstance(section, SymbolTableSection) and section.name == ".dynsym":
                for symbol in section.iter_symbols():
                    if symbol.name and symbol["st_shndx"] == "SHN_UNDEF":
                        undefined.add(symbol.name)
        aligns: list[int] = []
        interpreter = None
        for segment in elf.iter_segments():
            if segment["p_type"] == "PT_LOAD":
                aligns.append(int(segment["p_align"]))
            elif segment["p_type"] == "PT_INTERP":
                interpreter = str(segment.get_interp_name())  # type: ignore[attr-defined]
    except (ELFError, ValueError, KeyError) as exc:
        raise CrosswheelError(f"{name} is a damaged ELF file: {exc}") from None
    return ElfFacts(
        name=name,
        needed=tuple(needed),
        soname=soname,
        version_needs={lib: frozenset(v) for lib, v in versions.items()},
        undefined=frozenset(undefined),
        load_alignments=tuple(aligns),
        interpreter=interpreter,
    )


@dataclass(frozen=True)
class TagDecision:
    """The platform tag for a wheel, and why not a better one."""

    platform: str
    reasons: tuple[str, ...] = ()
    """Why the most compatible tag of the family did not fit (empty when it did)."""


def _external(binaries: Iterable[ElfFacts]) -> set[str]:
    """Libraries the binaries need that the wheel does not ship itself."""
    binaries = list(binaries)
    shipped = {Path(b.name).name for b in binaries} | {b.soname for b in binaries if b.soname}
    return {
        lib for b in binaries for lib in b.needed if lib not in shipped and not _LOADERS.match(lib)
    }


def policy_problems(policy: Policy, arch: str, binaries: list[ElfFacts]) -> list[str]:
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
    for version in sorted(too_new, key=_version_key):
        problems.append(f"{version} (needed by {', '.join(sorted(too_new[version]))})")
    libraries = policy.libraries
    if policy.name.startswith("musllinux"):
        libraries = libraries | {lib for b in binaries for lib in b.needed if _MUSL_LIBC.match(lib)}
    for lib in sorted(_external(binaries) - libraries):
        problems.append(f"links {lib}, which {policy.name} does not allow")
    for binary in binaries:
        for lib, symbols in policy.blacklist.items():
            if lib in binary.needed:
                used = sorted(binary.undefined & symbols)
                if used:
                    problems.append(f"{Path(binary.name).name} uses {', '.join(used)} from {lib}")
    return problems


def _version_key(version: str) -> tuple[str, tuple[int, ...]]:
    namespace, _, number = version.partition("_")
    return namespace, tuple(int(p) for p in re.findall(r"\d+", number))


def _policy_tag(
    policies: tuple[Policy, ...], fallback: str, arch: str, binaries: list[ElfFacts]
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


def linux_tag(target: Target, binaries: list[ElfFacts]) -> TagDecision:
    """manylinux/musllinux tag for a Linux target, or ``linux_<arch>`` with the reasons."""
    arch = target.arch.machine
    if target.libc == "musl":
        return _policy_tag(musllinux_policies(), f"linux_{arch}", arch, binaries)
    return _policy_tag(manylinux_policies(), f"linux_{arch}", arch, binaries)


def _policy_by_tag(tag: str) -> tuple[Policy, str] | None:
    for policy in (*manylinux_policies(), *musllinux_policies()):
        for name in (policy.name, *policy.aliases):
            if tag.startswith(name + "_"):
                return policy, tag[len(name) + 1 :]
    return None


def check_requested_tag(tag: str, target: Target, binaries: list[ElfFacts]) -> None:
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
        family_ok = policy.name.startswith("musllinux") == (target.libc == "musl")
        if arch != target.arch.machine or not family_ok:
            raise CrosswheelError(
                f"platform tag {tag!r} does not match the target {target.triplet}",
                hint="leave platform-tag unset to have crosswheel compute it",
            )
        problems = policy_problems(policy, arch, binaries)
        if problems:
            raise CrosswheelError(
                f"the wheel's binaries do not satisfy {tag}:\n  " + "\n  ".join(problems),
                hint="build against an older glibc (e.g. -C toolchain=zig with a "
                f"{target.arch.machine}-linux-gnu.2.17 target), or drop platform-tag",
            )
        return
    if target.family == "android":
        match = re.fullmatch(r"android_(\d+)_([a-z0-9_]+)", tag)
        if not match or match[2] != target.tag_arch:
            raise CrosswheelError(
                f"platform tag {tag!r} does not match the target {target.triplet}",
                hint=f"Android tags look like android_{target.api_level}_{target.tag_arch}",
            )
        return
    if tag != target.wheel_platform and not tag.endswith(target.tag_arch):
        raise CrosswheelError(f"platform tag {tag!r} does not match the target {target.triplet}")


def android_problems(target: Target, binaries: list[ElfFacts]) -> tuple[list[str], list[str]]:
    """(errors, page-size problems) of an Android wheel's binaries (PEP 738, Google Play)."""
    errors: list[str] = []
    pages: list[str] = []
    for binary in binaries:
        name = Path(binary.name).name
        glibc = [lib for lib in binary.needed if _GLIBC_LIBS.match(lib)]
        glibc += [v for vs in binary.version_needs.values() for v in vs if v.startswith("GLIBC")]
        if glibc or (binary.interpreter and "ld-linux" in binary.interpreter):
            errors.append(
                f"{name} links glibc ({', '.join(sorted(set(glibc))) or binary.interpreter}); "
                "Android has bionic: build with the NDK's clang"
            )
        if _is_extension(binary.name) and not any(_LIBPYTHON.match(n) for n in binary.needed):
            errors.append(
                f"{name} does not link libpython3.X.so; Android extension modules must "
                "(PEP 738): link with -lpython3.X"
            )
        small = [a for a in binary.load_alignments if a < ANDROID_PAGE]
        if small:
            pages.append(
                f"{name} has LOAD segments aligned to {min(small)} bytes, not 16 KB: "
                "link with -Wl,-z,max-page-size=16384"
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
