"""The single-writer lock of an index folder (readers never take it)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from vectorstore.errors import IndexLockedError

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
