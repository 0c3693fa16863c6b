"""The wheelhouse's resolution rules: markers for the target, build order, requirements files."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from crosswheel.cli.wheelhouse import (
    BUILT,
    DOWNLOADED,
    Node,
    _build_requires,
    _metadata_requires,
    _needs,
    applies,
    build_order,
    marker_environment,
    read_requirements,
    static_dependencies,
)
from crosswheel.errors import CrosswheelError
from crosswheel.target.interpreter import find_target_interpreter
from crosswheel.target.names import resolve_target

MULTIARCH = Path("/usr/lib/python3.11/_sysconfigdata__linux_aarch64-linux-gnu.py")


def test_markers_are_the_targets() -> None:
    if not MULTIARCH.is_file():
        pytest.skip("no multiarch arm64 Python (apt-get install libpython3.11-dev:arm64)")
    target = resolve_target("aarch64-linux-gnu")
    env = marker_environment(target, find_target_interpreter(target, None))
    assert env["platform_machine"] == "aarch64" and env["python_version"] == "3.11"
    assert env["sys_platform"] == "linux" and env["platform_system"] == "Linux"
    assert applies(Requirement("a; platform_machine == 'aarch64'"), env)
    assert not applies(Requirement("a; platform_machine == 'x86_64'"), env)
    assert not applies(Requirement("a; python_version < '3.10'"), env)


def test_armhf_reports_armv7l() -> None:
    env = {"platform_machine": resolve_target("arm-linux-gnueabihf").uname_machine}
    assert env["platform_machine"] == "armv7l"


def test_extras_are_honoured() -> None:
    env = marker_environment_like()
    extra = Requirement("pytest; extra == 'test'")
    assert not applies(extra, env)
    assert applies(extra, env, {"test"})
    assert not applies(Requirement("x; extra == 'test' and sys_platform == 'win32'"), env, {"test"})


def marker_environment_like() -> dict[str, str]:
    """A target's marker environment, written out (aarch64 Linux, CPython 3.11)."""
    return {
        "python_version": "3.11",
        "python_full_version": "3.11.2",
        "platform_machine": "aarch64",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "implementation_version": "3.11.2",
        "platform_release": "",
        "platform_version": "",
    }


def node(
    name: str, source: str = BUILT, depends: Iterable[str] = (), build: Iterable[str] = ()
) -> Node:
    n = Node(name, Version("1.0"), (name,), source)
    n.depends, n.build_depends = set(depends), set(build)
    return n


def test_builds_follow_the_c_api_requirements_they_compile_against() -> None:
    nodes = {
        "numexpr": node("numexpr", depends={"numpy"}, build={"numpy", "setuptools"}),
        "numpy": node("numpy", build={"meson-python"}),
        "pandas": node("pandas", depends={"numpy", "tzdata"}, build={"numpy"}),
        "tzdata": node("tzdata", DOWNLOADED),
        "scipy": node("scipy", depends={"numpy"}, build={"numpy", "pybind11"}),
        # scipy is a run-time dependency and a build requirement that its build takes
        # from the index for the build machine: scikit-learn is built beside it.
        "scikit-learn": node("scikit-learn", depends={"scipy"}, build={"numpy", "scipy"}),
    }
    assert build_order(nodes) == ["numpy", "numexpr", "pandas", "scikit-learn", "scipy"]
    assert _needs(nodes["scikit-learn"]) == {"numpy"}


def test_oldest_supported_numpy_is_numpy_for_the_order(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools", "oldest-supported-numpy", "Cython>=3"]\n'
    )
    assert _build_requires(tmp_path) == {"setuptools", "numpy", "cython"}


def test_run_time_cycles_are_built() -> None:
    """Projects that need each other at run time (pure sdists, say) build in any order."""
    nodes = {"a": node("a", depends={"b"}), "b": node("b", depends={"a"})}
    assert build_order(nodes) == ["a", "b"]


def test_a_build_cycle_is_one_error() -> None:
    nodes = {"numpy": node("numpy", build={"pybind11"}), "pybind11": node("pybind11")}
    nodes["pybind11"].build_depends = {"numpy"}
    with pytest.raises(CrosswheelError, match="need each other"):
        build_order(nodes)


def test_requirements_file(tmp_path: Path) -> None:
    (tmp_path / "more.txt").write_text("six\n")
    reqs = tmp_path / "r.txt"
    reqs.write_text(
        "# c\nmsgpack==1.1.0  # pinned\n\nnumpy>=1.26; \\\n python_version>'3'\n-r more.txt\n"
    )
    assert read_requirements(reqs) == ["msgpack==1.1.0", "numpy>=1.26;  python_version>'3'", "six"]
    (tmp_path / "bad.txt").write_text("--index-url http://x\n")
    with pytest.raises(CrosswheelError, match="only requirements"):
        read_requirements(tmp_path / "bad.txt")


def test_sdist_metadata_is_used_only_when_final() -> None:
    final = "Metadata-Version: 2.4\nName: numexpr\nVersion: 2.14.2\nRequires-Dist: numpy>=1.26.0\n"
    requires, ok = _metadata_requires(final)
    assert [str(r) for r in requires] == ["numpy>=1.26.0"] and ok
    assert not _metadata_requires(final.replace("2.4", "2.1"))[1]
    assert not _metadata_requires(final + "Dynamic: Requires-Dist\n")[1]


@pytest.mark.parametrize(
    ("project", "static"),
    [
        ('[project]\nname = "scipy"\ndependencies = ["numpy>=1.26.4"]\n', True),
        ('[project]\nname = "x"\ndynamic = ["version"]\n', True),
        ('[project]\nname = "x"\ndynamic = ["dependencies"]\n', False),
        ('[project]\nname = "x"\ndynamic = ["optional-dependencies"]\n', False),
        ('[build-system]\nrequires = ["setuptools"]\n', False),
    ],
)
def test_an_old_pkg_info_is_final_when_pyproject_gives_the_dependencies(
    tmp_path: Path, project: str, static: bool
) -> None:
    """PEP 621: scipy 1.17.1's sdist (PKG-INFO 2.1) needs no metadata hook (a meson setup)."""
    (tmp_path / "pyproject.toml").write_text(project)
    assert static_dependencies(tmp_path) is static
