"""``target-system-packages``: what is fetched, how the overlay is rewritten, how it is seen.

Fast: the parsing and rewriting run on the text Debian's bookworm packages hold
(``apt-cache depends`` of ``libgeos-dev:arm64``, its ``geos.pc`` and ``geos-config``);
fetching real packages and building with them is in ``test_system_packages_e2e.py``.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import require
from crosswheel.build.adapters.cmake import ScikitBuildCoreAdapter
from crosswheel.build.adapters.meson import cross_file
from crosswheel.build.environment import system_packages_environment
from crosswheel.build.failures import missing_error, missing_for_target, missing_names
from crosswheel.config import load_config
from crosswheel.errors import CrosswheelError
from crosswheel.target.names import resolve_target
from crosswheel.target.resolve import CrossBuild
from crosswheel.target.system_packages import (
    CONFIG_BIN,
    SystemPackages,
    alternatives,
    architecture_all,
    check_package_names,
    closure,
    fetch_system_packages,
    make_alternatives,
    parse_depends,
    prepare_overlay,
    rewrite_config_script,
    rewrite_pc,
    sysroot_view,
)

T = "aarch64-linux-gnu"
DEPENDS = """\
libgeos-dev:arm64
  Depends: libgeos-c1v5:arm64
libgeos-c1v5:arm64
  Depends: libc6:arm64
  Depends: libgcc-s1:arm64
  Depends: libgeos3.11.1:arm64
  Depends: libstdc++6:arm64
libc6:arm64
  Depends: libgcc-s1:arm64
libgcc-s1:arm64
  Depends: gcc-12-base:arm64
  Depends: libc6:arm64
libgeos3.11.1:arm64
  Depends: libc6:arm64
  Depends: libstdc++6:arm64
libstdc++6:arm64
  Depends: gcc-12-base:arm64
<debconf-2.0>
gcc-12-base:arm64
"""
GEOS_PC = """\
prefix=/usr
exec_prefix=${prefix}
includedir=${prefix}/include
libdir=${exec_prefix}/lib/aarch64-linux-gnu

Name: GEOS
Cflags: -I${includedir}
Libs: -L${libdir} -lgeos_c
"""
GEOS_CONFIG = """\
#!/bin/sh

prefix=/usr
exec_prefix=${prefix}
includedir=${prefix}/include
libdir=${exec_prefix}/lib/aarch64-linux-gnu
case $1 in
    --clibs)
      echo -L${libdir} -lgeos_c
      ;;
    --static)
      echo -L/usr/lib/aarch64-linux-gnu -lgeos -lm
      ;;
esac
"""


def test_depends_lists_packages_not_virtual_ones() -> None:
    assert parse_depends(DEPENDS) == (
        "libgeos-dev",
        "libgeos-c1v5",
        "libc6",
        "libgcc-s1",
        "libgeos3.11.1",
        "libstdc++6",
        "gcc-12-base",
    )


def test_closure_keeps_the_requested_and_their_libraries_not_the_c_runtime() -> None:
    assert closure(["libgeos-dev"], parse_depends(DEPENDS)) == (
        "libgeos-dev",
        "libgeos-c1v5",
        "libgeos3.11.1",
    )


def test_package_names_are_checked() -> None:
    assert check_package_names(["libgeos-dev", "libhdf5-dev", "libgeos-dev"]) == (
        "libgeos-dev",
        "libhdf5-dev",
    )
    with pytest.raises(CrosswheelError, match="not a Debian package name"):
        check_package_names(["libgeos-dev:arm64"])


def test_pc_prefix_moves_into_the_overlay(tmp_path: Path) -> None:
    text = rewrite_pc(GEOS_PC, tmp_path)
    assert text.splitlines()[0] == f"prefix={tmp_path}/usr"
    assert "exec_prefix=${prefix}\n" in text and "Libs: -L${libdir} -lgeos_c\n" in text
    assert rewrite_pc(text, tmp_path) == text  # once only


POSTINST = """\
#!/bin/sh
set -e

update-alternatives --install /usr/lib/arm-linux-gnueabihf/libopenblas.so \\
                    libopenblas.so-arm-linux-gnueabihf \\
                    /usr/lib/arm-linux-gnueabihf/openblas-{flavour}/libopenblas.so \\
                    {priority} \\
                    --slave /usr/lib/arm-linux-gnueabihf/pkgconfig/openblas.pc \\
                    openblas.pc-arm-linux-gnueabihf \\
                    /usr/lib/arm-linux-gnueabihf/openblas-{flavour}/pkgconfig/openblas.pc
update-alternatives --install /usr/lib/$ARCH/libblas.so.3 libblas.so.3 /x/$ARCH/libblas.so.3 5

exit 0
"""
"""As Debian bookworm's libopenblas-{pthread,serial}-dev postinst has it (shortened)."""


def test_alternatives_of_maintainer_scripts_are_linked_highest_priority_first(
    tmp_path: Path,
) -> None:
    """dpkg -x runs no postinst: the overlay makes update-alternatives' links itself."""
    lib = tmp_path / "usr/lib/arm-linux-gnueabihf"
    for flavour in ("pthread", "serial"):
        (lib / f"openblas-{flavour}/pkgconfig").mkdir(parents=True)
        (lib / f"openblas-{flavour}/pkgconfig/openblas.pc").write_text(f"# {flavour}\n")
        (lib / f"openblas-{flavour}/libopenblas.so").write_text(flavour)
    scripts = POSTINST.format(flavour="serial", priority=90) + POSTINST.format(
        flavour="pthread", priority=100
    )
    make_alternatives(tmp_path, scripts)
    assert (lib / "libopenblas.so").read_text() == "pthread"
    assert os.readlink(lib / "pkgconfig/openblas.pc") == "../openblas-pthread/pkgconfig/openblas.pc"
    assert not (tmp_path / "usr/lib/$ARCH").exists()  # the entry with shell variables


def test_a_sysroot_pkg_config_finds_the_overlay_through_the_view(tmp_path: Path) -> None:
    """pkg-config puts the sysroot before every path; the view's paths climb out of it."""
    require(shutil.which("pkg-config") is not None, "no pkg-config")
    root = tmp_path / "cache" / "overlay"
    pc_dir = root / "usr/lib/arm-linux-gnueabihf/pkgconfig"
    pc_dir.mkdir(parents=True)
    (root / "usr/include/openblas").mkdir(parents=True)
    (pc_dir / "openblas.pc").write_text(
        "libdir=/usr/lib/arm-linux-gnueabihf\nincludedir=/usr/include/openblas\n"
        "Name: openblas\nDescription: d\nVersion: 0.3.21\n"
        "Libs: -L${libdir} -lopenblas\nCflags: -I${includedir}\n"
    )
    prepare_overlay(root)
    overlay = SystemPackages(("libopenblas-dev",), (), root, "arm-linux-gnueabihf")
    sysroot = tmp_path / "deep" / "er" / "sysroot"
    sysroot.mkdir(parents=True)
    view = sysroot_view(overlay, sysroot)
    assert view.pkgconfig_dirs == (view.pc_view,)
    assert sysroot_view(overlay, sysroot) == view  # made once
    env = {
        **os.environ,
        "PKG_CONFIG_LIBDIR": str(view.pc_view),
        "PKG_CONFIG_SYSROOT_DIR": str(sysroot),
    }
    flags = subprocess.run(
        ["pkg-config", "--cflags", "openblas"], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert flags[0].startswith(f"-I{sysroot}/")
    assert Path(flags[0][2:]).resolve() == (root / "usr/include/openblas").resolve()


def test_config_script_prefix_and_literal_paths_move_into_the_overlay(tmp_path: Path) -> None:
    text = rewrite_config_script(GEOS_CONFIG, tmp_path)
    assert f"\nprefix={tmp_path}/usr\n" in text
    assert "\nexec_prefix=${prefix}\n" in text
    assert f"echo -L{tmp_path}/usr/lib/aarch64-linux-gnu -lgeos -lm" in text
    assert text.startswith("#!/bin/sh\n")


def test_overlay_exposes_config_scripts_but_no_target_programs(tmp_path: Path) -> None:
    (tmp_path / "usr/bin").mkdir(parents=True)
    (tmp_path / f"usr/lib/{T}/pkgconfig").mkdir(parents=True)
    (tmp_path / "usr/include").mkdir()
    (tmp_path / f"usr/lib/{T}/pkgconfig/geos.pc").write_text(GEOS_PC)
    script = tmp_path / "usr/bin/geos-config"
    script.write_text(GEOS_CONFIG)
    script.chmod(0o755)
    (tmp_path / "usr/bin/elf-config").write_bytes(b"\x7fELF\x02\x01\x01" + bytes(64))
    (tmp_path / "usr/bin/geosop").write_bytes(b"\x7fELF\x02\x01\x01" + bytes(64))
    prepare_overlay(tmp_path)
    overlay = SystemPackages(("libgeos-dev",), ("libgeos-dev",), tmp_path, T)
    assert overlay.config_bin == tmp_path / CONFIG_BIN
    assert sorted(p.name for p in overlay.config_bin.iterdir()) == ["geos-config"]
    assert os.access(overlay.config_bin / "geos-config", os.X_OK)
    assert f"prefix={tmp_path}/usr" in (overlay.config_bin / "geos-config").read_text()
    assert (
        (tmp_path / f"usr/lib/{T}/pkgconfig/geos.pc")
        .read_text()
        .startswith(f"prefix={tmp_path}/usr\n")
    )
    assert overlay.pkgconfig_dirs == (tmp_path / f"usr/lib/{T}/pkgconfig",)
    assert overlay.include_dirs == (tmp_path / "usr/include",)
    assert overlay.library_dirs == (tmp_path / f"usr/lib/{T}", tmp_path / "usr/lib")

    env = system_packages_environment(
        overlay, {"PATH": "/usr/bin", "CPPFLAGS": "-DX", "PKG_CONFIG_PATH": "/mine"}
    )
    assert env["PATH"] == f"{tmp_path / CONFIG_BIN}:/usr/bin"
    assert env["CPPFLAGS"] == f"-DX -I{tmp_path}/usr/include"
    assert env["LDFLAGS"].split() == [
        f"-L{tmp_path}/usr/lib/{T}",
        f"-L{tmp_path}/usr/lib",
        f"-Wl,-rpath-link,{tmp_path}/usr/lib/{T}",
        f"-Wl,-rpath-link,{tmp_path}/usr/lib",
    ]
    assert env["PKG_CONFIG_PATH"] == f"{tmp_path}/usr/lib/{T}/pkgconfig:/mine"


def test_adapters_see_the_overlay(aarch64_build: CrossBuild, tmp_path: Path) -> None:
    root = tmp_path / "overlay"
    (root / f"usr/lib/{T}/pkgconfig").mkdir(parents=True)
    build = dataclasses.replace(
        aarch64_build, system_packages=SystemPackages(("libgeos-dev",), (), root, T)
    )
    meson = cross_file(build, tmp_path)
    assert f"pkg_config_path = ['{root}/usr/lib/{T}/pkgconfig'" in meson
    assert f"cmake_prefix_path = ['{root}/usr']" in meson
    if shutil.which("qemu-aarch64"):  # programs Meson runs load the overlay's libraries
        wrapper = next(line for line in meson.splitlines() if line.startswith("exe_wrapper"))
        assert f":{root}/usr/lib/{T}:" in wrapper
    ScikitBuildCoreAdapter().config_settings(build, tmp_path, {})
    cmake = (tmp_path / "crosswheel-toolchain.cmake").read_text()
    assert f'list(APPEND CMAKE_FIND_ROOT_PATH "{root}")' in cmake
    assert f'list(APPEND CMAKE_PREFIX_PATH "{root}/usr")' in cmake


def test_setting_is_a_comma_list(tmp_path: Path) -> None:
    config = load_config(
        tmp_path,
        {"target-system-packages": ["libgeos-dev,libhdf5-dev", "libproj-dev"]},
        environ={},
    )
    assert config.system_packages == ("libgeos-dev", "libhdf5-dev", "libproj-dev")
    env = {"CROSSWHEEL_TARGET_SYSTEM_PACKAGES": "libgeos-dev"}
    assert load_config(tmp_path, {}, environ=env).system_packages == ("libgeos-dev",)


def test_only_debian_targets_have_system_packages() -> None:
    with pytest.raises(CrosswheelError, match="fetches Debian packages"):
        fetch_system_packages(resolve_target("x86_64-pc-windows-msvc"), ["libgeos-dev"])


@pytest.mark.parametrize(
    ("output", "found"),
    [
        (
            "Package geos was not found in the pkg-config search path.\n",
            ("pkg-config", "geos"),
        ),
        ("Package 'hdf5', required by 'virtual:world', not found\n", ("pkg-config", "hdf5")),
        ("-- Checking for module 'proj'\n--   No package 'proj' found\n", ("pkg-config", "proj")),
        (
            "Run-time dependency geos found: NO (tried pkgconfig and cmake)\n",
            ("pkg-config", "geos"),
        ),
        ("/bin/sh: 1: geos-config: not found\n", ("program", "geos-config")),
        ("bash: gdal-config: command not found\n", ("program", "gdal-config")),
        (
            "FileNotFoundError: [Errno 2] No such file or directory: 'geos-config'\n",
            ("program", "geos-config"),
        ),
        (
            "src/a.c:3:10: fatal error: hdf5.h: No such file or directory\n",
            ("header", "hdf5.h"),
        ),
        (
            "/usr/bin/aarch64-linux-gnu-ld: cannot find -lgeos_c: No such file or directory\n",
            ("library", "geos_c"),
        ),
    ],
)
def test_missing_dependencies_are_read_from_the_output(output: str, found: tuple[str, str]) -> None:
    assert missing_names(output) == [found]


def test_ordinary_errors_name_no_dependency() -> None:
    assert missing_names("src/a.c:3:1: error: expected ';' before '}' token\n") == []
    assert missing_for_target("error: expected ';'\n", resolve_target(T)) is None


def test_error_names_the_package_and_the_setting() -> None:
    error = missing_error(
        "the program geos-config", Path("/usr/bin/geos-config"), "libgeos-dev", resolve_target(T)
    )
    assert error.message == (
        "the build needs the program geos-config, which the Debian package libgeos-dev "
        "provides: this machine has it for itself (/usr/bin/geos-config) but not for "
        "aarch64-linux-gnu"
    )
    assert error.hint is not None
    assert error.hint.startswith("fetch it for the target: -C target-system-packages=libgeos-dev")


def test_the_build_machines_own_geos_is_named_by_its_package() -> None:
    """With the build machine's libgeos-dev installed, dpkg -S names it (no mock)."""
    require(shutil.which("geos-config") is not None, "no libgeos-dev on the build machine")
    output = "/usr/bin/aarch64-linux-gnu-ld: cannot find -lgeos_c: No such file or directory\n"
    error = missing_for_target(output, resolve_target(T))
    assert error is not None
    assert "the library -lgeos_c, which the Debian package libgeos-dev provides" in error.message
    assert "-C target-system-packages=libgeos-dev" in (error.hint or "")


HDF5_POSTINST = """\
#!/bin/bash
set -e
if [ "serial" != "serial" ]; then
  update-alternatives \\
	--install /usr/bin/h5pcc h5pcc /usr/bin/h5pcc.serial 20 \\
	--slave /usr/bin/h5pfc h5pfc /usr/bin/h5pfc.serial
fi
update-alternatives \\
	--install @PC@/hdf5.pc hdf5.pc @PC@/hdf5-serial.pc 20 \\

if [ "serial" != "serial" ]; then
  update-alternatives --install /usr/bin/mpicc mpi /usr/bin/mpicc.serial "$mpi_impl_priority" \\
    $current_slaves --slave @PC@/hdf5-mpi.pc hdf5-mpi.pc @PC@/hdf5-serial.pc
  update-alternatives --install @PC@/hdf5.pc hdf5.pc @PC@/hdf5-mpi.pc 35
fi
exit 0
""".replace("@PC@", f"/usr/lib/{T}/pkgconfig")
"""libhdf5-dev 1.10.8's postinst (bookworm, arm64), shortened: the links it makes."""


def test_alternatives_links_are_made_in_the_overlay_where_their_target_is(tmp_path: Path) -> None:
    """hdf5.pc -> hdf5-serial.pc; not hdf5-mpi.pc (higher priority, absent), nor h5pcc."""
    pc = tmp_path / f"usr/lib/{T}/pkgconfig"
    pc.mkdir(parents=True)
    (pc / "hdf5-serial.pc").write_text("Name: HDF5\n")
    exists = lambda path: (tmp_path / path.lstrip("/")).exists()  # noqa: E731
    assert alternatives(HDF5_POSTINST, exists) == {
        f"/usr/lib/{T}/pkgconfig/hdf5.pc": f"/usr/lib/{T}/pkgconfig/hdf5-serial.pc"
    }
    make_alternatives(tmp_path, HDF5_POSTINST)
    assert os.readlink(pc / "hdf5.pc") == "hdf5-serial.pc"
    assert not (tmp_path / "usr/bin").exists()
    make_alternatives(tmp_path, HDF5_POSTINST)  # again: the link is there, nothing changes


def test_slaves_follow_their_chosen_alternative() -> None:
    script = (
        "update-alternatives --install /usr/bin/a a /usr/bin/a.one 10 --slave /usr/bin/b b "
        "/usr/bin/b.one\nupdate-alternatives --install /usr/bin/a a /usr/bin/a.two 50 "
        "--slave /usr/bin/b b /usr/bin/b.two\n"
    )
    assert alternatives(script, lambda path: True) == {
        "/usr/bin/a": "/usr/bin/a.two",
        "/usr/bin/b": "/usr/bin/b.two",
    }
    assert alternatives(script, lambda path: path.endswith("one")) == {
        "/usr/bin/a": "/usr/bin/a.one",
        "/usr/bin/b": "/usr/bin/b.one",
    }


def test_architecture_all_dependencies_are_fetched_without_an_architecture() -> None:
    """``libtirpc-common`` (libhdf5-dev's closure) has no ``:arm64`` to download."""
    output = (
        "libhdf5-dev:arm64\n  Depends: libtirpc-dev:arm64\nlibtirpc3:arm64\nlibc6\nlibc6:arm64\n"
        "libtirpc-common\n<libtirpc-common:arm64>\nlibc-dev-bin:arm64\nlibc-dev-bin\n"
    )
    assert architecture_all(output, "arm64") == {"libtirpc-common"}


def test_pc_literal_flags_move_into_the_overlay(tmp_path: Path) -> None:
    """libhdf5-dev's hdf5-serial.pc has no prefix variable: its flags name /usr directly."""
    text = (
        "Name: HDF5\nCflags: -I/usr/include/hdf5/serial\n"
        f"Libs: -L/usr/lib/{T}/hdf5/serial -lhdf5\nLibs.private: -L/usr/lib -lz\n"
        "Description: see -I/usr/include\n"
    )
    assert rewrite_pc(text, tmp_path) == (
        f"Name: HDF5\nCflags: -I{tmp_path}/usr/include/hdf5/serial\n"
        f"Libs: -L{tmp_path}/usr/lib/{T}/hdf5/serial -lhdf5\n"
        f"Libs.private: -L{tmp_path}/usr/lib -lz\n"
        "Description: see -I/usr/include\n"
    )
