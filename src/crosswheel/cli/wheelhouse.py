"""A wheelhouse for one target: requirements in, a wheel for every node of their closure out.

``crosswheel build REQ... --deps --target T -o DIR``. A native ``pip wheel``
resolves for the build machine; here every marker is evaluated for the target
(its Python version, ``platform_machine``, ``sys_platform``), and each node gets,
in this order of preference: a wheel already in DIR that satisfies it (reused,
so a rerun rebuilds nothing), the index's wheel for the target's tags
(downloaded by pip, which checks the index's hash), or a cross-built wheel from
its sdist (fetched and hash-checked by ``index.py``, never built natively).
Builds run in dependency order (runtime and build requirements both), with DIR
as ``--find-links`` and each C-API build requirement (numpy) pinned to the copy
in DIR, so a build compiles against the very wheel it will run with.
"""

from __future__ import annotations

import email.parser
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from crosswheel.config import read_pyproject
from crosswheel.errors import CrosswheelError
from crosswheel.report import info, verbosity
from crosswheel.target.interpreter import TargetInterpreter
from crosswheel.target.names import Target
from crosswheel.target.packages import (
    C_API_PACKAGES,
    REQUIREMENT_ALIASES,
    cached_wheel,
    download_wheel,
    target_tags,
)
from crosswheel.wheelfile import open_wheel

REUSED, DOWNLOADED, BUILT = "reused", "downloaded", "built"


def marker_environment(target: Target, interpreter: TargetInterpreter) -> dict[str, str]:
    """PEP 508 marker variables as the target's interpreter would report them."""
    major, minor = interpreter.version
    full = str(interpreter.config_vars.get("py_version") or f"{major}.{minor}.0")
    system = target.facts.sys_platform
    return {
        "python_version": f"{major}.{minor}",
        "python_full_version": full,
        "platform_machine": target.uname_machine,
        "sys_platform": system,
        "platform_system": target.facts.platform_system,
        "os_name": "nt" if system == "win32" else "posix",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "implementation_version": full,
        "platform_release": "",
        "platform_version": "",
    }


def applies(requirement: Requirement, env: Mapping[str, str], extras: Iterable[str] = ()) -> bool:
    """Whether ``requirement`` is wanted on the target, with the dependent's ``extras``."""
    if requirement.marker is None:
        return True
    return any(
        requirement.marker.evaluate({**env, "extra": extra}) for extra in ("", *sorted(extras))
    )


@dataclass
class Node:
    """One distribution of the closure and where its wheel comes from."""

    name: str
    """Canonical name."""
    version: Version
    chain: tuple[str, ...]
    """The requirements that led here, from the one the user gave."""
    source: str
    """``reused``, ``downloaded`` or ``built``."""
    requires: tuple[Requirement, ...] = ()
    """Its Requires-Dist, markers not yet evaluated."""
    extras: set[str] = field(default_factory=set)
    depends: set[str] = field(default_factory=set)
    """Canonical names of the nodes it needs on the target."""
    build_depends: set[str] = field(default_factory=set)
    """Its build requirements' canonical names (to build after those built here)."""
    wheel: Path | None = None
    sdist: Path | None = None
    seconds: float = 0.0
    error: CrosswheelError | None = None

    def describe_chain(self) -> str:
        return " <- ".join(reversed(self.chain))


def build_order(nodes: Mapping[str, Node]) -> list[str]:
    """The nodes to build, each after the nodes built here that its build compiles against."""
    pending = {n for n, node in nodes.items() if node.source == BUILT and node.wheel is None}
    order: list[str] = []
    done: set[str] = set()
    while pending:
        ready = sorted(n for n in pending if not (_needs(nodes[n]) & pending))
        if not ready:
            raise CrosswheelError(
                f"the builds of {', '.join(sorted(pending))} need each other: no order builds them"
            )
        order += ready
        done.update(ready)
        pending -= set(ready)
    return order


def _needs(node: Node) -> set[str]:
    """What ``node``'s build takes from DIR: its C-API build requirements (numpy).

    Nothing else: run-time dependencies are not installed for a build, and the other
    build requirements are the build machine's own, from the index (scikit-learn's
    scipy), so the target's copies being built here need not come first.
    """
    return (node.build_depends & set(C_API_PACKAGES)) - {node.name}


def _metadata_requires(text: str) -> tuple[tuple[Requirement, ...], bool]:
    """Requires-Dist of a METADATA/PKG-INFO text; and whether they are final (not Dynamic)."""
    message = email.parser.Parser().parsestr(text, headersonly=True)
    version = message.get("Metadata-Version", "1.0")
    dynamic = {d.strip().lower() for d in message.get_all("Dynamic") or []}
    requires = []
    for value in message.get_all("Requires-Dist") or []:
        try:
            requires.append(Requirement(value))
        except InvalidRequirement:
            continue
    try:
        final = Version(version) >= Version("2.2") and "requires-dist" not in dynamic
    except InvalidVersion:
        final = False
    return tuple(requires), final


def wheel_metadata(wheel: Path) -> tuple[Requirement, ...]:
    with open_wheel(wheel) as archive:
        name = next(
            n for n in archive.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")
        )
        return _metadata_requires(archive.read(name).decode("utf-8", "replace"))[0]


@dataclass(frozen=True)
class Settings:
    """What every build of the run shares."""

    target_name: str
    config: tuple[str, ...]
    """The user's ``-C KEY=VALUE`` pairs."""
    out_dir: Path
    scratch: Path
    isolation: bool = True
    installer: str = "pip"
    no_binary: frozenset[str] = frozenset()
    """Canonical names to build from source even with a wheel for the target (``:all:``)."""
    parsed: Mapping[str, str | list[str]] = field(default_factory=dict)
    """``config`` as config settings, for preparing a source's metadata here."""


class Resolver:
    """Walks the closure for the target; each node found once, with the chain that needed it."""

    def __init__(self, target: Target, interpreter: TargetInterpreter, settings: Settings) -> None:
        self.target = target
        self.interpreter = interpreter
        self.settings = settings
        self.env = marker_environment(target, interpreter)
        self.tags = target_tags(target, interpreter)
        self.nodes: dict[str, Node] = {}
        major, minor = interpreter.version
        self.python = Version(f"{major}.{minor}.{self.env['python_full_version'].split('.')[-1]}")

    def _no_binary(self, name: str) -> bool:
        return name in self.settings.no_binary or ":all:" in self.settings.no_binary

    def add(self, requirement: Requirement, chain: tuple[str, ...]) -> None:
        """``requirement`` and, depth first, everything it needs on the target."""
        name = canonicalize_name(requirement.name)
        node = self.nodes.get(name)
        if node is not None:
            if not requirement.specifier.contains(node.version, prereleases=True):
                raise CrosswheelError(
                    f"{requirement} ({' <- '.join(reversed(chain))}) conflicts with "
                    f"{name} {node.version}, chosen for {node.describe_chain()}",
                    hint="pin a version that satisfies both on the command line",
                )
            new = set(requirement.extras) - node.extras
            if new:
                node.extras |= new
                self._walk(node)
            return
        node = self._find(requirement, name, chain)
        node.extras = set(requirement.extras)
        self.nodes[name] = node
        self._walk(node)

    def add_local(self, project: Path, sdist: Path | None) -> None:
        """A source folder or sdist named on the command line: a root that is always a node."""
        requires, name, version = self._source_metadata(project)
        chain = (str(sdist or project),)
        reused = cached_wheel(Requirement(f"{name}=={version}"), self.tags, self.settings.out_dir)
        if reused is not None:
            node = Node(name, version, chain, REUSED, wheel_metadata(reused), wheel=reused)
        else:
            node = Node(name, version, chain, BUILT, requires, sdist=sdist or project)
            node.build_depends = _build_requires(project)
        self.nodes[name] = node
        self._walk(node)

    def _walk(self, node: Node) -> None:
        for requirement in node.requires:
            if applies(requirement, self.env, node.extras):
                node.depends.add(canonicalize_name(requirement.name))
                self.add(requirement, (*node.chain, str(requirement)))

    def _find(self, requirement: Requirement, name: str, chain: tuple[str, ...]) -> Node:
        plain = Requirement(str(requirement))
        plain.marker, plain.extras = None, set()
        wheel = cached_wheel(plain, self.tags, self.settings.out_dir)
        if wheel is not None:
            version = parse_wheel_filename(wheel.name)[1]
            return Node(name, version, chain, REUSED, wheel_metadata(wheel), wheel=wheel)
        if not self._no_binary(name):
            folder = Path(tempfile.mkdtemp(prefix=".download-", dir=self.settings.scratch))
            found, _ = download_wheel(plain, self.target, self.interpreter, folder)
            if found is not None:
                wheel = self.settings.out_dir / found.name
                shutil.move(found, wheel)
                info(f"downloaded {wheel.name} for {self.target.triplet}")
                version = parse_wheel_filename(wheel.name)[1]
                return Node(name, version, chain, DOWNLOADED, wheel_metadata(wheel), wheel=wheel)
        return self._from_sdist(plain, name, chain)

    def _from_sdist(self, requirement: Requirement, name: str, chain: tuple[str, ...]) -> Node:
        from crosswheel.cli.index import fetch_sdist, index_url
        from crosswheel.cli.sources import unpack_sdist

        folder = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=self.settings.scratch))
        try:
            sdist = fetch_sdist(str(requirement), folder, index_url(), self.python)
        except CrosswheelError as exc:
            raise CrosswheelError(
                f"{name}: no wheel for {self.target.triplet} and no sdist to build "
                f"(needed by {' <- '.join(reversed(chain))}): {exc.message}",
                hint=exc.hint,
            ) from None
        info(f"{name}: no wheel for {self.target.triplet}; building {sdist.name}")
        project = unpack_sdist(sdist, folder)
        requires, _, _ = self._source_metadata(project)
        version = parse_sdist_filename(sdist.name)[1]
        node = Node(name, version, chain, BUILT, requires, sdist=sdist)
        node.build_depends = _build_requires(project)
        return node

    def _source_metadata(self, project: Path) -> tuple[tuple[Requirement, ...], str, Version]:
        """Requires-Dist, name and version of a source tree: PKG-INFO when it is final.

        Final: Metadata-Version 2.2+ without ``Dynamic: Requires-Dist``, or an older
        PKG-INFO whose ``pyproject.toml`` declares its dependencies statically (PEP 621:
        a backend may not change them; scipy 1.17.1's sdist has Metadata-Version 2.1).
        Otherwise the project's backend prepares it (through crosswheel, for the target,
        so a setup.py that asks the platform sees the target's).
        """
        pkg_info = project / "PKG-INFO"
        if pkg_info.is_file():
            text = pkg_info.read_text("utf-8", "replace")
            requires, final = _metadata_requires(text)
            if final or static_dependencies(project):
                message = email.parser.Parser().parsestr(text, headersonly=True)
                return requires, canonicalize_name(message["Name"]), Version(message["Version"])
        text = self._prepared_metadata(project)
        message = email.parser.Parser().parsestr(text, headersonly=True)
        requires, _ = _metadata_requires(text)
        return requires, canonicalize_name(message["Name"]), Version(message["Version"])

    def _prepared_metadata(self, project: Path) -> str:
        from crosswheel.cli.frontend import CrossFrontend, build_environment

        with build_environment(self.settings.isolation, self.settings.installer) as env:
            frontend = CrossFrontend(project, env)
            settings = frontend.builder.settings(self.settings.parsed, self.settings.target_name)
            frontend.prepare(settings)
            out = Path(tempfile.mkdtemp(prefix=".metadata-", dir=self.settings.scratch))
            return (frontend.metadata(settings, out) / "METADATA").read_text("utf-8", "replace")


def static_dependencies(project: Path) -> bool:
    """Whether ``pyproject.toml`` gives the dependencies statically (PEP 621).

    Its ``[project]`` table names them (or none) and ``dynamic`` lists neither
    ``dependencies`` nor ``optional-dependencies``: then the backend must write them
    as given, so the sdist's PKG-INFO has them even when it predates Metadata 2.2.
    """
    table = read_pyproject(project).get("project")
    if not isinstance(table, dict):
        return False
    dynamic = table.get("dynamic", [])
    if not isinstance(dynamic, list):
        return False
    return not {"dependencies", "optional-dependencies"} & {str(d) for d in dynamic}


def _build_requires(project: Path) -> set[str]:
    """Its build requirements' canonical names, ``oldest-supported-numpy`` as ``numpy``."""
    system = read_pyproject(project).get("build-system", {})
    names: set[str] = set()
    for value in system.get("requires", []) if isinstance(system, dict) else []:
        try:
            name = canonicalize_name(Requirement(str(value)).name)
        except InvalidRequirement:
            continue
        names.add(REQUIREMENT_ALIASES.get(name, name))
    return names


def _build_command(node: Node, nodes: Mapping[str, Node], settings: Settings) -> list[str]:
    """``crosswheel build`` of one node's sdist, C-API requirements pinned to DIR's copies."""
    assert node.sdist is not None
    command = [sys.executable, "-m", "crosswheel", "build", str(node.sdist)]
    command += ["--target", settings.target_name, "-o", str(settings.out_dir)]
    command += ["--installer", settings.installer]
    if not settings.isolation:
        command.append("--no-isolation")
    level = verbosity()
    command += ["-v"] if level >= 2 else ["-q"] if level == 0 else []
    for pair in settings.config:
        command += ["-C", pair]
    for name in sorted(_needs(node)):
        copy = nodes.get(name)
        if copy is not None and not C_API_PACKAGES[name].header_only:
            command += ["-C", f"target-requires={name}=={copy.version}"]
    return command


_print_lock = threading.Lock()


def _run_build(node: Node, nodes: Mapping[str, Node], settings: Settings, prefix: str) -> None:
    """Build ``node`` in a ``crosswheel build`` process; its wheel lands in DIR whole."""
    started = time.monotonic()
    env = dict(os.environ)
    links = str(settings.out_dir)
    env["PIP_FIND_LINKS"] = (
        f"{links} {env['PIP_FIND_LINKS']}" if env.get("PIP_FIND_LINKS") else links
    )
    before = set(settings.out_dir.glob("*.whl"))
    with subprocess.Popen(
        _build_command(node, nodes, settings),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    ) as proc:
        assert proc.stdout is not None
        last_error = ""
        for line in proc.stdout:
            if line.startswith("crosswheel: error: "):
                last_error = line[len("crosswheel: error: ") :].strip()
            with _print_lock:
                sys.stderr.write(prefix + line)
                sys.stderr.flush()
    node.seconds = time.monotonic() - started
    made = [
        w
        for w in set(settings.out_dir.glob("*.whl")) - before
        if canonicalize_name(parse_wheel_filename(w.name)[0]) == node.name
    ]
    if proc.returncode != 0 or not made:
        node.error = CrosswheelError(
            f"{node.name} {node.version} could not be built for {settings.target_name} "
            f"(needed by {node.describe_chain()}): {last_error or 'see the output above'}"
        )
        return
    node.wheel = made[0]


def build_all(nodes: dict[str, Node], settings: Settings, jobs: int) -> None:
    """Build every ``BUILT`` node after what it needs, ``jobs`` at a time; errors stay on nodes."""
    order = build_order(nodes)
    pending = set(order)
    running: dict[Future[None], str] = {}
    with ThreadPoolExecutor(max(1, jobs)) as pool:
        while pending or running:
            for name in [n for n in order if n in pending]:
                needs = _needs(nodes[name])
                failed = sorted(n for n in needs if n in nodes and nodes[n].error is not None)
                if failed:
                    pending.discard(name)
                    nodes[name].error = CrosswheelError(
                        f"{name} not built: it needs {', '.join(failed)}, which failed"
                    )
                    continue
                if needs & (pending | set(running.values())) or len(running) >= max(1, jobs):
                    continue
                pending.discard(name)
                prefix = f"[{name}] " if jobs > 1 else ""
                running[pool.submit(_run_build, nodes[name], nodes, settings, prefix)] = name
            if not running:
                continue
            done, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in done:
                running.pop(future)
                future.result()


def read_requirements(path: Path, seen: frozenset[Path] = frozenset()) -> list[str]:
    """Requirement lines of a requirements file (comments, blank lines, ``-r`` nesting)."""
    try:
        lines = path.read_text("utf-8").splitlines()
    except OSError as exc:
        raise CrosswheelError(f"cannot read the requirements file {path}: {exc}") from None
    found: list[str] = []
    pending = ""
    for raw in lines:
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = (pending + line).strip(), ""
        if not line:
            continue
        if line.startswith(("-r ", "--requirement ")):
            nested = (path.parent / line.split(None, 1)[1]).resolve()
            if nested not in seen:
                found += read_requirements(nested, seen | {path.resolve()})
            continue
        if line.startswith("-"):
            raise CrosswheelError(
                f"{path}: {line!r}: only requirements and -r lines are read here",
                hint="give index options through pip's environment (PIP_INDEX_URL, PIP_FIND_LINKS)",
            )
        found.append(line)
    return found


def summary_lines(nodes: Mapping[str, Node]) -> list[str]:
    """One line per node: its wheel and whether it was downloaded, built or reused."""
    lines = []
    for name in sorted(nodes):
        node = nodes[name]
        if node.error is not None:
            lines.append(f"failed: {name} {node.version} ({node.describe_chain()})")
            continue
        wheel = node.wheel.name if node.wheel else f"{name} {node.version}"
        took = f"  time: {node.seconds:.1f} s" if node.source == BUILT else ""
        lines.append(f"{node.source:<10} {wheel}{took}")
    return lines


def wheelhouse_wheels(nodes: Mapping[str, Node]) -> list[Path]:
    return [node.wheel for node in nodes.values() if node.wheel is not None]


def resolve_roots(resolver: Resolver, sources: Sequence[str], scratch: Path) -> None:
    """Every source the user named: folders and sdists as local roots, the rest requirements."""
    from crosswheel.cli.sources import resolve_source

    for i, source in enumerate(sources):
        path = Path(source).expanduser()
        if path.exists():
            project = resolve_source(source, scratch / f"root{i}")
            resolver.add_local(project, path.resolve() if path.is_file() else None)
            continue
        try:
            requirement = Requirement(source)
        except InvalidRequirement as exc:
            raise CrosswheelError(
                f"{source!r} is not a folder, an sdist or a requirement: {exc}"
            ) from None
        if applies(requirement, resolver.env):
            resolver.add(requirement, (source,))
