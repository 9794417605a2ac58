"""Ingest jobs that run behind the app, so that it serves (and answers) while files are indexed.

One worker thread runs the jobs in order (an ingest of files or folders, or a rebuild) through
:mod:`vectorstore.sync`, the same code as the CLI: it is an ordinary writer and takes the
index's writer lock as any writer does. Questions are answered meanwhile over what is already
indexed. The worker thread lowers its own scheduling priority (and so that of the threads it
starts to embed), so that a question's embedding and retrieval, which run on the server's
threads, keep their core; query and passage embeddings do not share an engine or a lock (see
:class:`vectorstore.embeddings.E5Embedder`).

Each job keeps its latest :class:`~vectorstore.progress.IngestProgress` and the outcome of
every file done so far, for the app's progress bar and the Library's per-file list.
"""

from __future__ import annotations

import logging
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from vectorstore.progress import IngestProgress, ProgressCallback

logger = logging.getLogger(__name__)

BACKGROUND_NICE = 10  # added to the worker thread's nice value (Linux; ignored elsewhere)


@dataclass(frozen=True, slots=True)
class FileState:
    """One file of a job: "waiting" until done, then its outcome (added, failed, ...)."""

    key: str
    action: str = "waiting"
    detail: str = ""
    passages: int = 0


@dataclass(frozen=True, slots=True)
class JobStatus:
    """A snapshot of one job."""

    id: int
    kind: str  # "ingest" | "rebuild"
    label: str
    state: str = "queued"  # queued | running | done | failed
    progress: IngestProgress = field(default_factory=IngestProgress)
    files: tuple[FileState, ...] = ()
    report: Any = None  # the IngestReport once done
    error: str = ""
    finished_at: float = 0.0  # time.monotonic() when it ended

    @property
    def running(self) -> bool:
        """True while queued or running."""
        return self.state in ("queued", "running")


class BackgroundIndexer:
    """Runs ingest jobs for ``store`` on one background thread; thread-safe."""

    def __init__(
        self,
        store: Any,
        options: dict[str, int] | None = None,
        *,
        nice: int = BACKGROUND_NICE,
        on_progress: ProgressCallback | None = None,
        after: Callable[[Any], None] | None = None,
    ) -> None:
        """``after(report)`` runs on the worker thread after each job (e.g. theme tagging)."""
        self.store = store
        self.after = after
        self.options = dict(options or {})
        self.nice = nice
        self.on_progress = on_progress
        self._jobs: dict[int, JobStatus] = {}
        self._queue: queue.Queue[tuple[int, Callable[..., Any]]] = queue.Queue()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None
        self.finished = 0  # jobs ended so far: the app refreshes its lists when this grows

    # submitting --------------------------------------------------------------------------
    def ingest(self, paths: Sequence[Path], label: str = "") -> int:
        """Queue an ingest of ``paths`` (files or folders); return the job id."""
        from vectorstore.sync import sync

        paths = [Path(p) for p in paths]
        files = tuple(FileState(p.name) for p in paths if p.is_file())
        label = label or ", ".join(p.name for p in paths)

        def run(on_progress: ProgressCallback) -> Any:
            return sync(self.store, paths, on_progress=on_progress, **self.options)

        return self._submit("ingest", label, files, run)

    def rebuild(self, label: str = "rebuild") -> int:
        """Queue a rebuild of the whole index from the stored originals; return the job id."""
        from vectorstore.sync import rebuild

        def run(on_progress: ProgressCallback) -> Any:
            return rebuild(self.store, on_progress=on_progress, **self.options)

        return self._submit("rebuild", label, (), run)

    def _submit(
        self, kind: str, label: str, files: tuple[FileState, ...], run: Callable[..., Any]
    ) -> int:
        with self._lock:
            job_id = len(self._jobs) + 1
            self._jobs[job_id] = JobStatus(job_id, kind, label, files=files)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._work, name="submissions-indexer", daemon=True
                )
                self._thread.start()
        self._queue.put((job_id, run))
        return job_id

    # reading -----------------------------------------------------------------------------
    def status(self, job_id: int) -> JobStatus:
        """Return the latest snapshot of a job."""
        with self._lock:
            return self._jobs[job_id]

    def latest(self) -> JobStatus | None:
        """Return the running job, else the queued one, else the last one (None if none)."""
        with self._lock:
            jobs = list(self._jobs.values())
        for wanted in ("running", "queued"):
            for job in jobs:
                if job.state == wanted:
                    return job
        return jobs[-1] if jobs else None

    def active(self) -> bool:
        """True while a job is queued or running."""
        with self._lock:
            return any(job.running for job in self._jobs.values())

    def wait(self, job_id: int, timeout_s: float | None = None) -> JobStatus:
        """Block until the job ends (or the timeout passes); return its snapshot."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        with self._changed:
            while self._jobs[job_id].running:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    break
                self._changed.wait(left)
            return self._jobs[job_id]

    def watch(self, job_id: int, interval_s: float = 0.5) -> Any:
        """Yield the job's snapshot every ``interval_s`` (and at each change) until it ends."""
        while True:
            status = self.status(job_id)
            yield status
            if not status.running:
                return
            with self._changed:
                self._changed.wait(interval_s)

    # the worker ----------------------------------------------------------------------------
    def _set(self, job_id: int, **changes: Any) -> None:
        with self._changed:
            self._jobs[job_id] = replace(self._jobs[job_id], **changes)
            self._changed.notify_all()

    def _progress(self, job_id: int, state: IngestProgress) -> None:
        with self._changed:
            job = self._jobs[job_id]
            files = job.files
            if state.files_done > job.progress.files_done and state.current:
                files = _file_done(files, state)
            self._jobs[job_id] = replace(job, progress=state, files=files)
            self._changed.notify_all()
        if self.on_progress is not None:
            self.on_progress(state)

    def _work(self) -> None:
        lower_priority(self.nice)
        while True:
            job_id, run = self._queue.get()
            self._set(job_id, state="running")
            try:
                report = run(lambda state, job_id=job_id: self._progress(job_id, state))
                if self.after is not None:
                    self.after(report)
            except Exception as exc:  # a failed job must not stop the worker or the app
                logger.exception("background job %s failed", job_id)
                self._set(job_id, state="failed", error=str(exc), finished_at=time.monotonic())
            else:
                self._set(job_id, state="done", report=report, finished_at=time.monotonic())
            with self._lock:
                self.finished += 1


def _file_done(files: tuple[FileState, ...], state: IngestProgress) -> tuple[FileState, ...]:
    """Return ``files`` with the one ``state`` reports as done updated (or appended)."""
    done = FileState(
        state.current, state.current_action, state.current_detail, state.current_passages
    )
    names = [f.key for f in files]
    name = Path(state.current).name
    if state.current in names or name in names:
        at = names.index(state.current if state.current in names else name)
        return (*files[:at], done, *files[at + 1 :])
    return (*files, done)


def lower_priority(nice: int) -> None:
    """Raise the calling thread's nice value by ``nice`` (Linux: per thread; else a no-op)."""
    if nice <= 0 or not sys.platform.startswith("linux"):
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + nice)
    except OSError as exc:
        logger.debug("could not lower the indexer's priority: %s", exc)
