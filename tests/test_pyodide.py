"""Pyodide's pieces that need no compiler: pyconfig.h from sysconfig data, wasm facts."""

from __future__ import annotations

from crosswheel.target.names import resolve_target
from crosswheel.target.pyodide import render_pyconfig
from crosswheel.wheel.binaries import NOT_A_SIDE_MODULE, describe_binary_bytes, wasm_symbols
from crosswheel.wheel.verifier import binary_problem

TEMPLATE = """\
#ifndef Py_PYCONFIG_H
#define Py_PYCONFIG_H
#define _GNU_SOURCE 1
#define HAVE_DECL_RTLD_DEEPBIND 0
#define SIZEOF_LONG 8
#define HAVE_TTYNAME 1
/* #undef WITH_PYMALLOC */
#endif /*Py_PYCONFIG_H*/
"""


def test_pyconfig_is_the_templates_layout_with_the_targets_values() -> None:
    """Feature-test macros stay, values are the target's, unknown ones undefined, new appended."""
    config = {
        "SIZEOF_LONG": 4,
        "HAVE_DECL_RTLD_DEEPBIND": 0,
        "WITH_PYMALLOC": 0,
        "HAVE_TTYNAME_R": 1,
    }
    lines = render_pyconfig(config, TEMPLATE).splitlines()
    assert "#define _GNU_SOURCE 1" in lines
    assert "#define SIZEOF_LONG 4" in lines
    assert "#define HAVE_DECL_RTLD_DEEPBIND 0" in lines  # AC_CHECK_DECLS: defined as 0
    assert "/* #undef WITH_PYMALLOC */" in lines
    assert lines[5].startswith("/* #undef HAVE_TTYNAME */")
    assert lines.index("#define HAVE_TTYNAME_R 1") < lines.index("#endif /*Py_PYCONFIG_H*/")


def _section(kind: int, body: bytes) -> bytes:
    return bytes([kind, len(body)]) + body


def _name(text: str) -> bytes:
    return bytes([len(text)]) + text.encode()


def _module(dylink: bool) -> bytes:
    imports = b"\x02" + _name("env") + _name("missing_fn") + b"\x00\x00"
    imports += _name("GOT.mem") + _name("stdout") + b"\x03\x7f\x01"
    exports = b"\x01" + _name("PyInit_m") + b"\x00\x00"
    custom = _section(0, _name("dylink.0") + b"\x00") if dylink else b""
    return b"\x00asm\x01\x00\x00\x00" + custom + _section(2, imports) + _section(7, exports)


def test_wasm_facts_are_read_once_into_the_binary() -> None:
    dylink, imports, exports = wasm_symbols(_module(True))
    assert dylink and imports == ("missing_fn", "GOT.mem:stdout") and exports == {"PyInit_m"}


def test_the_verifier_wants_side_modules_and_refuses_elf_for_pyodide() -> None:
    target = resolve_target("pyodide_2025_0_wasm32")
    side = describe_binary_bytes("m.so", _module(True))
    plain = describe_binary_bytes("m.so", _module(False))
    elf = describe_binary_bytes("m.so", b"\x7fELF\x02\x01\x01" + b"\x00" * 57)
    assert side is not None and plain is not None and elf is not None
    assert binary_problem(side, target) is None
    assert binary_problem(plain, target) == NOT_A_SIDE_MODULE
    assert "not WebAssembly" in (binary_problem(elf, target) or "")
