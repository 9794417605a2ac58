"""Index generations: a rebuild writes a new one beside the live one, then switches atomically.

Layout of an index folder::

    CURRENT                   {"generation": n}; absent means generation 0
    registry.sqlite, chroma/  generation 0 (every index starts here)
    generations/<n>/          generation n >= 1: its own registry.sqlite and chroma/
        BUILDING              present while a rebuild writes it (JSON: pid, started)
        COMPLETE              written once it passed the smoke check, before the switch
    originals/, ingest.log.jsonl, .lock     shared by all generations

The switch is one ``os.replace`` of ``CURRENT`` (after an fsync of the new file), so a reader sees
either the old generation or the new one, never a mixture. A kill before the switch leaves the old
generation live and complete; the next writer removes the half-built one (see
:mod:`vectorstore.journal`). With a Chroma server, generation n uses the collection
``<collection>-g<n>`` (generation 0 keeps the plain name).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

CURRENT = "CURRENT"
FOLDER = "generations"
BUILDING = "BUILDING"
COMPLETE = "COMPLETE"


@dataclass(frozen=True, slots=True)
class Generation:
    """One generation of an index: its number, folder and state."""

    number: int
    folder: Path
    live: bool
    complete: bool
    building: bool
    size_bytes: int

    @property
    def state(self) -> str:
        """Return "live", "old", "building" or "abandoned" (a rebuild that never finished)."""
        if self.live:
            return "live"
        if self.complete:
            return "old"
        return "building" if self.building else "abandoned"


def folder_of(index_dir: Path, number: int) -> Path:
    """Return the folder holding generation ``number``'s registry and embedded Chroma."""
    return Path(index_dir) if number == 0 else Path(index_dir) / FOLDER / str(number)


def collection_of(collection: str, number: int) -> str:
    """Return the Chroma collection name of generation ``number``."""
    return collection if number == 0 else f"{collection}-g{number}"


def current(index_dir: Path) -> int:
    """Return the live generation's number (0 when no rebuild ever switched)."""
    pointer = Path(index_dir) / CURRENT
    try:
        return int(json.loads(pointer.read_text(encoding="utf-8"))["generation"])
    except FileNotFoundError:
        return 0
    except (ValueError, KeyError, TypeError, OSError):
        # A torn pointer cannot happen with os.replace; if edited by hand, fall back safely.
        return 0


def pointer_stamp(index_dir: Path) -> tuple[int, int]:
    """Return a cheap (mtime_ns, size) stamp of the pointer, to notice a switch."""
    try:
        stat = (Path(index_dir) / CURRENT).stat()
    except FileNotFoundError:
        return (0, 0)
    return (stat.st_mtime_ns, stat.st_size)


def write_json_atomic(path: Path, data: dict) -> None:
    """Write ``data`` to ``path`` atomically: temporary file, fsync, rename, fsync of the folder."""
    partial = path.with_name(f".{path.name}.part")
    with partial.open("w", encoding="utf-8") as handle:
        json.dump(data, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # Windows cannot open folders; its rename is durable enough
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def switch(index_dir: Path, number: int) -> None:
    """Make generation ``number`` live (one atomic rename)."""
    write_json_atomic(Path(index_dir) / CURRENT, {"generation": number})


def next_number(index_dir: Path) -> int:
    """Return a generation number never used in this folder."""
    used = [0, current(index_dir)]
    root = Path(index_dir) / FOLDER
    if root.is_dir():
        used.extend(int(p.name) for p in root.iterdir() if p.name.isdigit())
    return max(used) + 1


def start(index_dir: Path, number: int) -> Path:
    """Create generation ``number``'s folder, marked as being built by this process."""
    folder = folder_of(index_dir, number)
    folder.mkdir(parents=True, exist_ok=False)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    write_json_atomic(folder / BUILDING, {"pid": os.getpid(), "started": started})
    return folder


def finish(index_dir: Path, number: int) -> None:
    """Mark generation ``number`` complete (it passed the smoke check)."""
    folder = folder_of(index_dir, number)
    finished = datetime.now(UTC).isoformat(timespec="seconds")
    write_json_atomic(folder / COMPLETE, {"finished": finished})
    (folder / BUILDING).unlink(missing_ok=True)


def _size(folder: Path, skip: Path | None = None) -> int:
    total = 0
    for path in folder.rglob("*"):
        if skip is not None and path.is_relative_to(skip):
            continue
        if path.is_file():
            total += path.stat().st_size
    return total


def listing(index_dir: Path) -> list[Generation]:
    """Return every generation of the folder, oldest first."""
    index_dir = Path(index_dir)
    live = current(index_dir)
    found = []
    if (index_dir / "registry.sqlite").exists():
        size = sum(p.stat().st_size for p in index_dir.glob("registry.sqlite*") if p.is_file()) + (
            _size(index_dir / "chroma") if (index_dir / "chroma").is_dir() else 0
        )
        found.append(Generation(0, index_dir, live == 0, True, False, size))
    root = index_dir / FOLDER
    if root.is_dir():
        for path in sorted(
            (p for p in root.iterdir() if p.name.isdigit()), key=lambda p: int(p.name)
        ):
            number = int(path.name)
            complete = (path / COMPLETE).exists()
            building = (path / BUILDING).exists()
            found.append(Generation(number, path, live == number, complete, building, _size(path)))
    return found


def builder_alive(folder: Path) -> bool:
    """Return True when the process named in a generation's BUILDING marker still runs."""
    try:
        pid = int(json.loads((folder / BUILDING).read_text(encoding="utf-8"))["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return pid_alive(pid)


def pid_alive(pid: int) -> bool:
    """Return True when a process with this id exists (on this machine)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def delete(index_dir: Path, number: int) -> None:
    """Delete an old generation's files (never the live one; generation 0 keeps its folder)."""
    if number == current(index_dir):
        raise ValueError(f"generation {number} is live; rebuild first, then remove the old one")
    folder = folder_of(index_dir, number)
    if number == 0:
        for path in Path(index_dir).glob("registry.sqlite*"):
            path.unlink(missing_ok=True)
        shutil.rmtree(Path(index_dir) / "chroma", ignore_errors=True)
        return
    shutil.rmtree(folder, ignore_errors=True)


def has_index(index_dir: Path) -> bool:
    """Return True when the folder holds an index (its live generation's registry exists)."""
    return (folder_of(index_dir, current(index_dir)) / "registry.sqlite").exists()
