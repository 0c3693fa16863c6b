"""The package's layout shows the pipeline: stages import only earlier stages, no circles."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "crosswheel"
STAGES = ("target", "build", "wheel", "prove", "cli")
"""In pipeline order; the top-level modules are common to all (backend.py wires stages)."""
FAMILY_WORDS = ("android", "ios", "emscripten", "windows", "musl")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The crosswheel modules ``path`` imports (at run time or for type checking)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("crosswheel"):
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("crosswheel"))
    modules = {_module_name(p) for p in PACKAGE.rglob("*.py")}
    return {name for name in found if name in modules}


def _stage(module: str) -> int | None:
    parts = module.split(".")
    return STAGES.index(parts[1]) if len(parts) > 2 and parts[1] in STAGES else None


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_a_later_stage(module: str) -> None:
    mine = _stage(module)
    for imported in _imports(MODULES[module]):
        theirs = _stage(imported)
        if theirs is None:
            if mine is not None and STAGES[mine] != "cli":
                # a stage may use the common top-level modules, never the backend's wiring,
                # which comes after every stage but the command line (its frontend calls
                # the hooks in its own process)
                assert imported not in ("crosswheel.backend",), (module, imported)
            continue
        if mine is not None:
            assert theirs <= mine, f"{module} imports {imported}, a later stage"


def test_there_is_no_import_circle() -> None:
    graph = {name: _imports(path) - {name} for name, path in MODULES.items()}
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if nxt.startswith(node + "."):
                continue  # a package importing its own submodules
            if state.get(nxt) == 1:
                pytest.fail("import circle: " + " -> ".join([*trail, node, nxt]))
            if nxt not in state:
                visit(nxt, [*trail, node])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])


def test_few_top_level_modules_beside_the_stages() -> None:
    top = [p for p in PACKAGE.glob("*.py")]
    assert len(top) <= 12, sorted(p.name for p in top)
    for stage in STAGES:
        assert (PACKAGE / stage / "__init__.py").is_file()
        doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text()))
        assert doc, f"{stage}/ says what it may touch"


def test_each_family_has_one_row_of_facts() -> None:
    from crosswheel.target.families import FAMILIES
    from crosswheel.target.names import KNOWN_TARGETS

    assert {t.facts.key for t in KNOWN_TARGETS} == set(FAMILIES)
    for target in KNOWN_TARGETS:
        # every template of the row fills in for every target of the family
        assert target.triplet and target.platform and target.wheel_platform
        assert target.ext_suffix((3, 13)).endswith((".so", ".pyd"))
        # hints and tool names fill in too: a missing name is a KeyError, not a message
        for template in (target.facts.compiler_hint, target.facts.rust_triple):
            assert "{" not in target.form(template)
        assert "{" not in target.form(target.facts.interpreter_hint, v="3.13")


def test_family_words_stay_in_few_modules() -> None:
    """Each family is named (whole word, any case, comments and docstrings too) in at most
    three modules: its row in ``target/families.py``, its own module, and one more; the
    rest of the package asks the row (as ``grep -rliw WORD src/crosswheel`` counts)."""
    counts = {}
    for word in FAMILY_WORDS:
        pattern = re.compile(rf"(?<![A-Za-z0-9_]){word}(?![A-Za-z0-9_])", re.IGNORECASE)
        counts[word] = [
            name for name, path in MODULES.items() if pattern.search(path.read_text("utf-8"))
        ]
    assert all(len(users) <= 3 for users in counts.values()), counts
    assert all("crosswheel.target.families" in users for users in counts.values()), counts
