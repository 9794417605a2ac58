"""Finding the files an ingest considers, and saying why the others are skipped."""

from __future__ import annotations

import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from vectorstore.writer import FileOutcome


@dataclass(frozen=True, slots=True)
class Source:
    path: Path
    key: str
    root: Path


def discover(
    paths: Sequence[Path], suffixes: Sequence[str], exclude: Path | None = None
) -> tuple[list[Source], list[FileOutcome], list[Path]]:
    """Return (files to consider, failed and skipped files, folders given) for ``paths``.

    Files under ``exclude`` (the index folder, which holds copies of the originals) are left out
    silently; any other Word-named file that is not taken gets a "skipped" line saying why
    (hidden, a broken link, not a regular file, a name that could point elsewhere).
    """
    sources: dict[str, Source] = {}
    others: list[FileOutcome] = []
    folders: list[Path] = []
    for raw in paths:
        path = Path(raw).resolve()
        if path.is_dir():
            folders.append(path)
            for file in sorted(path.rglob("*")):
                if file.suffix.lower() not in suffixes:
                    continue
                if exclude is not None and file.is_relative_to(exclude):
                    continue
                rel = file.relative_to(path)
                reason = skip_reason(file, rel)
                if reason:
                    others.append(FileOutcome(rel.as_posix(), str(file), "skipped", reason))
                else:
                    sources.setdefault(rel.as_posix(), Source(file, rel.as_posix(), path))
        elif path.is_file():
            sources.setdefault(path.name, Source(path, path.name, path.parent))
        else:
            reason = _not_regular(Path(raw)) or "no such file or folder"
            others.append(FileOutcome(str(raw), str(raw), "failed", reason))
    return list(sources.values()), others, folders


def skip_reason(file: Path, rel: Path) -> str:
    """Return why a file found in a folder is not ingested, or "" when it is taken."""
    if "\\" in file.name or ".." in rel.parts:
        return "the name contains '\\' or '..' and could point outside the folder; rename it"
    if any(part.startswith((".", "~$")) for part in rel.parts):
        return "hidden file or Word lock file (the name starts with '.' or '~$')"
    return _not_regular(file)


def _not_regular(file: Path) -> str:
    """Return why ``file`` is not a regular file ("" when it is one)."""
    try:
        mode = file.stat().st_mode  # follows links: a link to /dev/zero is a device
    except FileNotFoundError:
        if file.is_symlink():
            return "a broken link (its target does not exist)"
        return ""
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISDIR(mode):
        return "a folder named like a Word file"
    if stat.S_ISFIFO(mode):
        return "not a regular file (a named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "not a regular file (a device)"
    if stat.S_ISSOCK(mode):
        return "not a regular file (a socket)"
    return "not a regular file"
