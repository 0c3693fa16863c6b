"""interpreter: the target's sysconfig data, headers and suffixes, from every source.

The multiarch tests read the arm64 data Debian installs (libpython3.11-dev:arm64);
the folder tests lay real copies of it out the way a sysroot or prefix has them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crosswheel.errors import CrosswheelError
from crosswheel.target.interpreter import find_target_interpreter, read_sysconfigdata
from crosswheel.target.names import resolve_target
from helpers import ARM64_CONFIG_H, ARM64_DATA, PY, SHORT, make_sysroot, need_multiarch_arm64

AARCH64 = resolve_target("aarch64-linux-gnu")


def test_multiarch_discovery() -> None:
    need_multiarch_arm64()
    interp = find_target_interpreter(AARCH64, None)
    assert interp.ext_suffix == f".cpython-{PY[0]}{PY[1]}-aarch64-linux-gnu.so"
    assert interp.soabi == f"cpython-{PY[0]}{PY[1]}-aarch64-linux-gnu"
    assert interp.config_h == ARM64_CONFIG_H
    assert (interp.include_dir / "Python.h").is_file()
    assert interp.sysroot is None
    assert interp.extension_suffixes[0] == interp.ext_suffix
    assert interp.config_vars["SIZEOF_VOID_P"] == 8


def test_sysconfigdata_is_read_without_running_it(tmp_path: Path) -> None:
    data = tmp_path / "_sysconfigdata__linux_aarch64-linux-gnu.py"
    data.write_text("import os\nos.system('exit 1')\nbuild_time_vars = {'A': 1, 'B': 'x'}\n")
    assert read_sysconfigdata(data) == {"A": 1, "B": "x"}
    data.write_text("build_time_vars = dict(A=1)\n")
    with pytest.raises(CrosswheelError, match="no literal build_time_vars"):
        read_sysconfigdata(data)


@pytest.mark.parametrize("pointing_at", ["root", "data-file", "root-via-multiarch"])
def test_sysroot_paths_are_localized(tmp_path: Path, pointing_at: str) -> None:
    root = make_sysroot(tmp_path / "sysroot")
    data = root / "usr" / "lib" / f"python{SHORT}" / ARM64_DATA.name
    if pointing_at == "root":
        interp = find_target_interpreter(AARCH64, str(root))
    elif pointing_at == "data-file":
        interp = find_target_interpreter(AARCH64, str(data))
    else:
        from crosswheel.target.interpreter import from_multiarch

        interp = from_multiarch(AARCH64, PY, root=root)
    assert interp.sysroot == root
    assert interp.include_dir == root / "usr" / "include" / f"python{SHORT}"
    assert interp.config_h == root / "usr/include/aarch64-linux-gnu" / f"python{SHORT}/pyconfig.h"
    assert interp.config_vars["LIBDIR"] == f"{root}/usr/lib/aarch64-linux-gnu"
    assert interp.config_vars["INCLUDEPY"] == str(interp.include_dir)
    # Debian's pyconfig.h dispatches to <aarch64-linux-gnu/python3.X/pyconfig.h>.
    assert interp.extra_include_dirs == (root / "usr" / "include",)
    # Runtime paths baked into link flags (rpaths) are not file-system paths here.
    assert "-Wl,-O1" in interp.config_vars["LDSHARED"]


def test_build_details_json_adds_suffixes(tmp_path: Path) -> None:
    root = make_sysroot(tmp_path / "sysroot")
    stdlib = root / "usr" / "lib" / f"python{SHORT}"
    ext = f".cpython-{PY[0]}{PY[1]}-aarch64-linux-gnu.so"
    details = {
        "schema_version": "1.0",
        "base_prefix": "/usr",
        "platform": "linux-aarch64",
        "language": {"version": SHORT},
        "implementation": {"name": "cpython", "_multiarch": "aarch64-linux-gnu"},
        "abi": {"flags": [], "extension_suffix": ext, "stable_abi_suffix": ".abi3.so"},
        "suffixes": {"extensions": [ext, ".abi3.so", ".so", ".extra.so"]},
    }
    (stdlib / "build-details.json").write_text(json.dumps(details))
    interp = find_target_interpreter(AARCH64, str(stdlib / "build-details.json"))
    assert interp.extension_suffixes == (ext, ".abi3.so", ".so", ".extra.so")
    assert interp.sysroot == root


def test_wrong_architecture_is_refused(tmp_path: Path) -> None:
    root = make_sysroot(tmp_path / "sysroot")
    with pytest.raises(CrosswheelError, match="is for aarch64-linux-gnu, not s390x-linux-gnu"):
        find_target_interpreter(resolve_target("s390x-linux-gnu"), str(root))
    data = root / "usr" / "lib" / f"python{SHORT}" / ARM64_DATA.name
    with pytest.raises(CrosswheelError, match="is for aarch64-linux-gnu, not s390x-linux-gnu"):
        find_target_interpreter(resolve_target("s390x-linux-gnu"), str(data))


def test_version_mismatch_is_refused(tmp_path: Path) -> None:
    need_multiarch_arm64()
    vars_ = read_sysconfigdata(ARM64_DATA)
    vars_["VERSION"] = "3.99"
    vars_["py_version_short"] = "3.99"
    data = tmp_path / ARM64_DATA.name
    data.write_text(f"build_time_vars = {vars_!r}\n")
    with pytest.raises(CrosswheelError, match=r"target Python is 3\.99 .* runs on Python 3\.\d+"):
        find_target_interpreter(AARCH64, str(data))


def test_missing_interpreter_says_how_to_get_one(tmp_path: Path) -> None:
    from crosswheel.target.interpreter import from_multiarch

    with pytest.raises(CrosswheelError) as info:
        from_multiarch(resolve_target("riscv64-linux-gnu"), PY, root=tmp_path)
    assert "no target Python" in info.value.message
    assert f"apt-get install libpython{SHORT}-dev:riscv64" in str(info.value.hint)
    with pytest.raises(CrosswheelError, match="does not exist"):
        find_target_interpreter(AARCH64, str(tmp_path / "nope"))


def test_missing_headers_are_refused(tmp_path: Path) -> None:
    root = make_sysroot(tmp_path / "sysroot")
    (root / "usr" / "include" / f"python{SHORT}" / "Python.h").unlink()
    with pytest.raises(CrosswheelError, match="headers are missing"):
        find_target_interpreter(AARCH64, str(root))


def test_conda_prefix_takes_nothing_from_the_build_machines_usr_include(tmp_path: Path) -> None:
    """A prefix that is not Debian-style gets its own pyconfig.h and no /usr/include.

    The build machine has the arm64 multiarch headers installed: picking them up
    would hide a header the target prefix lacks.
    """
    from packager_layouts import conda_prefix

    need_multiarch_arm64()
    prefix = conda_prefix(tmp_path / "prefix", Path("/"), "aarch64-linux-gnu")
    interp = find_target_interpreter(AARCH64, str(prefix))
    assert interp.sysroot is None
    assert interp.include_dir == prefix / "include" / f"python{SHORT}"
    assert interp.config_h == prefix / "include" / f"python{SHORT}" / "pyconfig.h"
    assert interp.extra_include_dirs == ()
    assert interp.config_vars["LIBDIR"] == f"{prefix}/lib"
