"""Progress of an ingest or rebuild, in files and passages, with rate and time left.

The writer reports three things as it goes: a file was read (and how many passages it gave),
some passages were embedded (or found in the vector cache), a file is done (stored, failed or
skipped). :class:`ProgressTracker` turns them into :class:`IngestProgress` snapshots for a
callback; the CLI draws them as a bar or plain lines, the app as a bar and a note.

The total number of passages is only known once every file has been read, so until then it is
estimated from the files read so far (their mean number of passages times the files left).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class IngestProgress:
    """A snapshot of a running (or finished) ingest."""

    files_done: int = 0
    files_total: int = 0
    files_read: int = 0  # files parsed so far (their passages are known)
    files_skipped: int = 0  # files done without being parsed (unchanged, duplicate, failed)
    passages_done: int = 0  # embedded or taken from the cache
    passages_read: int = 0  # passages of the files read so far
    elapsed_s: float = 0.0
    current: str = ""  # the file last done ...
    current_action: str = ""  # ... what happened to it (added, updated, unchanged, failed ...)
    current_detail: str = ""  # ... why, when it failed
    current_passages: int = 0
    finished: bool = False

    @property
    def passages_total(self) -> int:
        """Passages expected in all: exact once every file is read, estimated before."""
        if self.finished:
            return self.passages_done
        left = max(0, self.files_total - self.files_read - self.files_skipped)
        mean = self.passages_read / self.files_read if self.files_read else 0.0
        return max(self.passages_done, self.passages_read + round(mean * left))

    @property
    def rate(self) -> float:
        """Passages per second since the start."""
        return self.passages_done / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def fraction(self) -> float:
        """Share of the work done, 0..1 (by passages once some are known, else by files)."""
        if self.finished:
            return 1.0
        total = self.passages_total
        if total:
            return min(1.0, self.passages_done / total)
        return self.files_done / self.files_total if self.files_total else 0.0

    @property
    def seconds_left(self) -> float | None:
        """Estimated seconds to the end, or None while there is no rate yet."""
        if self.finished:
            return 0.0
        if not self.passages_done or not self.rate:
            return None
        return max(0.0, (self.passages_total - self.passages_done) / self.rate)

    def describe(self) -> str:
        """One line: "3/8 files · 120/410 passages · 9.8 passages/s · about 30 s left"."""
        parts = [f"{self.files_done}/{self.files_total} files"]
        total = self.passages_total
        known = self.finished or self.files_read + self.files_skipped >= self.files_total
        estimate = "" if known else "~"
        parts.append(f"{self.passages_done}/{estimate}{total} passages")
        if self.rate:
            parts.append(f"{self.rate:.1f} passages/s")
        left = self.seconds_left
        if self.finished:
            parts.append(f"done in {format_seconds(self.elapsed_s)}")
        elif left is not None:
            parts.append(f"about {format_seconds(left)} left")
        return " · ".join(parts)


def format_seconds(seconds: float) -> str:
    """Return "42 s", "3 min 5 s" or "1 h 2 min"."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


ProgressCallback = Callable[[IngestProgress], None]


class ProgressTracker:
    """Collects the writer's reports and calls ``callback`` with each new snapshot.

    Thread-safe: embedding may report from worker threads.
    """

    def __init__(self, callback: ProgressCallback | None, files_total: int = 0) -> None:
        self.callback = callback
        self._state = IngestProgress(files_total=files_total)
        self._started = time.perf_counter()
        self._lock = threading.Lock()
        self._read: set[str] = set()

    @property
    def state(self) -> IngestProgress:
        """The latest snapshot."""
        return self._state

    def _update(self, change: Callable[[IngestProgress], dict[str, object]]) -> None:
        with self._lock:
            elapsed = time.perf_counter() - self._started
            fields = change(self._state)
            self._state = replace(self._state, elapsed_s=elapsed, **fields)  # type: ignore[arg-type]
            state = self._state
        if self.callback is not None:
            self.callback(state)

    def start(self, files_total: int) -> None:
        """The run found ``files_total`` files to consider."""
        self._update(lambda s: {"files_total": files_total})

    def read(self, key: str, passages: int) -> None:
        """File ``key`` was parsed into ``passages`` passages, which will now be embedded."""
        self._read.add(key)
        self._update(
            lambda s: {"files_read": s.files_read + 1, "passages_read": s.passages_read + passages}
        )

    def embedded(self, passages: int) -> None:
        """``passages`` more passages have vectors (embedded or from the cache)."""
        self._update(lambda s: {"passages_done": s.passages_done + passages})

    def file_done(self, key: str, action: str = "", detail: str = "", passages: int = 0) -> None:
        """File ``key`` is finished (stored, unchanged, duplicate or failed)."""

        def change(s: IngestProgress) -> dict[str, object]:
            fields: dict[str, object] = {
                "files_done": s.files_done + 1,
                "current": key,
                "current_action": action,
                "current_detail": detail,
                "current_passages": passages,
            }
            if key not in self._read:
                fields["files_skipped"] = s.files_skipped + 1
            return fields

        self._update(change)

    def finish(self) -> None:
        """The run is over."""
        self._update(lambda s: {"finished": True})
