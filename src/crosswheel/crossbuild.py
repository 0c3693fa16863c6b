"""One cross build, resolved: the pipeline's stages wired together.

``resolve_cross_build`` runs the stages that need no build (target, target
interpreter, toolchain); ``finish_wheel`` runs the ones after it (fixer,
verifier). The backend and the command line share both.
"""

from __future__ import annotations

import dataclasses
import zipfile
from dataclasses import dataclass
from pathlib import Path

from packaging.tags import parse_tag

from crosswheel.config import CrossConfig
from crosswheel.environment import build_environment
from crosswheel.errors import CrosswheelError
from crosswheel.fixer import FixResult, fix_wheel
from crosswheel.fortran import describe_fortran
from crosswheel.interpreter import TargetInterpreter, find_target_interpreter
from crosswheel.report import info, warn
from crosswheel.tags import (
    ElfFacts,
    android_problems,
    check_requested_tag,
    declared_limited_api,
    elf_facts,
    linux_tag,
    stable_abi_interpreter,
)
from crosswheel.target_packages import TargetPackage, find_target_packages
from crosswheel.targets import Target, resolve_target
from crosswheel.toolchain import Toolchain, find_toolchain
from crosswheel.verifier import verify_wheel


@dataclass(frozen=True)
class CrossBuild:
    """Everything known about the target before the inner backend runs."""

    target: Target
    interpreter: TargetInterpreter
    toolchain: Toolchain
    platform_tag: str | None = None
    """The user's ``platform-tag`` setting: used instead of the computed tag, once verified."""
    page_size_check: str = "error"
    """``error`` or ``warn``: Android LOAD segments not aligned to 16 KB."""
    target_packages: tuple[TargetPackage, ...] = ()
    """The target's copies of the C-API packages the build compiles against."""

    def environment(self, workdir: Path, source_dir: Path | None = None) -> dict[str, str]:
        """The inner backend's extra environment (writes the shim spec into ``workdir``)."""
        return build_environment(
            self.target,
            self.interpreter,
            self.toolchain,
            workdir,
            source_dir=source_dir,
            target_packages=self.target_packages,
        )


def resolve_cross_build(config: CrossConfig, installed: bool = True) -> CrossBuild:
    """Resolve target, interpreter and toolchain, or fail with a message that says why.

    ``installed=False``: before the build requirements are installed (see
    ``find_toolchain``).
    """
    assert config.target is not None
    target = resolve_target(config.target, config.api_level, config.min_version)
    interpreter = find_target_interpreter(target, config.target_python)
    toolchain = find_toolchain(target, config.toolchain, installed=installed)
    if not toolchain.cxx_found:
        warn(f"{toolchain.cxx} not found; C++ sources will not build")
    mode = (config.android_page_size_check or "error").strip().lower()
    if mode not in ("error", "warn"):
        raise CrosswheelError(
            f"android-page-size-check must be 'error' or 'warn', not {mode!r}",
        )
    return CrossBuild(target, interpreter, toolchain, config.platform_tag, mode)


def announce(build: CrossBuild, what: str) -> None:
    """The progress lines at the start of a build."""
    info(f"{what} for {build.target.triplet}")
    info(f"  compiler: {build.toolchain.describe()}")
    info(f"  Fortran: {describe_fortran(build.toolchain)}")
    info(f"  target Python: {build.interpreter.describe()}")


def with_target_packages(build: CrossBuild, config: CrossConfig, workdir: Path) -> CrossBuild:
    """``build`` with the target's copy of each C-API build requirement (``workdir`` holds them)."""
    packages = find_target_packages(
        build.target, build.interpreter, config.build_requires, config.target_requires, workdir
    )
    return dataclasses.replace(build, target_packages=packages)


def _read_elf_binaries(wheel: Path) -> tuple[list[ElfFacts], list[str], list[str]]:
    """The ELF facts, every member name, and the inner backend's tags of ``wheel``."""
    facts: list[ElfFacts] = []
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        for info in archive.infolist():
            if info.is_dir():
                continue
            with archive.open(info) as f:
                head = f.read(4)
            if head == b"\x7fELF":
                facts.append(elf_facts(info.filename, archive.read(info)))
    tags = wheel.name[:-4].split("-")[-3:]
    return facts, names, [str(t) for t in parse_tag("-".join(tags))]


def choose_tags(
    inner_wheel: Path, build: CrossBuild, source_dir: Path | None = None
) -> tuple[list[str] | None, str | None]:
    """(platform tags, stable-ABI interpreter) from what the inner backend built.

    ``None`` platform tags leave the fixer's default (a pure wheel stays pure).
    """
    target = build.target
    binaries, names, inner_tags = _read_elf_binaries(inner_wheel)
    requested = build.platform_tag or target.requested_tag
    if binaries and requested:
        check_requested_tag(requested, target, binaries)
    platform = requested
    if target.family == "linux" and binaries:
        decision = linux_tag(target, binaries)
        if platform is None:
            platform = decision.platform
        if decision.platform.startswith("linux_"):
            family = "musllinux" if target.libc == "musl" else "manylinux"
            warn(
                f"tagged {decision.platform}: no {family} policy fits: "
                + "; ".join(decision.reasons)
            )
        else:
            info(f"platform tag {platform} (the binaries satisfy {decision.platform})")
    elif target.family == "android" and binaries:
        errors, pages = android_problems(target, binaries)
        if pages and build.page_size_check == "warn":
            for page in pages:
                warn(page)
        else:
            errors += pages
        if errors:
            raise CrosswheelError(
                f"the wheel's binaries cannot load on Android ({target.triplet}):\n  "
                + "\n  ".join(errors),
                hint="build with the Android NDK's clang for API "
                f"{target.api_level}; -C android-page-size-check=warn downgrades the 16 KB "
                "alignment check to a warning",
            )
    if not binaries and platform is None:
        return None, None
    declared = list(declared_limited_api(source_dir or Path.cwd()))
    for tag in inner_tags:
        interpreter, abi, _ = tag.split("-")
        if abi == "abi3" and interpreter.startswith("cp3"):
            declared.append((3, int(interpreter[3:])))
    declared = declared or [build.interpreter.version]
    stable = stable_abi_interpreter(names, declared)
    if stable:
        info(f"every extension uses the stable ABI: tagged {stable}-abi3")
    return [platform or target.wheel_platform], stable


def finish_wheel(
    inner_wheel: Path, build: CrossBuild, out_dir: Path, source_dir: Path | None = None
) -> FixResult:
    """Fix and verify a wheel the inner backend built; the result lands in ``out_dir``."""
    # Foreign binaries first: no tag is worth computing for a wheel that will be refused.
    verify_wheel(inner_wheel, build.target, None)
    platform_tags, stable = choose_tags(inner_wheel, build, source_dir)
    result = fix_wheel(inner_wheel, build.target, build.interpreter, out_dir, platform_tags, stable)
    for old, new in result.renamed:
        info(f"renamed {old} -> {new}")
    try:
        verify_wheel(result.path, build.target, build.interpreter.extension_suffixes)
    except BaseException:
        result.path.unlink(missing_ok=True)
        raise
    info(
        f"verified {result.binaries} binar{'y' if result.binaries == 1 else 'ies'} "
        f"in {result.path.name}"
    )
    return result
