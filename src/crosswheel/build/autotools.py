"""Autoconf's site file: every ``./configure`` a build starts configures for the target.

Projects that bundle a C library often run its ``./configure`` from ``setup.py``
without ``--host``. Configure then compiles a test program with the cross ``CC``,
tries to run it, and stops ("cannot run C compiled programs", exit 77). Autoconf
reads the file named by ``CONFIG_SITE`` after parsing its arguments and before it
decides whether it cross compiles, so a site file can say what ``--host`` would
have said, with no cooperation from the project: the host triplet, that this is a
cross build, the tool prefix. Run tests (``AC_RUN_IFELSE``) cannot run a target
program here (configure starts ``./conftest`` itself; only binfmt_misc could route
it through qemu), so the usual ones get their known answers for the target.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from pathlib import Path

from crosswheel.target.names import Target
from crosswheel.target.toolchain import Toolchain

SITE_FILE = "crosswheel-config.site"

LINUX_RUN_TEST_ANSWERS: tuple[tuple[str, str], ...] = (
    ("ac_cv_func_malloc_0_nonnull", "yes"),
    ("ac_cv_func_realloc_0_nonnull", "yes"),
    ("ac_cv_func_calloc_0_nonnull", "yes"),
    ("ac_cv_func_mmap_fixed_mapped", "yes"),
    ("ac_cv_func_memcmp_working", "yes"),
    ("ac_cv_func_fork_works", "yes"),
    ("ac_cv_func_vfork_works", "yes"),
    ("ac_cv_func_setpgrp_void", "yes"),
    ("ac_cv_func_getpgrp_void", "yes"),
    ("ac_cv_func_setvbuf_reversed", "no"),
    ("ac_cv_func_strcoll_works", "yes"),
    ("ac_cv_func_strtod", "yes"),
    ("ac_cv_func_strnlen_working", "yes"),
    ("ac_cv_func_chown_works", "yes"),
    ("ac_cv_func_getgroups_works", "yes"),
    ("ac_cv_func_lstat_dereferences_slashed_symlink", "yes"),
    ("ac_cv_func_lstat_empty_string_bug", "no"),
    ("ac_cv_func_stat_empty_string_bug", "no"),
    ("ac_cv_func_working_mktime", "yes"),
    ("ac_cv_func_utime_null", "yes"),
    ("ac_cv_func_closedir_void", "no"),
    ("ac_cv_func_fnmatch_works", "yes"),
    ("ac_cv_file__dev_zero", "yes"),
    ("ac_cv_file__dev_random", "yes"),
    ("ac_cv_file__dev_urandom", "yes"),
)
"""What both Linux C libraries answer to autoconf's stock run tests (and ``AC_CHECK_FILE``
of device files, which refuses to guess in a cross build)."""


def canonical_host(target: Target) -> str:
    """``config.sub``'s form (cpu-vendor-os): configure splits ``ac_cv_host`` on dashes.

    Set directly, so that a project's old ``config.sub`` that predates the arch
    (aarch64, riscv64) is never asked.
    """
    parts = target.triplet.split("-")
    if len(parts) == 3:
        parts.insert(1, "unknown")
    return "-".join(parts)


def tool_prefix(target: Target, toolchain: Toolchain) -> str:
    """What ``AC_CHECK_TOOL`` puts before ``nm``, ``objdump``...: the cross binutils' prefix."""
    cc = toolchain.cc_argv[0] if toolchain.cc_argv else ""
    name = Path(cc).name
    for suffix in ("-gcc", "-cc", "-clang"):
        if name.endswith(suffix) and toolchain.kind == "gcc":
            return cc[: -len(suffix)] + "-"
    return f"{target.triplet}-"


def site_file_text(target: Target, toolchain: Toolchain, user_site: str | None = None) -> str:
    """The site file: the target as ``--host``, then the run tests' answers, then the user's."""
    triplet = target.triplet
    answers = [*LINUX_RUN_TEST_ANSWERS, ("ac_cv_c_bigendian", _bigendian(target))]
    lines = [
        f"# crosswheel: configure for {triplet}, as --host={triplet} would.",
        "# Only when configure was not given another --host: a project that passes",
        "# its own keeps it.",
        'if test -z "$host_alias"; then',
        f"  host_alias={triplet}",
        f"  ac_cv_host={canonical_host(target)}",
        f"  ac_tool_prefix={shlex.quote(tool_prefix(target, toolchain))}",
        "fi",
        f'if test "$host_alias" = {triplet}; then',
        "  cross_compiling=yes",
        *(f"  : ${{{name}={value}}}" for name, value in answers),
        "fi",
    ]
    if user_site:
        lines += [
            "# The user's own CONFIG_SITE, last: its answers win.",
            f"test -r {shlex.quote(user_site)} && . {shlex.quote(user_site)}",
        ]
    return "\n".join(lines) + "\n"


def _bigendian(target: Target) -> str:
    return "yes" if target.arch.byteorder == "big" else "no"


def autotools_environment(
    target: Target, toolchain: Toolchain, workdir: Path, environ: Mapping[str, str]
) -> dict[str, str]:
    """``CONFIG_SITE`` for Linux targets (the site file written into ``workdir``), else nothing."""
    if target.family != "linux":
        return {}
    user_site = environ.get("CONFIG_SITE") or None
    path = workdir / SITE_FILE
    path.write_text(site_file_text(target, toolchain, user_site), encoding="utf-8")
    return {"CONFIG_SITE": str(path)}
