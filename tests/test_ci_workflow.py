"""examples/ci/github-actions.yml: a matrix of targets, one job each, on x86_64 runners.

The workflow is not run here (no GitHub runner); what is checked is that it parses,
that each matrix entry is a target crosswheel knows with the Debian/Ubuntu
architecture that target needs, and that every ``crosswheel`` command in it names
only subcommands and options the README documents and the command line accepts.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

import yaml

from conftest import ROOT
from crosswheel.cli.main import _parser
from crosswheel.target.names import resolve_target

WORKFLOW = ROOT / "examples" / "ci" / "github-actions.yml"
README = (ROOT / "README.md").read_text(encoding="utf-8")


def load() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def job() -> dict[str, Any]:
    jobs = load()["jobs"]
    assert len(jobs) == 1, "one job, spread over the matrix"
    return dict(next(iter(jobs.values())))


def crosswheel_commands(matrix: dict[str, str]) -> list[list[str]]:
    """Every ``crosswheel ...`` command line of the job's steps, with ``${{ }}`` filled in."""
    values = {f"matrix.{k}": v for k, v in matrix.items()} | {"github.workspace": "/work"}
    commands = []
    for step in job()["steps"]:
        script = str(step.get("run", "")).replace("\\\n", " ")
        script = re.sub(r"\$\{\{\s*([\w.]+)\s*\}\}", lambda m: values[m[1]], script)
        for line in script.splitlines():
            words = shlex.split(line, comments=True)
            if words and words[0] == "crosswheel":
                commands.append(words)
    return commands


def test_workflow_parses_into_one_job_per_target() -> None:
    workflow = load()
    assert workflow.get("on", workflow.get(True)) is not None  # YAML 1.1 reads `on` as True
    wheel = job()
    assert str(wheel["runs-on"]).startswith("ubuntu-")
    assert wheel["strategy"]["fail-fast"] is False, "one failing target must not cancel others"
    entries = wheel["strategy"]["matrix"]["include"]
    assert len(entries) >= 2
    assert wheel["name"] == "${{ matrix.target }}"
    for entry in entries:
        target = resolve_target(entry["target"])
        assert entry["arch"] == target.arch.debian_arch, entry
        assert target.triplet == entry["target"], "apt's gcc-<triplet> package is named by it"


def test_workflow_names_only_documented_commands() -> None:
    entries = job()["strategy"]["matrix"]["include"]
    parser = _parser()
    usage = parser.format_help()
    parsed: set[str] = set()
    for entry in entries:
        commands = crosswheel_commands(entry)
        assert [c[1] for c in commands] == ["build", "test"], commands
        for words in commands:
            assert f"crosswheel {words[1]}" in README, words[1]
            for option in (w.split("=")[0] for w in words[2:] if w.startswith("-")):
                assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", README), option
            assert f"--target {entry['target']}" in " ".join(words)
            if re.search(rf"^\s+{words[1]}\s", usage, re.M):  # a subcommand shipped here
                parser.parse_args(words[1:])
                parsed.add(words[1])
    assert "build" in parsed
