"""One cross build, resolved: the pipeline's stages wired together.

``resolve_cross_build`` runs the stages that need no build (target, target
interpreter, toolchain); ``finish_wheel`` runs the ones after it (fixer,
verifier). The backend and the command line share both.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crosswheel.config import CrossConfig
from crosswheel.environment import build_environment
from crosswheel.fixer import FixResult, fix_wheel
from crosswheel.interpreter import TargetInterpreter, find_target_interpreter
from crosswheel.report import info, warn
from crosswheel.targets import Target, resolve_target
from crosswheel.toolchain import Toolchain, find_toolchain
from crosswheel.verifier import verify_wheel


@dataclass(frozen=True)
class CrossBuild:
    """Everything known about the target before the inner backend runs."""

    target: Target
    interpreter: TargetInterpreter
    toolchain: Toolchain

    def environment(self, workdir: Path) -> dict[str, str]:
        """The inner backend's extra environment (writes the shim spec into ``workdir``)."""
        return build_environment(self.target, self.interpreter, self.toolchain, workdir)


def resolve_cross_build(config: CrossConfig) -> CrossBuild:
    """Resolve target, interpreter and toolchain, or fail with a message that says why."""
    assert config.target is not None
    target = resolve_target(config.target)
    interpreter = find_target_interpreter(target, config.target_python)
    toolchain = find_toolchain(target, config.toolchain)
    if not toolchain.cxx_found:
        warn(f"{toolchain.cxx} not found; C++ sources will not build")
    return CrossBuild(target, interpreter, toolchain)


def announce(build: CrossBuild, what: str) -> None:
    info(f"{what} for {build.target.triplet}")
    info(f"  compiler: {build.toolchain.describe()}")
    info(f"  target Python: {build.interpreter.describe()}")


def finish_wheel(inner_wheel: Path, build: CrossBuild, out_dir: Path) -> FixResult:
    """Fix and verify a wheel the inner backend built; the result lands in ``out_dir``."""
    result = fix_wheel(inner_wheel, build.target, build.interpreter, out_dir)
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
