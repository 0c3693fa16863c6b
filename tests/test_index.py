"""index: sdists chosen and fetched from a real HTTP index (PEP 503 HTML and PEP 691 JSON)."""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from crosswheel.cli.index import IndexFile, choose_sdist, fetch_sdist, list_files
from crosswheel.errors import CrosswheelError

VERSIONS = ("1.0.0", "1.1.0", "2.0.0rc1", "1.2.0")
YANKED = "1.2.0"


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves ``simple/<project>/`` as JSON when asked for it, as HTML otherwise."""

    def do_GET(self) -> None:
        folder = Path(self.translate_path(self.path))
        if self.path.startswith("/json/") and folder.is_dir():
            body = (folder / "index.json").read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.pypi.simple.v1+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A local index: ``/simple/`` (HTML) and ``/json/`` (JSON) list the same files."""
    root = tmp_path_factory.mktemp("index")
    files = root / "files"
    files.mkdir()
    anchors, entries = [], []
    for version in VERSIONS:
        name = f"demo_pkg-{version}.tar.gz"
        data = f"sdist {version}".encode()
        (files / name).write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        yanked = ' data-yanked=""' if version == YANKED else ""
        anchors.append(f'<a href="../../files/{name}#sha256={digest}"{yanked}>{name}</a>')
        entries.append(
            {
                "filename": name,
                "url": f"../../files/{name}",
                "hashes": {"sha256": digest},
                "yanked": version == YANKED,
            }
        )
    # A wheel and a file with a wrong hash are listed too.
    (files / "demo_pkg-1.1.0-py3-none-any.whl").write_bytes(b"wheel")
    anchors.append('<a href="../../files/demo_pkg-1.1.0-py3-none-any.whl">wheel</a>')
    (files / "bad_pkg-1.0.tar.gz").write_bytes(b"tampered")
    for kind in ("simple", "json"):
        (root / kind / "demo-pkg").mkdir(parents=True)
        (root / kind / "bad-pkg").mkdir(parents=True)
    (root / "simple" / "demo-pkg" / "index.html").write_text(
        "<!DOCTYPE html><html><body>" + "\n".join(anchors) + "</body></html>"
    )
    (root / "json" / "demo-pkg" / "index.json").write_text(json.dumps({"files": entries}))
    bad = '<a href="../../files/bad_pkg-1.0.tar.gz#sha256=' + "0" * 64 + '">bad_pkg-1.0.tar.gz</a>'
    (root / "simple" / "bad-pkg" / "index.html").write_text(bad)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(_Handler, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.parametrize("kind", ["simple", "json"])
def test_both_page_formats_list_the_same_files(index: str, kind: str) -> None:
    files = list_files("Demo.Pkg", f"{index}/{kind}/")
    sdists = sorted(f.filename for f in files if f.filename.endswith(".tar.gz"))
    assert sdists == sorted(f"demo_pkg-{v}.tar.gz" for v in VERSIONS)
    assert {f.filename for f in files if f.yanked} == {f"demo_pkg-{YANKED}.tar.gz"}
    assert all(f.url.startswith(f"{index}/files/") for f in files)


@pytest.mark.parametrize(
    ("requirement", "version"),
    [
        ("demo-pkg", "1.1.0"),  # 1.2.0 is yanked, 2.0.0rc1 a pre-release
        ("demo-pkg<1.1", "1.0.0"),
        ("demo-pkg==1.2.0", "1.2.0"),  # pinned: a yanked file is still given
        ("demo-pkg>=2.0.0rc1", "2.0.0rc1"),
    ],
)
def test_newest_matching_sdist_is_chosen(index: str, requirement: str, version: str) -> None:
    files = list_files("demo-pkg", f"{index}/json/")
    entry, chosen = choose_sdist(Requirement(requirement), files)
    assert str(chosen) == version
    assert entry.filename == f"demo_pkg-{version}.tar.gz"


def test_fetch_checks_and_keeps_the_file(index: str, tmp_path: Path) -> None:
    path = fetch_sdist("demo-pkg==1.0.0", tmp_path, f"{index}/simple/")
    assert path == tmp_path / "demo_pkg-1.0.0.tar.gz"
    assert path.read_bytes() == b"sdist 1.0.0"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_wrong_hash_is_refused_and_nothing_is_kept(index: str, tmp_path: Path) -> None:
    with pytest.raises(CrosswheelError, match="does not match the sha256"):
        fetch_sdist("bad-pkg", tmp_path, f"{index}/simple/")
    assert list(tmp_path.iterdir()) == []


def test_errors_name_what_is_missing(index: str) -> None:
    with pytest.raises(CrosswheelError, match="has no project 'nothing-here'"):
        list_files("nothing-here", f"{index}/simple/")
    with pytest.raises(CrosswheelError, match=r"no sdist of demo-pkg matches .*newest sdists"):
        choose_sdist(Requirement("demo-pkg>=3"), list_files("demo-pkg", f"{index}/simple/"))
    with pytest.raises(CrosswheelError, match="cannot reach the package index"):
        list_files("demo-pkg", "http://127.0.0.1:9/simple/")


def test_only_sdists_of_the_project_count() -> None:
    files = [
        IndexFile("other-1.0.tar.gz", "u", None, False),
        IndexFile("demo_pkg-1.0-py3-none-any.whl", "u", None, False),
        IndexFile("demo_pkg-0.9.zip", "u", None, False),
    ]
    entry, version = choose_sdist(Requirement("demo-pkg"), files)
    assert (entry.filename, str(version)) == ("demo_pkg-0.9.zip", "0.9")
