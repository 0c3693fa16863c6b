"""What ``crosswheel build SRC`` builds: a source folder, an sdist file, or a requirement.

Packagers build other people's projects, so every kind of source ends up as an
unmodified source tree: a folder is used where it is, an sdist is unpacked into
a scratch folder (refusing members that would land outside it), and a
requirement is fetched as an sdist from the package index first (without
building it: see ``index.py``).
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from crosswheel.errors import CrosswheelError
from crosswheel.report import info

SDIST_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar", ".zip")


def is_sdist_name(name: str) -> bool:
    return name.lower().endswith(SDIST_SUFFIXES)


def _safe_member(root: Path, name: str) -> Path:
    dest = (root / name).resolve()
    if dest != root and root not in dest.parents:
        raise CrosswheelError(f"the sdist member {name!r} would be written outside its folder")
    return dest


def _extract_tar(archive: Path, dest: Path) -> None:
    import tarfile  # here: a build from a source folder never opens an archive

    try:
        with tarfile.open(archive) as tar:
            members = tar.getmembers()
            for member in members:
                _safe_member(dest, member.name)
                if member.islnk() or member.issym():
                    target = (Path(member.name).parent / member.linkname).as_posix()
                    if os.path.isabs(member.linkname):
                        raise CrosswheelError(
                            f"the sdist member {member.name!r} links to {member.linkname!r}"
                        )
                    _safe_member(dest, target)
                elif not (member.isfile() or member.isdir()):
                    raise CrosswheelError(f"the sdist member {member.name!r} is not a file")
            if hasattr(tarfile, "data_filter"):
                tar.extractall(dest, members, filter="data")
            else:  # pragma: no cover - Pythons without PEP 706; checked above
                tar.extractall(dest, members)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise CrosswheelError(f"cannot unpack the sdist {archive}: {exc}") from None


def _extract_zip(archive: Path, dest: Path) -> None:
    try:
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                _safe_member(dest, name)
            zf.extractall(dest)
    except (zipfile.BadZipFile, OSError) as exc:
        raise CrosswheelError(f"cannot unpack the sdist {archive}: {exc}") from None


def _project_root(folder: Path, archive: Path) -> Path:
    """The unpacked project: the single top-level folder of a conforming sdist."""
    for candidate in (folder, *sorted(p for p in folder.iterdir() if p.is_dir())):
        if (candidate / "pyproject.toml").is_file() or (candidate / "setup.py").is_file():
            return candidate
    raise CrosswheelError(
        f"{archive.name} holds no Python project (no pyproject.toml or setup.py at its top)"
    )


def unpack_sdist(archive: Path, scratch: Path) -> Path:
    """Unpack ``archive`` under ``scratch``; return the project folder inside it."""
    dest = (scratch / "sdist").resolve()
    dest.mkdir(parents=True, exist_ok=True)
    if archive.name.lower().endswith(".zip"):
        _extract_zip(archive, dest)
    else:
        _extract_tar(archive, dest)
    return _project_root(dest, archive)


def download_sdist(requirement: str, scratch: Path) -> Path:
    """Fetch ``requirement``'s sdist from the package index (``PIP_INDEX_URL`` applies)."""
    # Imported here: the index client (urllib, html.parser) costs every local build
    # an import it never uses.
    from crosswheel.cli.index import fetch_sdist, index_url

    dest = scratch / "download"
    dest.mkdir(parents=True, exist_ok=True)
    index = index_url()
    info(f"downloading the sdist of {requirement} from {index}")
    return fetch_sdist(requirement, dest, index)


def _readable(path: Path, source: str) -> None:
    """A source this user cannot read fails here, not as a traceback inside the frontend."""
    try:
        if path.is_dir():
            names = {entry.name for entry in path.iterdir()}
            for name in sorted(names & {"pyproject.toml", "setup.py"}):
                (path / name).open("rb").close()
        elif path.is_file():
            path.open("rb").close()
    except PermissionError as exc:
        raise CrosswheelError(
            f"cannot read {exc.filename or source}: {exc.strerror}",
            hint=f"make {source} readable for this user (chmod -R u+rX), or build a copy of it",
        ) from None


def resolve_source(source: str, scratch: Path) -> Path:
    """The source tree to build for ``source`` (a folder, an sdist or a requirement)."""
    path = Path(source).expanduser()
    _readable(path, source)  # before is_dir(): a folder below an unreadable one raises
    if path.is_dir():
        if not (path / "pyproject.toml").is_file() and not (path / "setup.py").is_file():
            raise CrosswheelError(
                f"{source} is not a Python project (it has no pyproject.toml or setup.py)"
            )
        return path.resolve()
    if path.is_file():
        if path.name.endswith(".whl"):
            raise CrosswheelError(
                f"{source} is a wheel, not a source",
                hint="to fix and verify a wheel built elsewhere: crosswheel fix WHEEL --target T",
            )
        if not is_sdist_name(path.name):
            raise CrosswheelError(
                f"{source} is neither a source folder nor an sdist ({', '.join(SDIST_SUFFIXES)})"
            )
        return unpack_sdist(path.resolve(), scratch)
    if os.sep in source or source.startswith(".") or is_sdist_name(source):
        raise CrosswheelError(
            f"{source} does not exist",
            hint="give a project folder, an sdist (.tar.gz) or a requirement (msgpack==1.1.0)",
        )
    try:
        Requirement(source)
    except InvalidRequirement as exc:
        raise CrosswheelError(
            f"{source!r} is not a folder, an sdist or a requirement: {exc}"
        ) from None
    return unpack_sdist(download_sdist(source, scratch), scratch)
