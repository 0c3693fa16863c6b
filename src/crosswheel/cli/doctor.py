"""``crosswheel doctor``: what a cross build sees, measured, next to what it should see.

For each PEP 720 introspection point three values: the build machine's (a plain
Python process), the shim's (a Python process with the cross build's real
environment and the shim activated, as the inner backend runs) and the
target's own (from its sysconfig data and the target's facts). A row where the
shim and the target disagree is where a build can go wrong.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import crosswheel
from crosswheel.build.environment import cross_environment
from crosswheel.build.shim import ENV_VAR, unshimmed_environ
from crosswheel.config import CrossConfig
from crosswheel.errors import CrosswheelError
from crosswheel.target.families import family_hook
from crosswheel.target.resolve import CrossBuild, resolve_cross_build
from crosswheel.target.toolchain import describe_fortran

PROBE = r"""
import json, os, sys
if os.environ.get("CROSSWHEEL_SHIM"):
    import crosswheel.build.shim
    crosswheel.build.shim.activate()
import importlib.machinery, platform, sysconfig
cv = sysconfig.get_config_var
print(json.dumps({
    "sys.platform": sys.platform,
    "sys.implementation._multiarch": getattr(sys.implementation, "_multiarch", None),
    "sys.abiflags": getattr(sys, "abiflags", None),
    "sys.byteorder": sys.byteorder,
    "sys.maxsize": sys.maxsize,
    "os.uname().sysname": os.uname().sysname,
    "os.uname().machine": os.uname().machine,
    "platform.system()": platform.system(),
    "platform.machine()": platform.machine(),
    "platform.architecture()[0]": platform.architecture()[0],
    "sysconfig.get_platform()": sysconfig.get_platform(),
    "EXT_SUFFIX": cv("EXT_SUFFIX"),
    "SOABI": cv("SOABI"),
    "MULTIARCH": cv("MULTIARCH"),
    "SIZEOF_VOID_P": cv("SIZEOF_VOID_P"),
    "CC": cv("CC"),
    "LDSHARED": cv("LDSHARED"),
    "INCLUDEPY": cv("INCLUDEPY"),
    "LIBDIR": cv("LIBDIR"),
    "sysconfig.get_paths()['include']": sysconfig.get_paths()["include"],
    "sysconfig.get_config_h_filename()": sysconfig.get_config_h_filename(),
    "importlib.machinery.EXTENSION_SUFFIXES": importlib.machinery.EXTENSION_SUFFIXES,
}))
"""


def probe(extra_env: dict[str, str] | None) -> dict[str, Any]:
    """The introspection points as a fresh Python process answers them."""
    env = unshimmed_environ()
    package_root = str(Path(crosswheel.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    env.update(extra_env or {})
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise CrosswheelError(
            "the introspection probe failed"
            + (" with the shim active" if extra_env else "")
            + f": {result.stderr.strip().splitlines()[-1:] or result.returncode}"
        )
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def target_values(build: CrossBuild) -> dict[str, Any]:
    """What the target's own Python answers, from its data and the target's facts."""
    target, interp = build.target, build.interpreter
    cv = interp.config_vars
    return {
        "sys.platform": target.sys_platform,
        "sys.implementation._multiarch": target.multiarch,
        "sys.abiflags": interp.abiflags,
        "sys.byteorder": target.arch.byteorder,
        "sys.maxsize": 2 ** (target.arch.bits - 1) - 1,
        "os.uname().sysname": target.uname_sysname,
        "os.uname().machine": target.machine,
        "platform.system()": target.platform_system,
        "platform.machine()": target.machine,
        "platform.architecture()[0]": f"{target.arch.bits}bit",
        "sysconfig.get_platform()": target.platform,
        "EXT_SUFFIX": interp.ext_suffix,
        "SOABI": interp.soabi,
        "MULTIARCH": cv.get("MULTIARCH", target.multiarch),
        "SIZEOF_VOID_P": cv.get("SIZEOF_VOID_P", target.arch.bits // 8),
        "CC": build.toolchain.cc,
        "LDSHARED": None,
        "INCLUDEPY": cv.get("INCLUDEPY"),
        "LIBDIR": cv.get("LIBDIR"),
        "sysconfig.get_paths()['include']": str(interp.include_dir),
        "sysconfig.get_config_h_filename()": str(interp.config_h),
        "importlib.machinery.EXTENSION_SUFFIXES": list(interp.extension_suffixes),
    }


def _show(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return "-" if value is None else str(value)


def _cell(text: str, width: int = 50) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def family_lines(build: CrossBuild) -> list[str]:
    """What the family module's ``doctor_lines(build)`` adds (Pyodide: versions, origins)."""
    lines = family_hook(build.target.facts, "doctor_lines")
    return list(lines(build)) if lines is not None else []


def doctor_report(config: CrossConfig) -> str:
    """Resolve the cross build and lay the three views side by side."""
    build = resolve_cross_build(config)
    host = probe(None)
    with tempfile.TemporaryDirectory(prefix="crosswheel-doctor-") as work:
        env = cross_environment(build, Path(work))
        shimmed = probe(env)
    expected = target_values(build)
    lines = [
        f"target:        {build.target.describe()}",
        f"target Python: {build.interpreter.describe()}",
        f"compiler:      {build.toolchain.describe()}",
        f"Fortran:       {describe_fortran(build.toolchain)}",
        *family_lines(build),
        "environment:   " + " ".join(f"{k}={v}" for k, v in sorted(env.items()) if k != ENV_VAR),
        "",
    ]
    rows = [("INTROSPECTION POINT", "BUILD MACHINE", "SHIM", "TARGET", "")]
    problems = 0
    for key, value in shimmed.items():
        want = expected.get(key)
        # None: the target has no single answer here (e.g. LDSHARED is ours by design).
        wrong = want is not None and _show(want) != _show(value)
        problems += wrong
        rows.append(
            (
                key,
                _cell(_show(host.get(key))),
                _cell(_show(value)),
                _cell(_show(want)),
                "<- differs" if wrong else "",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths)) + "  " + row[4])
    lines.append("")
    lines.append(
        f"{problems} introspection point(s) where the shim and the target disagree"
        if problems
        else "the shim answers every introspection point as the target does"
    )
    return "\n".join(line.rstrip() for line in lines)
