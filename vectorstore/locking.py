"""The single-writer lock of an index folder (readers never take it)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from vectorstore.errors import IndexLockedError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = ".lock"


@contextmanager
def writer_lock(index_dir: Path) -> Iterator[None]:
    """Hold the index folder's writer lock, or raise IndexLockedError at once (no waiting)."""
    from filelock import FileLock, Timeout

    Path(index_dir).mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(Path(index_dir) / LOCK_NAME), timeout=0)
    try:
        lock.acquire()
    except Timeout as exc:
        raise IndexLockedError(
            f"another process is writing to {index_dir}; wait for it to finish"
        ) from exc
    try:
        yield
    finally:
        lock.release()


CHROMA_LOCK_NAME = ".chroma.lock"
_held = threading.local()


@contextmanager
def chroma_guard(index_dir: Path, *, exclusive: bool) -> Iterator[None]:
    """Keep readers out of the embedded Chroma files while a writer changes them.

    Writers hold it exclusively around each Chroma call that changes data (and the change-counter
    bump that follows); readers hold it shared around a query, so a query never runs against
    files half-way through a change. Re-entrant per thread (a writer may read). Per batch it is
    held for one Chroma call, so a question waits at most that long. Where ``fcntl`` is missing
    (Windows) it does nothing, and readers rely on retry-after-reopen instead.
    """
    depth = getattr(_held, "depth", 0)
    if fcntl is None or depth:
        _held.depth = depth + 1
        try:
            yield
        finally:
            _held.depth = depth
        return
    Path(index_dir).mkdir(parents=True, exist_ok=True)
    with open(Path(index_dir) / CHROMA_LOCK_NAME, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        _held.depth = 1
        try:
            yield
        finally:
            _held.depth = 0
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
