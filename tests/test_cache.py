"""make_once: a cached folder is made beside its place, marked whole and renamed in."""

from __future__ import annotations

from pathlib import Path

import pytest

from crosswheel.target.cache import COMPLETE, is_complete, make_once


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
