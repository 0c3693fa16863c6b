"""WebAssembly side modules against their main module: every linked import must resolve.

Pyodide resolves a side module's functions lazily: a missing one loads fine and
kills the interpreter at its first call ("Dynamic linking error: cannot resolve
symbol X", naming neither module nor library). So before anything runs, each
extension's ``env`` functions and ``GOT`` entries are looked up in the main
module's exports and JS library imports and in the other side modules installed.
"""

from __future__ import annotations

from pathlib import Path

from crosswheel.errors import CrosswheelError
from crosswheel.wheel.binaries import describe_binary_bytes, wasm_symbols


def provided_by(main_module: Path) -> frozenset[str]:
    """What the main module gives side modules: its exports and its JS library's functions."""
    data = main_module.read_bytes()
    _, imports, exports = wasm_symbols(data)
    return exports | {name for name in imports if ":" not in name}


def check_linked_symbols(main_module: Path, site: Path, wheel: Path) -> None:
    """Refuse, naming each symbol and module, side modules in ``site`` that import a missing one."""
    modules = {}
    for path in sorted(site.rglob("*.so")):
        binary = describe_binary_bytes(path.name, path.read_bytes())
        if binary is not None and binary.kind == "WebAssembly":
            modules[path.relative_to(site).as_posix()] = binary
    provided = set(provided_by(main_module))
    for binary in modules.values():
        provided |= binary.exports
    problems = []
    for name, binary in modules.items():
        missing = sorted(s for s in binary.undefined if s.split(":")[-1] not in provided)
        if missing:
            problems.append(f"{name} imports {', '.join(missing)}")
    if problems:
        raise CrosswheelError(
            f"{wheel.name} cannot run in Pyodide: no library provides what it links: "
            + "; ".join(problems),
            hint="define or link the missing symbol (Pyodide would fail at its first call, "
            "with a fatal error that names neither the symbol's module nor the library)",
        )
