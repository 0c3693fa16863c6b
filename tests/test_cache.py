"""make_once: a cached folder is made beside its place, marked whole and renamed in;
while_unchanged: a file read once per process until it changes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crosswheel.target.cache import COMPLETE, is_complete, make_once, while_unchanged


def test_made_once_then_reused(tmp_path: Path) -> None:
    calls: list[Path] = []

    def make(out: Path) -> None:
        calls.append(out)
        out.mkdir()
        (out / "data").write_text("made")

    folder = tmp_path / "cache" / "thing"
    assert make_once(folder, make) == folder
    assert (folder / "data").read_text() == "made" and (folder / COMPLETE).exists()
    assert calls[0].parent.parent == folder.parent  # made beside its place, then renamed
    make_once(folder, make)
    assert len(calls) == 1
    assert [p.name for p in folder.parent.iterdir()] == ["thing"]  # no scratch left


def test_a_folder_an_older_crosswheel_marked_is_whole(tmp_path: Path) -> None:
    folder = tmp_path / "runtime"
    folder.mkdir()
    (folder / ".crosswheel-complete").touch()
    assert is_complete(folder)
    make_once(folder, lambda out: pytest.fail("refetched a whole folder"))


def test_a_failed_make_leaves_nothing_that_looks_whole(tmp_path: Path) -> None:
    folder = tmp_path / "half"
    folder.mkdir()  # a leftover without a marker is made again

    def make(out: Path) -> None:
        out.mkdir()
        raise RuntimeError("network down")

    with pytest.raises(RuntimeError):
        make_once(folder, make)
    assert not is_complete(folder)
    assert [p.name for p in tmp_path.iterdir()] == ["half"]
    make_once(folder, lambda out: out.mkdir())
    assert is_complete(folder)


def test_a_killed_makes_scratch_is_removed_by_the_next_make(tmp_path: Path) -> None:
    """SIGKILL runs no cleanup: the scratch is named after its owner, and a later make
    removes the ones whose owner is dead (a live owner's is left alone)."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    killed = tmp_path / f".crosswheel-{dead.pid}-make-abc"
    (killed / "out").mkdir(parents=True)
    alive = tmp_path / f".crosswheel-{os.getpid()}-make-def"
    alive.mkdir()
    seen: list[Path] = []

    def make(out: Path) -> None:
        seen.append(out)
        out.mkdir()

    make_once(tmp_path / "thing", make)
    assert not killed.exists()
    assert alive.exists()
    assert seen[0].parent.name.startswith(f".crosswheel-{os.getpid()}-make-")
    assert sorted(p.name for p in tmp_path.iterdir()) == [alive.name, "thing"]


def test_while_unchanged_reads_a_file_again_only_when_it_changes(tmp_path: Path) -> None:
    reads: list[str] = []

    @while_unchanged
    def first_line(path: Path) -> str:
        text = path.read_text().splitlines()[0]
        reads.append(text)
        return text

    data = tmp_path / "_sysconfigdata.py"
    data.write_text("one\n")
    assert first_line(data) == first_line(data) == "one"
    assert reads == ["one"]
    data.write_text("two, longer\n")  # another size: another stamp, whatever the clock
    assert first_line(data) == "two, longer"
    assert reads == ["one", "two, longer"]
    data.unlink()
    with pytest.raises(OSError):  # a missing file is read (and fails) every time
        first_line(data)
