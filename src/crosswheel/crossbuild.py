"""One cross build, resolved: the pipeline's stages wired together.

``resolve_cross_build`` runs the stages that need no build (target, target
interpreter, toolchain); ``finish_wheel`` runs the ones after it, as one pass
over the built wheel: read it once (``binaries``), refuse foreign binaries,
bundle the target's libraries it needs (``repair``), choose its tags (``tags``),
plan the fixed wheel (``fixer``), verify the plan (``verifier``) and only then
write it. The backend and the command line share both.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from crosswheel.binaries import read_wheel
from crosswheel.config import CrossConfig, WheelSettings
from crosswheel.environment import build_environment
from crosswheel.fixer import plan_fix, write_fix
from crosswheel.fortran import describe_fortran
from crosswheel.interpreter import TargetInterpreter, find_target_interpreter
from crosswheel.repair import repair_wheel
from crosswheel.report import info, warn
from crosswheel.tags import choose_tags, declared_limited_api
from crosswheel.target_packages import TargetPackage, find_target_packages
from crosswheel.targets import Target, resolve_target
from crosswheel.toolchain import Toolchain, find_toolchain
from crosswheel.verifier import verify_binaries


@dataclass(frozen=True)
class CrossBuild:
    """Everything known about the target before the inner backend runs."""

    target: Target
    interpreter: TargetInterpreter
    toolchain: Toolchain
    wheel: WheelSettings = field(default_factory=WheelSettings)
    """What the user asked of the finished wheel (its tag, Android's page-size rule)."""
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


def resolve_target_python(config: CrossConfig) -> tuple[Target, TargetInterpreter]:
    """The target and its interpreter: what every command that reads or builds wheels needs."""
    assert config.target is not None
    target = resolve_target(config.target, config.api_level, config.min_version)
    return target, find_target_interpreter(target, config.target_python)


def resolve_cross_build(config: CrossConfig, installed: bool = True) -> CrossBuild:
    """Resolve target, interpreter and toolchain, or fail with a message that says why.

    ``installed=False``: before the build requirements are installed (see
    ``find_toolchain``).
    """
    target, interpreter = resolve_target_python(config)
    toolchain = find_toolchain(target, config.toolchain, installed=installed)
    if not toolchain.cxx_found:
        warn(f"{toolchain.cxx} not found; C++ sources will not build")
    return CrossBuild(target, interpreter, toolchain, config.wheel)


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


def finish_wheel(
    built: Path,
    target: Target,
    interpreter: TargetInterpreter,
    out_dir: Path,
    settings: WheelSettings | None = None,
    source_dir: Path | None = None,
) -> Path:
    """Read, check, tag, fix and verify a built wheel; write the result into ``out_dir``.

    ``source_dir`` is the project the wheel was built from, where known: its
    build files may declare a limited API. Nothing is written unless verified.
    """
    settings = settings or WheelSettings()
    contents = read_wheel(built)
    # Foreign binaries first: no tag is worth computing for a wheel that will be refused.
    verify_binaries(
        built.name, ((b.name, b) for b in contents.binaries), target, extension_suffixes=None
    )
    repair = repair_wheel(
        contents,
        target,
        interpreter,
        enabled=settings.repair,
        exclude=settings.repair_exclude,
        library_path=settings.library_path,
    )
    for lib in repair.unfound:
        warn(f"{lib} is not among the target's libraries: the wheel needs it on the system")
    for bundled in repair.bundled:
        info(f"bundled {bundled.soname} from {bundled.source} as {bundled.member}")
    choice = choose_tags(
        target,
        repair.binaries,
        (*contents.names, *repair.names),
        contents.tags,
        declared_limited_api=declared_limited_api(source_dir) if source_dir else (),
        requested=settings.platform_tag,
        default_version=interpreter.version,
        page_size_check=settings.page_size_check,
    )
    for message in choice.warnings:
        warn(message)
    for message in choice.notes:
        info(message)
    plan = plan_fix(
        contents,
        choice.platform,
        choice.stable_abi,
        interpreter.ext_suffix,
        interpreter.extension_suffixes,
        replaced=repair.replaced,
        added=repair.added,
    )
    for old, new in plan.renamed:
        info(f"renamed {old} -> {new}")
    count = verify_binaries(plan.filename, plan.binaries, target, interpreter.extension_suffixes)
    path = write_fix(plan, out_dir)
    if count:
        info(f"verified {count} binar{'y' if count == 1 else 'ies'} in {path.name}")
    return path
