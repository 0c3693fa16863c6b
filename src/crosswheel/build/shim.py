"""The target-environment shim, active in every Python process of a cross build.

crosswheel's wheel installs ``crosswheel-shim.pth``, which calls ``activate()`` at
start-up when ``CROSSWHEEL_SHIM`` names a spec file (written by
``crosswheel.build.environment``). Frontends' isolated environments process ``.pth``
files, so the inner backend, ``setup.py`` and every Python a build tool starts
from that environment see the target; the frontend never has the variable.

Only what describes the *target* is faked (see the README's table): the running
interpreter keeps its own prefixes, executable, import machinery and subprocess
support, so it can still import the build machine's C extensions and start
subprocesses. This module uses the standard library only.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

ENV_VAR = "CROSSWHEEL_SHIM"
PTH_TEXT = (
    'import os; "CROSSWHEEL_SHIM" in os.environ and '
    '__import__("crosswheel.build.shim").build.shim.activate()\n'
)
"""``crosswheel-shim.pth``: does nothing unless the variable is set (a test checks the
packaged file says this)."""


def unshimmed_environ(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without the shim's variable, plus ``extra``.

    What every tool crosswheel starts on the build machine's behalf gets: they
    answer as the build machine unless crosswheel means them not to.
    """
    env = {k: v for k, v in os.environ.items() if k != ENV_VAR}
    env.update(extra or {})
    return env


HOST_CONFIG_VARS = (
    "prefix",
    "exec_prefix",
    "base",
    "platbase",
    "installed_base",
    "installed_platbase",
    "projectbase",
    "srcdir",
    "userbase",
    "platlibdir",
    "py_version",
    "py_version_nodot_plat",
    "TZPATH",
    "BINDIR",
    "SCRIPTDIR",
)
"""Config vars that describe the running environment's install layout: kept as they are."""

_active: dict[str, Any] | None = None


def active_spec() -> dict[str, Any] | None:
    """The spec this process was shimmed with, or ``None``."""
    return _active


def activate() -> None:
    """Make this process answer introspection as the target would."""
    global _active
    path = os.environ.get(ENV_VAR)
    if not path or _active is not None:
        return
    try:
        with open(path, encoding="utf-8") as f:
            spec = json.load(f)
    except (OSError, ValueError) as exc:
        sys.stderr.write(
            f"crosswheel: warning: cannot read the cross-build spec {path}: {exc}; "
            "this process sees the build machine, not the target\n"
        )
        return
    _import_platform_dependent_modules()
    _patch_sys(spec)
    _patch_os(spec)
    _patch_platform(spec)
    _patch_sysconfig(spec)
    _patch_importlib(spec)
    _patch_family(spec)
    _patch_target_packages(spec)
    _patch_distutils(spec)
    _patch_ctypes(spec)
    _active = spec


def _import_platform_dependent_modules() -> None:
    """Import modules that decide things from ``sys.platform`` at import time first.

    ``subprocess`` and ``os`` pick their implementation when imported; they must
    pick the build machine's, since they run here.
    """
    import ctypes.util  # noqa: F401  (picks find_library's implementation by sys.platform)
    import platform  # noqa: F401
    import shutil  # noqa: F401
    import subprocess  # noqa: F401
    import sysconfig
    import tempfile  # noqa: F401

    # sysconfig finds its data module by sys.implementation._multiarch: load the
    # build machine's now, and keep finding it if a later Python re-initializes.
    sysconfig.get_config_vars()
    data_name = getattr(sysconfig, "_get_sysconfigdata_name", None)
    if data_name is not None:
        host_data_name = data_name()
        sysconfig._get_sysconfigdata_name = lambda: host_data_name  # type: ignore[attr-defined]


def _patch_sys(spec: dict[str, Any]) -> None:
    import shutil

    host_platform, host_which = sys.platform, shutil.which

    def which(cmd: Any, mode: int = os.F_OK | os.X_OK, path: Any = None) -> Any:
        # shutil.which reads sys.platform on each call: with "win32" faked it calls
        # _winapi, which only exists there (meson-python looks for ninja with it). It runs here.
        faked, sys.platform = sys.platform, host_platform
        try:
            return host_which(cmd, mode, path)
        finally:
            sys.platform = faked

    shutil.which = which
    sys.platform = spec["sys_platform"]
    sys.abiflags = spec["abiflags"]
    sys.byteorder = spec["byteorder"]
    sys.implementation._multiarch = spec["multiarch"]  # type: ignore[attr-defined]
    target_maxsize = 2 ** (int(spec["pointer_bits"]) - 1) - 1
    if target_maxsize < sys.maxsize:
        # A smaller bound is safe for this process; a larger one would overflow C calls.
        sys.maxsize = target_maxsize


def _patch_os(spec: dict[str, Any]) -> None:
    host_uname = os.uname

    def uname() -> os.uname_result:
        real = host_uname()
        return os.uname_result(
            (spec["uname_sysname"], real.nodename, real.release, real.version, spec["machine"])
        )

    os.uname = uname


def _patch_platform(spec: dict[str, Any]) -> None:
    import platform

    platform._uname_cache = None  # type: ignore[attr-defined]
    bits = f"{spec['pointer_bits']}bit"
    host_architecture = platform.architecture

    def architecture(
        executable: str = sys.executable, bits: str = bits, linkage: str = ""
    ) -> tuple[str, str]:
        if executable == sys.executable:
            return bits, "ELF"
        return host_architecture(executable, bits, linkage)

    platform.architecture = architecture
    libc = spec.get("libc")
    if libc:
        host_libc_ver = platform.libc_ver

        def libc_ver(
            executable: str | None = None, lib: str = "", version: str = "", chunksize: int = 16384
        ) -> tuple[str, str]:
            if executable in (None, sys.executable):
                return libc[0], libc[1]
            return host_libc_ver(executable, lib, version, chunksize)

        platform.libc_ver = libc_ver


def _patch_sysconfig(spec: dict[str, Any]) -> None:
    import sysconfig

    target_vars: dict[str, Any] = spec["config_vars"]
    config = sysconfig.get_config_vars()

    def apply(config_vars: dict[str, Any]) -> None:
        # Keys the target's data lacks are derived at run time (py_version_short,
        # base, userbase...): they describe this process and stay.
        kept = {key: config_vars[key] for key in HOST_CONFIG_VARS if key in config_vars}
        config_vars.update(target_vars)
        config_vars.update(kept)
        config_vars["abiflags"] = spec["abiflags"]

    apply(config)
    init = getattr(sysconfig, "_init_config_vars", None)
    if init is not None:
        # Python 3.13+ re-initializes when sys.prefix moves; re-apply after it does.
        def _init_config_vars() -> None:
            init()
            real = getattr(sysconfig, "_CONFIG_VARS", None)
            if isinstance(real, dict):
                apply(real)

        sysconfig._init_config_vars = _init_config_vars  # type: ignore[attr-defined]

    platform_string = spec["platform"]
    sysconfig.get_platform = lambda: platform_string
    host_get_paths = sysconfig.get_paths
    include_paths = {"include": spec["include"], "platinclude": spec["platinclude"]}

    def get_paths(
        scheme: str | None = None, vars: dict[str, Any] | None = None, expand: bool = True
    ) -> dict[str, str]:
        paths = (
            host_get_paths(scheme, vars, expand)
            if scheme
            else host_get_paths(vars=vars, expand=expand)
        )
        if vars is None and expand:
            paths.update(include_paths)
        return paths

    def get_path(
        name: str,
        scheme: str | None = None,
        vars: dict[str, Any] | None = None,
        expand: bool = True,
    ) -> str:
        return get_paths(scheme, vars, expand)[name]

    sysconfig.get_paths = get_paths
    sysconfig.get_path = get_path
    config_h = spec["config_h"]
    sysconfig.get_config_h_filename = lambda: config_h
    makefile = spec.get("makefile")
    if makefile:
        sysconfig.get_makefile_filename = lambda: makefile


def _patch_importlib(spec: dict[str, Any]) -> None:
    # The path hooks captured their own copy of the suffixes at start-up, so this
    # changes what build tools read, not what this process can import.
    import importlib.machinery

    importlib.machinery.EXTENSION_SUFFIXES[:] = spec["extension_suffixes"]


def _patch_family(spec: dict[str, Any]) -> None:
    """Facts only some families have: ``sys`` functions (an API level), ``platform.system()``."""
    import platform

    for name, value in (spec.get("sys_functions") or {}).items():
        # What CPython on that family has, and what build scripts test to detect it.
        setattr(sys, name, lambda value=int(value): value)
    system = spec.get("platform_system")
    if system and system != spec["uname_sysname"]:
        platform.system = lambda: system


def _patch_target_packages(spec: dict[str, Any]) -> None:
    """C-API packages (numpy) answer with the target's headers, once a build script imports them.

    The build environment's copy stays the one that is imported and runs: only its
    answers about headers change (``get_include()``, ``numpy-config``).
    """
    patches: dict[str, Callable[[Any], None]] = {}
    for entry in spec.get("target_packages") or ():
        patches[entry["module"]] = functools.partial(_patch_package, entry=entry)
        patches[f"{entry['module']}._configtool"] = functools.partial(
            _patch_configtool, entry=entry
        )
    if patches:
        sys.meta_path.insert(0, _ModuleFinder(patches))


def _patch_package(package: Any, entry: dict[str, Any]) -> None:
    """The target's answers, after the package has run: its headers, numpy's type names."""
    _patch_get_include(package, entry)
    if package.__name__ == "numpy" and _active is not None:
        _patch_long_double_names(package, _active)


def _patch_get_include(package: Any, entry: dict[str, Any]) -> None:
    """Every module-level binding of the package's ``get_include`` answers the target's."""
    original = getattr(package, "get_include", None)
    include = entry["include"]

    def get_include() -> str:
        """The target's C headers (crosswheel: this is a cross build)."""
        return str(include)

    if original is None:
        return
    prefix = package.__name__ + "."
    for name, module in list(sys.modules.items()):
        inside = name == package.__name__ or name.startswith(prefix)
        if inside and getattr(module, "get_include", None) is original:
            setattr(module, "get_include", get_include)  # noqa: B010


LONG_DOUBLE_NAMES = ("float96", "float128", "complex192", "complex256")
"""numpy's names of ``long double`` by size: which exist depends on the machine."""


def _patch_long_double_names(numpy: Any, spec: dict[str, Any]) -> None:
    """The build machine's sized ``long double`` names that the target lacks are removed.

    Build scripts ask ``hasattr(numpy, "complex256")`` to decide what to compile (h5py);
    the answer must be the target's: armhf's ``long double`` is a ``double`` and its numpy
    has no ``complex256``, while x86_64's has. The types themselves stay in numpy's
    tables, which this process runs on; names are not added for the target.
    """
    size = spec.get("config_vars", {}).get("SIZEOF_LONG_DOUBLE")
    if not isinstance(size, int) or size <= 0:
        return
    bits = 8 * size
    target_names = {f"float{bits}", f"complex{2 * bits}"} if size > 8 else set()
    for name in LONG_DOUBLE_NAMES:
        if name not in target_names and name in vars(numpy):
            delattr(numpy, name)


def _patch_configtool(module: Any, entry: dict[str, Any]) -> None:
    """``numpy-config``: ``--cflags``, ``--pkgconfigdir`` and ``--version`` of the target's copy."""
    host_main = module.main
    answers = {
        "--version": entry["version"],
        "--cflags": "-I" + entry["include"],
        "--pkgconfigdir": entry.get("pkgconfigdir"),
    }

    def main() -> None:
        args = sys.argv[1:]
        if not args or not all(answers.get(arg) for arg in args):
            host_main()
            return
        if "--version" in args:
            print(answers["--version"])
            return
        for arg in ("--cflags", "--pkgconfigdir"):
            if arg in args:
                print(answers[arg])

    module.main = main


DISTUTILS_SYSCONFIG = ("distutils.sysconfig", "setuptools._distutils.sysconfig")
"""The modules whose ``get_python_inc()`` setuptools' ``build_ext`` asks for Python's headers."""


def _patch_distutils(spec: dict[str, Any]) -> None:
    """``get_python_inc()`` answers the target's headers, as setuptools 64+ does (``INCLUDEPY``).

    Without a prefix, distutils (the standard library's, and setuptools' before 64)
    answers from this process's ``sys.base_prefix``: the build machine's
    ``pyconfig.h``, whose ``LONG_BIT`` stops every 32-bit target's compile.
    """
    patch = functools.partial(_patch_get_python_inc, spec=spec)
    sys.meta_path.insert(0, _ModuleFinder({name: patch for name in DISTUTILS_SYSCONFIG}))
    for name in DISTUTILS_SYSCONFIG:
        if name in sys.modules:
            _patch_get_python_inc(sys.modules[name], spec)


def _patch_get_python_inc(module: Any, spec: dict[str, Any]) -> None:
    host = getattr(module, "get_python_inc", None)
    if host is None or getattr(host, "_crosswheel", False):
        return

    # What setuptools 64+ answers: the target's INCLUDEPY (CONFINCLUDEPY for pyconfig.h).
    config = spec.get("config_vars") or {}
    include = config.get("INCLUDEPY") or spec["include"]
    platinclude = config.get("CONFINCLUDEPY") or spec["platinclude"]

    def get_python_inc(plat_specific: Any = 0, prefix: Any = None) -> Any:
        if prefix is None:
            return platinclude if plat_specific else include
        return host(plat_specific, prefix)

    get_python_inc._crosswheel = True  # type: ignore[attr-defined]
    module.get_python_inc = get_python_inc


class _ModuleFinder:
    """Finds modules as the rest of ``sys.meta_path`` would, and patches them once loaded.

    ``patches`` maps a module's full name to what is done to it after it has run.
    """

    def __init__(self, patches: dict[str, Callable[[Any], None]]) -> None:
        self.patches = patches

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        patch = self.patches.get(name)
        if patch is None:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            found = finder.find_spec(name, path, target)
            if found is not None:
                loader = found.loader
                if loader is not None and hasattr(loader, "exec_module"):
                    found.loader = _ThenLoader(loader, patch)  # type: ignore[assignment]
                return found
        return None

    def invalidate_caches(self) -> None:
        pass


class _ThenLoader:
    """The real loader, then ``then(module)``."""

    def __init__(self, loader: Any, then: Callable[[Any], None]) -> None:
        self._loader = loader
        self._then = then

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._loader.exec_module(module)
        self._then(module)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


VERSION_VARIABLES = {
    "hdf5": "HDF5_VERSION=<x.y.z> H5PY_ROS3=0 H5PY_DIRECT_VFD=0 (with all three, h5py "
    "does not load libhdf5)",
}
"""Libraries whose version build scripts probe with ctypes, and what the project accepts
instead (an environment variable it documents)."""


def _patch_ctypes(spec: dict[str, Any]) -> None:
    """``find_library`` answers from the target's folders; a target library runs on the target.

    A build script that loads a library to learn its version would load the target's
    file into this build machine process: that cannot work. Where the target's CPython
    runs here (``spec["target_runtime"]``), the ``CDLL`` becomes a ``TargetLibrary``
    whose functions run there; otherwise the loader's error becomes one message that
    names the library, why, and what to give instead.
    """
    import ctypes
    import ctypes.util

    dirs = [d for d in spec.get("library_dirs") or () if os.path.isdir(d)]
    if not spec.get("library_dirs"):
        return

    def find_library(name: str) -> str | None:
        return _find_target_library(name, dirs)

    ctypes.util.find_library = find_library
    if spec.get("build_machine") == spec["machine"]:
        return  # the target's libraries load here
    host_init = ctypes.CDLL.__init__
    host_getitem = ctypes.CDLL.__getitem__
    runtime = spec.get("target_runtime") or {}

    def __init__(self: Any, name: Any, *args: Any, **kwargs: Any) -> None:
        try:
            host_init(self, name, *args, **kwargs)
        except OSError as exc:
            path = _target_library_path(name, dirs)
            if path is None:
                raise
            if not runtime.get("command"):
                raise OSError(_cannot_load(name, path, spec, exc, runtime)) from None
            from crosswheel.build.target_calls import TargetLibrary

            remote = TargetLibrary(path, runtime, dirs, unshimmed_environ())
            failed = remote.load()
            if failed is not None:
                raise OSError(_cannot_load(name, path, spec, exc, runtime, failed)) from None
            self._name, self._handle, self._crosswheel_remote = name, 0, remote

    def __getitem__(self: Any, name: Any) -> Any:
        remote = self.__dict__.get("_crosswheel_remote")
        if remote is None:
            return host_getitem(self, name)
        return remote.function(name)

    ctypes.CDLL.__init__ = __init__  # type: ignore[method-assign]
    ctypes.CDLL.__getitem__ = __getitem__  # type: ignore[method-assign]


def _find_target_library(name: str, dirs: list[str]) -> str | None:
    """``lib<name>.so.N`` as ``find_library`` answers on Linux (a file name), from ``dirs`` only."""
    stem = name if name.startswith("lib") and ".so" in name else f"lib{name}.so"
    for folder in dirs:
        try:
            entries = sorted(os.listdir(folder))
        except OSError:
            continue
        versioned = [e for e in entries if e.startswith(stem + ".")]
        if stem in entries:
            # The development link names the real file; its shortest other name is the
            # SONAME (libyaml.so -> libyaml-0.so.2.0.9: libyaml-0.so.2).
            real = os.path.realpath(os.path.join(folder, stem))
            versioned += [
                e
                for e in entries
                if ".so." in e and os.path.realpath(os.path.join(folder, e)) == real
            ]
        if versioned:
            return min(versioned, key=len)
        if stem in entries:
            return stem
    return None


def _target_library_path(name: Any, dirs: list[str]) -> str | None:
    """Where ``name`` (a path or a file name) is among the target's libraries, if it is."""
    if not isinstance(name, str) or not name:
        return None
    if "/" in name:
        real = os.path.realpath(name)
        inside = any(real.startswith(os.path.realpath(d) + os.sep) for d in dirs)
        return name if inside and os.path.exists(name) else None
    for folder in dirs:
        candidate = os.path.join(folder, name)
        if os.path.exists(candidate):
            return candidate
    found = _find_target_library(name, dirs)
    return _target_library_path(found, dirs) if found and found != name else None


def _cannot_load(
    name: str,
    path: str,
    spec: dict[str, Any],
    exc: OSError,
    runtime: dict[str, Any] | None = None,
    failed: str | None = None,
) -> str:
    base = os.path.basename(path).split(".so")[0].removeprefix("lib")
    instead = next(
        (text for key, text in VERSION_VARIABLES.items() if base.startswith(key)),
        "the library's version in the environment variable the project documents for it, "
        "or its headers, pkg-config file or *-config program (which describe the target's copy)",
    )
    if failed is not None:
        remote = f" The target's CPython could not load it either: {failed}."
    elif runtime and runtime.get("unavailable"):
        remote = (
            " Nor can the target's CPython answer for it here: "
            f"{runtime['unavailable']} (give -C target-python a sysroot that holds it)."
        )
    else:
        remote = ""
    return (
        f"crosswheel: {name} is the target's library ({path}, for {spec['target']}); this "
        f"cross build's Python runs on the build machine ({spec.get('build_machine')}) and "
        f"cannot load a library built for {spec['machine']} ({exc}).{remote} A build script "
        f"that loads it to learn its version needs it given another way: set {instead}"
    )
