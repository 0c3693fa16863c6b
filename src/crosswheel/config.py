"""What the user asked for: ``[tool.crosswheel]`` plus config settings plus environment.

crosswheel reads a handful of config settings (``target``, ``target-python``,
``toolchain``); each has an environment fallback and the config setting wins.
Everything else is the inner backend's and passes through untouched.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Union

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from crosswheel.errors import ConfigError
from crosswheel.report import warn

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on old Pythons only
    import tomli as tomllib  # type: ignore[import-not-found,no-redef,unused-ignore]

ConfigSettings = Mapping[str, Union[str, list[str]]]

DEFAULT_BACKEND = "setuptools.build_meta:__legacy__"
"""What frontends use for a project without a ``build-backend`` (PEP 517)."""


@dataclass(frozen=True)
class Setting:
    """One config setting of crosswheel's: declared once, parsed and documented from here."""

    name: str
    kind: Literal["text", "choice", "yes-no", "list", "words"]
    """``list``: repeated or joined by ``separator``; ``words``: adds up, space-separated."""
    doc: str
    """The README's configuration table says this (a test checks they agree)."""
    default: str | None = None
    choices: tuple[str, ...] = ()
    separator: str = ""

    @property
    def variable(self) -> str:
        """The environment fallback: ``CROSSWHEEL_<NAME>``."""
        return "CROSSWHEEL_" + self.name.upper().replace("-", "_")


SCHEMA: tuple[Setting, ...] = (
    Setting(
        "target",
        "text",
        "what to build for: a GNU triplet (`aarch64-linux-gnu`, `arm-linux-gnueabihf`, "
        "`i686-linux-gnu`, `powerpc64le-linux-gnu`, `riscv64-linux-gnu`, "
        "`s390x-linux-gnu`, `x86_64-linux-gnu`), a wheel platform tag (`linux_aarch64`, "
        "`manylinux_2_28_aarch64`) or a `sysconfig.get_platform()` string "
        "(`linux-aarch64`). Unset: pass-through.",
    ),
    Setting(
        "target-python",
        "text",
        "the target interpreter: a prefix or sysroot folder, a `_sysconfigdata_*.py`, or "
        "a PEP 739 `build-details.json`. Unset: Debian/Ubuntu multiarch "
        "(`/usr/lib/python3.X/_sysconfigdata__linux_<multiarch>.py`). Its major.minor "
        "must equal the build Python's.",
    ),
    Setting(
        "toolchain",
        "text",
        "a cross prefix such as `aarch64-linux-gnu-` or "
        "`/opt/cross/bin/aarch64-linux-gnu-`; or `zig` (`zig cc` from the `ziglang` "
        "package, which crosswheel adds to the build requirements; for musl and for "
        "glibc pinned to the target tag's version: `manylinux_2_17_aarch64` builds "
        "against glibc 2.17), or `zig:<zig target>`. Unset: `<triplet>-gcc` on PATH for "
        "Linux, the NDK's clang for Android (`ANDROID_NDK_HOME`), `emcc` for Emscripten, "
        "`$WASI_SDK_PATH` for WASI. `CC`, `CXX`, `AR`, `STRIP`, `RANLIB`, `FC` set by "
        "the user win. Fortran: see [Fortran](#fortran).",
    ),
    Setting(
        "api-level",
        "text",
        "Android API level (default 24, or the one in the target's name, e.g. "
        "`aarch64-linux-android28`).",
    ),
    Setting(
        "min-version",
        "text",
        "iOS minimum version (default 13.0) or macOS deployment target (default 11.0 for "
        "arm64, 10.13 for x86_64).",
    ),
    Setting(
        "platform-tag",
        "text",
        "the wheel's platform tag instead of the computed one (e.g. "
        "`manylinux_2_28_aarch64`); still checked against the binaries: a tag they do "
        "not satisfy fails the build.",
    ),
    Setting(
        "android-page-size-check",
        "choice",
        "`error` (default) or `warn`: Android LOAD segments not aligned to 16 KB.",
        default="error",
        choices=("error", "warn"),
    ),
    Setting(
        "target-requires",
        "words",
        "requirements for the target's copy of C-API build requirements, such as "
        "`numpy==2.2.6` (see [Building against the target's "
        "numpy](#building-against-the-targets-numpy)); several separated by spaces or as "
        "several `-C`; added after `[tool.crosswheel] target-requires`, the later entry "
        "for a package wins.",
    ),
    Setting(
        "repair",
        "yes-no",
        "`yes` (default) or `no`: bundle the target's libraries that no "
        "manylinux/musllinux policy allows into the wheel (see [Repair](#repair)). `no` "
        "keeps them as system libraries and the `linux_<arch>` tag, and warns about "
        "those the target lacks.",
        default="yes",
    ),
    Setting(
        "repair-exclude",
        "list",
        "libraries never bundled, as auditwheel's `--exclude`: repeat the setting or "
        "give a comma list; names or `fnmatch` patterns (`libfoo.so.1`, `libGL*`). The "
        "wheel stays `linux_<arch>` unless a policy allows them.",
        separator=",",
    ),
    Setting(
        "library-path",
        "list",
        "more folders of the target's libraries, searched first: repeat the setting or "
        "give a `:`-separated list.",
        separator=os.pathsep,
    ),
    Setting(
        "target-system-packages",
        "list",
        "Debian packages of the target's system libraries to fetch for the build "
        "(`libgeos-dev,libhdf5-dev`): repeat the setting or give a comma list. With the "
        "libraries they depend on, they are downloaded for the target's architecture "
        "into a cached overlay that pkg-config, CMake, `*-config` scripts, the compiler "
        "and repair see (see [The target's system "
        "libraries](#the-targets-system-libraries-fetched)). For `-dev` packages that "
        "cannot be installed beside the build machine's.",
        separator=",",
    ),
)
"""Every config setting crosswheel reads; the rest pass through to the inner backend."""

SETTINGS: dict[str, str] = {s.name: s.variable for s in SCHEMA if s.kind != "words"}
"""The single-valued settings crosswheel reads, with their environment fallbacks."""

LIST_SETTINGS: dict[str, str] = {s.name: s.separator for s in SCHEMA if s.kind == "list"}
"""Settings that may be given more than once: their values are joined with this separator."""


def setting(name: str) -> Setting:
    """The declaration of ``name``."""
    return next(s for s in SCHEMA if s.name == name)


def settings_table() -> str:
    """The README's configuration table, made from the schema."""
    lines = ["| setting | environment | meaning |", "|---|---|---|"]
    lines += [f"| `{s.name}` | `{s.variable}` | {s.doc} |" for s in SCHEMA]
    return "\n".join(lines)


_TOOL_KEYS = ("backend", "backend-path", "target-requires")

TARGET_REQUIRES = "target-requires"
TARGET_REQUIRES_VAR = setting(TARGET_REQUIRES).variable
"""Unlike the other settings ``target-requires`` adds up: ``[tool.crosswheel]
target-requires``, then each ``-C target-requires=...`` (or the variable)."""

INNER_BACKEND_SETTING = "inner-backend"
INNER_BACKEND_PATH_SETTING = "inner-backend-path"
"""Config settings that name the inner backend from outside the project.

``crosswheel build`` wraps an unmodified project: its own ``[build-system]`` names
the real backend, and these settings carry that to crosswheel's backend, winning
over ``[tool.crosswheel]``. They are crosswheel's, never passed to the inner backend.
"""


@dataclass(frozen=True)
class InnerBackend:
    """The project's real backend, as PEP 517 names one."""

    name: str
    path: tuple[str, ...] = ()


PageSizeCheck = Literal["error", "warn"]


@dataclass(frozen=True)
class WheelSettings:
    """What the stages after the build (tags, fixer, verifier) take from the user."""

    platform_tag: str | None = None
    """Overrides the computed platform tag (still verified against the binaries)."""
    page_size_check: PageSizeCheck = "error"
    """Android LOAD segments not aligned to 16 KB: an error, or only a warning."""
    repair: bool = True
    """Bundle the target's libraries that no policy allows (manylinux/musllinux targets)."""
    repair_exclude: tuple[str, ...] = ()
    """Library names (or fnmatch patterns) never bundled."""
    library_path: tuple[Path, ...] = ()
    """Target library folders searched before the ones crosswheel knows."""


def _choice(key: str, value: str | None, choices: tuple[str, ...], default: str) -> str:
    if value is None:
        return default
    normal = value.strip().lower()
    if normal not in choices:
        raise ConfigError(
            f"config setting {key!r} must be {' or '.join(map(repr, choices))}, not {value!r}"
        )
    return normal


def wheel_settings(ours: Mapping[str, str]) -> WheelSettings:
    """Validate the wheel-related settings once, where they enter."""
    page = setting("android-page-size-check")
    check = _choice(page.name, ours.get(page.name), page.choices, page.default or "")
    return WheelSettings(
        platform_tag=ours.get("platform-tag"),
        page_size_check="warn" if check == "warn" else "error",
        repair=_yes_no("repair", ours.get("repair"), default=True),
        repair_exclude=_split("repair-exclude", ours),
        library_path=_folders("library-path", _split("library-path", ours)),
    )


def _folders(key: str, values: Sequence[str]) -> tuple[Path, ...]:
    """Folders a setting names; one that is not there is a typo, not an empty search."""
    for value in values:
        if not Path(value).is_dir():
            raise ConfigError(
                f"config setting {key!r}: {value} is not a folder",
                hint=f"give {key} existing folders of the target's libraries "
                "(relative to the project's folder)",
            )
    return tuple(Path(v) for v in values)


def _yes_no(key: str, value: str | None, default: bool) -> bool:
    if value is None:
        return default
    normal = value.strip().lower()
    if normal not in ("yes", "no", "true", "false", "1", "0", "on", "off"):
        raise ConfigError(f"config setting {key!r} must be 'yes' or 'no', not {value!r}")
    return normal in ("yes", "true", "1", "on")


def _split(key: str, ours: Mapping[str, str]) -> tuple[str, ...]:
    """A list setting's values (given repeatedly or as one separated list)."""
    parts = (p.strip() for p in ours.get(key, "").split(LIST_SETTINGS[key]))
    return tuple(p for p in parts if p)


@dataclass(frozen=True)
class CrossConfig:
    """Everything the later stages need from the user, resolved once."""

    inner: InnerBackend
    target: str | None = None
    target_python: str | None = None
    toolchain: str | None = None
    api_level: str | None = None
    """Android API level (default 24)."""
    min_version: str | None = None
    """iOS/macOS deployment target."""
    wheel: WheelSettings = field(default_factory=WheelSettings)
    """What the user asks of the finished wheel."""
    inner_settings: dict[str, str | list[str]] = field(default_factory=dict)
    """The config settings that belong to the inner backend."""
    build_requires: tuple[str, ...] = ()
    """The project's ``[build-system] requires``, by canonical name."""
    target_requires: tuple[str, ...] = ()
    """``target-requires``: pyproject's entries first, then the config settings'."""
    system_packages: tuple[str, ...] = ()
    """``target-system-packages``: Debian packages fetched for the target (in the build only)."""


def project_label(source_dir: Path) -> str:
    """``name version`` from ``[project]`` where static, else the folder's name (for messages)."""
    project = read_pyproject(source_dir).get("project")
    if isinstance(project, dict) and isinstance(project.get("name"), str):
        version = project.get("version")
        return f"{project['name']} {version}" if isinstance(version, str) else project["name"]
    return source_dir.name


def build_requirement_names(pyproject: Mapping[str, Any]) -> tuple[str, ...]:
    """Canonical names of ``[build-system] requires`` (unparsable entries are skipped)."""
    system = pyproject.get("build-system")
    requires = system.get("requires") if isinstance(system, dict) else None
    names = []
    for entry in requires if isinstance(requires, list) else []:
        try:
            names.append(canonicalize_name(Requirement(str(entry)).name))
        except InvalidRequirement:
            continue
    return tuple(names)


def read_pyproject(source_dir: Path) -> dict[str, Any]:
    """The parsed ``pyproject.toml``, or ``{}`` when the project has none."""
    path = source_dir / "pyproject.toml"
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as f:
            data: dict[str, Any] = tomllib.load(f)
            return data
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path} is not UTF-8 text: {exc.reason} at byte {exc.start}",
            hint="TOML files are UTF-8: save pyproject.toml as UTF-8",
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"cannot read {path}: {exc.strerror or exc}",
            hint="make the project's files readable for this user",
        ) from None


def inner_backend_from_pyproject(pyproject: Mapping[str, Any]) -> InnerBackend:
    """The backend that ``[tool.crosswheel]`` names, or the setuptools legacy default."""
    tool = pyproject.get("tool", {}).get("crosswheel", {})
    if not isinstance(tool, dict):
        raise ConfigError("[tool.crosswheel] in pyproject.toml must be a table")
    unknown = sorted(set(tool) - set(_TOOL_KEYS))
    if unknown:
        raise ConfigError(
            f"unknown key(s) in [tool.crosswheel]: {', '.join(unknown)}",
            hint=f"the keys are: {', '.join(_TOOL_KEYS)}; the target and its options are "
            "config settings (-C target=...)",
        )
    name = tool.get("backend", DEFAULT_BACKEND)
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(
            "[tool.crosswheel] backend must be a string such as 'setuptools.build_meta'"
        )
    path = tool.get("backend-path", [])
    if not isinstance(path, list) or not all(isinstance(p, str) for p in path):
        raise ConfigError("[tool.crosswheel] backend-path must be a list of strings")
    if name.split(":")[0].split(".")[0] == "crosswheel":
        raise ConfigError(
            "[tool.crosswheel] backend names crosswheel itself",
            hint="name the project's real backend, e.g. 'setuptools.build_meta'",
        )
    return InnerBackend(name=name.strip(), path=tuple(path))


def target_requires(
    pyproject: Mapping[str, Any], setting: str | list[str] | None, environ: Mapping[str, str]
) -> tuple[str, ...]:
    """``[tool.crosswheel] target-requires`` plus the config setting (or its variable)."""
    tool = pyproject.get("tool", {}).get("crosswheel", {})
    listed = tool.get(TARGET_REQUIRES, []) if isinstance(tool, dict) else []
    if not isinstance(listed, list) or not all(isinstance(r, str) for r in listed):
        raise ConfigError(
            "[tool.crosswheel] target-requires must be a list of requirement strings",
            hint='e.g. target-requires = ["numpy==2.2.6"]',
        )
    given = environ.get(TARGET_REQUIRES_VAR, "") if setting is None else setting
    values = [given] if isinstance(given, str) else given
    return (*listed, *(word for value in values for word in value.split()))


def _single(key: str, value: str | list[str]) -> str:
    if isinstance(value, list):
        if not value:
            raise ConfigError(f"config setting {key!r} is empty")
        return value[-1]
    return value


def split_settings(
    settings: ConfigSettings | None, environ: Mapping[str, str] | None = None
) -> tuple[dict[str, str], dict[str, str | list[str]]]:
    """Separate crosswheel's settings (with env fallbacks) from the inner backend's."""
    environ = os.environ if environ is None else environ
    ours: dict[str, str] = {}
    theirs: dict[str, str | list[str]] = {}
    for key, value in (settings or {}).items():
        if key in LIST_SETTINGS and isinstance(value, list):
            ours[key] = LIST_SETTINGS[key].join(value)
        elif key in SETTINGS:
            ours[key] = _single(key, value)
        else:
            theirs[key] = value
    if "target" in ours and not ours["target"].strip():
        raise ConfigError(
            "config setting 'target' is empty",
            hint="name a target (crosswheel targets lists them), or leave -C target out "
            "for a native build",
        )
    names = [s.name for s in SCHEMA]
    for key in theirs:
        close = difflib.get_close_matches(key, names, n=1, cutoff=0.75)
        if close and key not in (*names, INNER_BACKEND_SETTING, INNER_BACKEND_PATH_SETTING):
            warn(
                f"config setting {key!r} is not crosswheel's: did you mean {close[0]!r}? "
                "(it goes to the inner backend as it is)"
            )
    for key, var in SETTINGS.items():
        if key not in ours and environ.get(var):
            ours[key] = environ[var]
    return {k: v.strip() for k, v in ours.items() if v.strip()}, theirs


def inner_backend_from_settings(
    name: str | list[str], path: str | list[str] | None
) -> InnerBackend:
    """The inner backend that the ``inner-backend``/``inner-backend-path`` settings name."""
    backend = _single(INNER_BACKEND_SETTING, name).strip()
    if not backend:
        raise ConfigError(f"config setting {INNER_BACKEND_SETTING!r} is empty")
    if backend.split(":")[0].split(".")[0] == "crosswheel":
        raise ConfigError(
            f"config setting {INNER_BACKEND_SETTING!r} names crosswheel itself",
            hint="name the project's real backend, e.g. 'setuptools.build_meta'",
        )
    paths = [path] if isinstance(path, str) else list(path or [])
    return InnerBackend(name=backend, path=tuple(p for p in paths if p))


def load_config(
    source_dir: Path,
    settings: ConfigSettings | None,
    environ: Mapping[str, str] | None = None,
) -> CrossConfig:
    """Resolve the whole configuration for one hook call."""
    ours, theirs = split_settings(settings, environ)
    inner_name = theirs.pop(INNER_BACKEND_SETTING, None)
    inner_path = theirs.pop(INNER_BACKEND_PATH_SETTING, None)
    if inner_name is not None:
        inner = inner_backend_from_settings(inner_name, inner_path)
    elif inner_path is not None:
        raise ConfigError(
            f"config setting {INNER_BACKEND_PATH_SETTING!r} needs {INNER_BACKEND_SETTING!r}"
        )
    requires_setting = theirs.pop(TARGET_REQUIRES, None)
    pyproject = read_pyproject(source_dir)
    if inner_name is None:
        inner = inner_backend_from_pyproject(pyproject)
    return CrossConfig(
        inner=inner,
        target=ours.get("target"),
        target_python=ours.get("target-python"),
        toolchain=ours.get("toolchain"),
        api_level=ours.get("api-level"),
        min_version=ours.get("min-version"),
        wheel=wheel_settings(ours),
        system_packages=_split("target-system-packages", ours),
        inner_settings=theirs,
        build_requires=build_requirement_names(pyproject),
        target_requires=target_requires(
            pyproject, requires_setting, os.environ if environ is None else environ
        ),
    )
