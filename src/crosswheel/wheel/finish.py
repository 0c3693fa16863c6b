"""Finish a built wheel: one pass, nothing written unless verified.

Read it once (``binaries``), refuse foreign binaries, bundle the target's
libraries it needs (``repair``), choose its tags (``tags``), plan the fixed wheel
(``fixer``), verify the plan (``verifier``) and only then write it.
"""

from __future__ import annotations

from pathlib import Path

from crosswheel.config import WheelSettings
from crosswheel.report import info, warn
from crosswheel.target.families import family_hook
from crosswheel.target.interpreter import TargetInterpreter
from crosswheel.target.names import Target
from crosswheel.wheel.binaries import read_wheel
from crosswheel.wheel.fixer import plan_fix, write_fix
from crosswheel.wheel.repair import repair_wheel
from crosswheel.wheel.tags import choose_tags, declared_limited_api
from crosswheel.wheel.verifier import verify_binaries


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
    for name in plan.dropped:
        info(f"left out {name}: an extension module's import library, nothing links to it")
    count = verify_binaries(plan.filename, plan.binaries, target, interpreter.extension_suffixes)
    family_warnings = family_hook(target.facts, "wheel_warnings")
    if family_warnings is not None:
        for message in family_warnings([(name, b.needed) for name, b in plan.binaries]):
            warn(message)
    path = write_fix(plan, out_dir)
    if count:
        info(f"verified {count} binar{'y' if count == 1 else 'ies'} in {path.name}")
    return path
