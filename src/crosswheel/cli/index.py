"""Fetch a project's sdist from a package index, without building anything.

``pip download`` prepares an sdist's metadata before it keeps the file, and a
backend without ``prepare_metadata_for_build_wheel`` (meson-python) builds the
whole project *natively* for that: a cross build must not need that, and it may
not even be possible. The Simple Repository API (PEP 503 HTML, PEP 691 JSON)
lists each file with its name and hash, which is all that choosing and checking
an sdist needs.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import InvalidSdistFilename, canonicalize_name, parse_sdist_filename
from packaging.version import Version

from crosswheel.errors import CrosswheelError

DEFAULT_INDEX = "https://pypi.org/simple/"
INDEX_VAR = "PIP_INDEX_URL"
_ACCEPT = (
    "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, "
    "text/html;q=0.1"
)


@dataclass(frozen=True)
class IndexFile:
    """One file of a project as the index lists it."""

    filename: str
    url: str
    sha256: str | None
    yanked: bool
    requires_python: str | None = None
    """The file's ``Requires-Python``, as the index lists it (PEP 503/691)."""


class _AnchorParser(HTMLParser):
    """The ``<a>`` elements of a PEP 503 project page."""

    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[dict[str, str | None]] = []
        self._current: dict[str, str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._current = dict(attrs)
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._current is not None:
            self._current["text"] = "".join(self._text).strip()
            self.anchors.append(self._current)
            self._current = None


def _files_from_json(page: dict[str, object], base: str) -> list[IndexFile]:
    files = page.get("files")
    if not isinstance(files, list):
        raise ValueError("no 'files' list")
    found = []
    for entry in files:
        hashes = entry.get("hashes") or {}
        found.append(
            IndexFile(
                filename=str(entry["filename"]),
                url=urllib.parse.urljoin(base, str(entry["url"])),
                sha256=hashes.get("sha256"),
                yanked=bool(entry.get("yanked")),
                requires_python=entry.get("requires-python"),
            )
        )
    return found


def _files_from_html(text: str, base: str) -> list[IndexFile]:
    parser = _AnchorParser()
    parser.feed(text)
    found = []
    for anchor in parser.anchors:
        href = anchor.get("href")
        if not href:
            continue
        url, _, fragment = urllib.parse.urljoin(base, href).partition("#")
        name = anchor.get("text") or urllib.parse.unquote(url.rsplit("/", 1)[-1])
        algorithm, _, digest = fragment.partition("=")
        found.append(
            IndexFile(
                filename=name,
                url=url,
                sha256=digest if algorithm == "sha256" else None,
                yanked="data-yanked" in anchor,
                requires_python=anchor.get("data-requires-python"),
            )
        )
    return found


def index_url(environ: dict[str, str] | None = None) -> str:
    """The index to ask: ``PIP_INDEX_URL`` as pip would use it, else PyPI."""
    env = os.environ if environ is None else environ
    url = env.get(INDEX_VAR) or DEFAULT_INDEX
    return url if url.endswith("/") else url + "/"


def list_files(project: str, index: str) -> list[IndexFile]:
    """Every file the index lists for ``project``."""
    page_url = urllib.parse.urljoin(index, canonicalize_name(project) + "/")
    request = urllib.request.Request(page_url, headers={"Accept": _ACCEPT})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
            content_type = response.headers.get("Content-Type", "")
            final_url = response.geturl()
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise CrosswheelError(
                f"the package index {index} has no project {project!r}",
                hint="check the name, or point PIP_INDEX_URL at the index that has it",
            ) from None
        raise CrosswheelError(f"the package index answered {exc.code} for {page_url}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise CrosswheelError(f"cannot reach the package index {index}: {exc}") from None
    try:
        if "json" in content_type:
            return _files_from_json(json.loads(body), final_url)
        return _files_from_html(body.decode("utf-8", errors="replace"), final_url)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CrosswheelError(f"cannot read the index page {page_url}: {exc}") from None


def _runs_on(entry: IndexFile, python: Version | None) -> bool:
    """Whether ``entry``'s Requires-Python admits ``python`` (the target's), when both are known."""
    if python is None or not entry.requires_python:
        return True
    try:
        return SpecifierSet(entry.requires_python).contains(python, prereleases=True)
    except InvalidSpecifier:
        return True


def choose_sdist(
    requirement: Requirement, files: list[IndexFile], python: Version | None = None
) -> tuple[IndexFile, Version]:
    """The newest sdist that ``requirement`` admits (yanked ones only when pinned with ==).

    ``python``: the target's Python version; sdists whose Requires-Python excludes it
    are passed over, as pip does.
    """
    pinned = any(spec.operator in ("==", "===") for spec in requirement.specifier)
    candidates: dict[Version, IndexFile] = {}
    for entry in files:
        try:
            name, version = parse_sdist_filename(entry.filename)
        except InvalidSdistFilename:
            continue
        if name != canonicalize_name(requirement.name) or (entry.yanked and not pinned):
            continue
        if not _runs_on(entry, python):
            continue
        candidates.setdefault(version, entry)
    allowed = list(requirement.specifier.filter(candidates))
    if not allowed:
        versions = ", ".join(str(v) for v in sorted(candidates)[-5:]) or "none"
        raise CrosswheelError(
            f"no sdist of {requirement.name} matches {str(requirement)!r} "
            f"(newest sdists: {versions})",
            hint="check the version; some projects publish only wheels",
        )
    best = max(allowed)
    return candidates[best], best


def download(entry: IndexFile, dest_dir: Path) -> Path:
    """Fetch ``entry`` into ``dest_dir``, checking its sha256 when the index gave one."""
    dest = dest_dir / Path(entry.filename).name
    digest = hashlib.sha256()
    fd, partial = tempfile.mkstemp(prefix=".partial-", dir=dest_dir)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(entry.url, timeout=120) as src:
            while chunk := src.read(1 << 16):
                digest.update(chunk)
                out.write(chunk)
        if entry.sha256 and digest.hexdigest() != entry.sha256.lower():
            raise CrosswheelError(
                f"{entry.filename} does not match the sha256 the index lists "
                f"({digest.hexdigest()} != {entry.sha256})"
            )
        os.replace(partial, dest)
    except (urllib.error.URLError, OSError) as exc:
        raise CrosswheelError(f"cannot download {entry.url}: {exc}") from None
    finally:
        Path(partial).unlink(missing_ok=True)
    return dest


def fetch_sdist(
    requirement: str, dest_dir: Path, index: str | None = None, python: Version | None = None
) -> Path:
    """Download the sdist that ``requirement`` names into ``dest_dir``; its path."""
    parsed = Requirement(requirement)
    entry, _ = choose_sdist(parsed, list_files(parsed.name, index or index_url()), python)
    return download(entry, dest_dir)
