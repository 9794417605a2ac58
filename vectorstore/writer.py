"""Preparing, embedding and storing submissions in batches: the write half of an ingest run.

Files are prepared (parsed, described, chunked) in worker processes when there are many, while
this process embeds and stores the ones already prepared. Writes go in batches, because each
Chroma call has a fixed cost. Each batch follows the commit protocol of
:mod:`vectorstore.journal`: ids journalled, new passages into Chroma, the registry and lexical
rows changed in one transaction, stale passages deleted from Chroma, journal cleared.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from vectorstore import journal
from vectorstore.progress import ProgressCallback, ProgressTracker
from vectorstore.registry import SourceState
from vectorstore.store import PassageStore

logger = logging.getLogger(__name__)

ACTIONS = ("added", "updated", "removed", "unchanged", "duplicate", "failed", "skipped")
POOL_MIN_FILES = 24  # below this, starting worker processes costs more than it saves
POOL_ALL_CORES_FILES = 500  # from this many files, parse on every core
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What happened to one file: action is one of ACTIONS; detail gives the reason."""

    key: str
    path: str
    action: str
    detail: str = ""
    passages: int = 0


@dataclass
class IngestReport:
    """The outcome of one run: per-file outcomes, passages embedded, timings in seconds.

    ``timings``: scan (stat/hash/compare), prepare (parse+describe+chunk, summed over workers),
    prepare_wait (time this process waited for prepared files), embed, store, total (wall).
    """

    outcomes: list[FileOutcome] = field(default_factory=list)
    embedded: int = 0  # passages embedded in this run (vector cache misses)
    cached: int = 0  # passages whose vector came from the cache
    timings: dict[str, float] = field(default_factory=dict)
    repaired: dict[str, Any] = field(default_factory=dict)  # what this writer's repair did
    notes: list[str] = field(default_factory=list)  # run-level remarks (e.g. rebuild not switched)

    def of(self, action: str) -> list[FileOutcome]:
        """Return the outcomes with this action."""
        return [o for o in self.outcomes if o.action == action]

    @property
    def failed(self) -> list[FileOutcome]:
        """Files that could not be indexed, with their reasons."""
        return self.of("failed")

    @property
    def ok(self) -> bool:
        """True when no file failed."""
        return not self.failed

    def counts(self) -> dict[str, int]:
        """Return {action: number of files}."""
        return {action: len(self.of(action)) for action in ACTIONS}

    def add_time(self, name: str, seconds: float) -> None:
        """Add ``seconds`` to a timing bucket."""
        self.timings[name] = self.timings.get(name, 0.0) + seconds

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready summary."""
        return {
            **self.counts(),
            "embedded": self.embedded,
            "cached": self.cached,
            "timings_s": {k: round(v, 4) for k, v in self.timings.items()},
            "repaired": self.repaired,
            "notes": self.notes,
            "files": [dataclasses.asdict(o) for o in self.outcomes],
        }


@dataclass(frozen=True, slots=True)
class Job:
    """A file to prepare: ``action`` is "added", "updated" or "relabel" (manifest change only)."""

    key: str
    path: Path
    state: SourceState
    row: dict[str, str]
    action: str


def text_sha(text: str) -> str:
    """Return the vector-cache key of an embedded text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _prepare_job(args: tuple[Path, str, str, dict[str, str], dict[str, int]]) -> tuple:
    """Prepare one file (runs in a worker process); return (prepared|None, error, seconds)."""
    from ingest.errors import IngestError
    from ingest.filecheck import Limits
    from ingest.prepare import prepare

    path, key, content_hash, row, options = args
    start = time.perf_counter()
    try:
        prepared = prepare(
            path,
            key,
            content_hash=content_hash,
            manifest={key: row} if row else None,
            chunk_tokens=options["chunk_tokens"],
            overlap_tokens=options["overlap_tokens"],
            max_file_mb=options["max_file_mb"],
            limits=Limits.from_options(options),
            formats=options.get("formats"),
        )
        return prepared, "", time.perf_counter() - start
    except IngestError as exc:
        return None, exc.reason, time.perf_counter() - start
    except OSError as exc:
        return None, f"cannot read the file: {exc}", time.perf_counter() - start
    except Exception as exc:  # a parser bug must cost one file, not the run
        logger.exception("unexpected error while reading %s", path)
        reason = f"unexpected error ({type(exc).__name__}: {exc}); please report this file"
        return None, reason, time.perf_counter() - start


def prepare_all(
    jobs: Sequence[Job], options: dict[str, int], workers: int
) -> Iterator[tuple[Job, Any, str, float]]:
    """Yield (job, prepared or None, error, seconds) in order, using worker processes if many."""
    args = [(j.path, j.key, j.state.content_hash, j.row, options) for j in jobs]
    # Auto: for a large batch, one parse worker per core (at 1,500 files on 2 cores, 2 workers
    # beat one process in all three benchmark runs: 73 s vs 88 s in the last); for a medium one,
    # one core stays with this process (embedding, Chroma), as at 150 files the gain was mixed.
    cores = os.cpu_count() or 1
    workers = workers or (cores if len(jobs) >= POOL_ALL_CORES_FILES else max(1, cores - 1))
    if workers <= 1 or len(jobs) < POOL_MIN_FILES:
        for job, arg in zip(jobs, args, strict=True):
            yield (job, *_prepare_job(arg))
        return
    import multiprocessing

    # spawn, not fork: this process already runs Chroma's and SQLite's threads.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(min(workers, len(jobs)), mp_context=context) as pool:
        for job, result in zip(jobs, pool.map(_prepare_job, args, chunksize=4), strict=True):
            yield (job, *result)


class Run:
    """Per-run bookkeeping: the report, progress callback and file counter."""

    def __init__(
        self, total: int, progress: Progress | None, on_progress: ProgressCallback | None = None
    ) -> None:
        self.report = IngestReport()
        self.total = total
        self.done = 0
        self.progress = progress
        self.tracker = ProgressTracker(on_progress, total)

    def outcome(self, outcome: FileOutcome) -> None:
        self.report.outcomes.append(outcome)
        if outcome.action == "removed":
            return
        self.done += 1
        self.tracker.file_done(outcome.key, outcome.action, outcome.detail, outcome.passages)
        if self.progress:
            self.progress(self.done, self.total, outcome.key)


class BatchWriter:
    """Embeds and stores prepared submissions in batches; records outcomes in the report."""

    def __init__(
        self,
        store: PassageStore,
        report: IngestReport,
        on_outcome: Callable[[FileOutcome], None],
        batch_passages: int = 0,
        command: str = "ingest",
        tracker: ProgressTracker | None = None,
    ) -> None:
        self.command = command
        self.store = store
        self.tracker = tracker or ProgressTracker(None)
        self.report = report
        self.on_outcome = on_outcome
        embedder = store.embedder
        self.batch_passages = batch_passages or getattr(embedder, "ingest_batch", 512)
        self.pending: list[tuple[Job, Any]] = []

    def run(self, jobs: Sequence[Job], options: dict[str, int], workers: int) -> None:
        """Prepare, embed and store every job."""
        warm = getattr(self.store.embedder, "warm", None)
        if warm is not None and any(job.action != "relabel" for job in jobs):
            warm()  # load the model while the first files are read
        waited = time.perf_counter()
        for job, prepared, error, seconds in prepare_all(jobs, options, workers):
            self.report.add_time("prepare", seconds)
            self.report.add_time("prepare_wait", time.perf_counter() - waited)
            if prepared is None:
                self.on_outcome(FileOutcome(job.key, str(job.path), "failed", error))
            elif job.action == "relabel":
                self.relabel(job, prepared)
            else:
                self.tracker.read(job.key, len(prepared.passages))
                self.pending.append((job, prepared))
                if sum(len(p.passages) for _, p in self.pending) >= self.batch_passages:
                    self.flush()
            waited = time.perf_counter()
        self.flush()

    def vectors(self, texts: Sequence[str]) -> tuple[np.ndarray, list[str]]:
        """Return vectors for ``texts``, embedding only those not in the cache."""
        start = time.perf_counter()
        embedder, registry = self.store.embedder, self.store.registry
        shas = [text_sha(t) for t in texts]
        cached = registry.cached_vectors(embedder.name, shas)
        todo = {sha: text for sha, text in zip(shas, texts, strict=True) if sha not in cached}
        self.report.add_time("store", time.perf_counter() - start)
        if len(texts) > len(todo):
            self.tracker.embedded(len(texts) - len(todo))
        if todo:
            start = time.perf_counter()
            fresh = embedder.embed_passages(list(todo.values()), on_progress=self.tracker.embedded)
            self.report.add_time("embed", time.perf_counter() - start)
            start = time.perf_counter()
            registry.cache_vectors(embedder.name, list(todo), fresh)
            cached.update(zip(todo, fresh, strict=True))
            self.report.add_time("store", time.perf_counter() - start)
        self.report.embedded += len(todo)
        self.report.cached += len(texts) - len(todo)
        if not shas:
            return np.zeros((0, embedder.dim), np.float32), shas
        return np.vstack([cached[s] for s in shas]), shas

    def flush(self) -> None:
        """Store the pending submissions: Chroma upsert, registry + lexical, then stale deletes."""
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        store, registry = self.store, self.store.registry
        texts = [p.embed_text for _, prepared in batch for p in prepared.passages]
        vectors, shas = self.vectors(texts)
        start = time.perf_counter()
        if store.recorded_embedder() is None or registry.count() == 0:
            store.record_embedder(store.embedder)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        submissions = [
            dataclasses.replace(
                p.submission,
                passages=len(p.passages),
                ingested_at=now,
                **registry.overrides(p.submission.key),
            )
            for _, p in batch
        ]
        rows = [
            (sub, p)
            for sub, (_, prepared) in zip(submissions, batch, strict=True)
            for p in prepared.passages
        ]
        for job, _ in batch:
            store.store_original(job.path, job.state.content_hash)
        added = [p.id for _, p in rows]
        journal.begin(registry, self.command, added)  # 1. journal the ids about to be written
        store.chroma_upsert([p for _, p in rows], vectors, [s for s, _ in rows])  # 2.
        stale: dict[str, int] = {}
        with registry.transaction():  # 3. the registry side changes in one transaction
            offset = 0
            for submission, (job, prepared) in zip(submissions, batch, strict=True):
                passages = list(prepared.passages)
                old = registry.passage_ids(submission.key)
                registry.put_submission(submission, job.state)
                registry.put_document(submission.key, prepared.document)
                rowids = registry.put_passages(passages, shas[offset : offset + len(passages)])
                offset += len(passages)
                fresh = {p.id for p in passages}
                gone = {pid: rowid for pid, rowid in old.items() if pid not in fresh}
                stale.update(gone)
                store.lexical.delete(list(gone.values()))
                registry.delete_passages(list(gone))
                store.lexical.add(
                    [(r, p.embed_text, p.language) for r, p in zip(rowids, passages, strict=True)]
                )
            journal.settle(registry, added, list(stale))
        store.chroma_delete(list(stale))  # 4. (a no-op when nothing went stale)
        journal.end(registry)  # 5.
        self.report.add_time("store", time.perf_counter() - start)
        for submission, (job, _) in zip(submissions, batch, strict=True):
            self.on_outcome(
                FileOutcome(job.key, str(job.path), job.action, passages=submission.passages)
            )

    def relabel(self, job: Job, prepared: Any) -> None:
        """Apply new metadata (a manifest-only change) without re-embedding."""
        start = time.perf_counter()
        registry = self.store.registry
        old = registry.submission(job.key)
        submission = dataclasses.replace(
            prepared.submission,
            passages=len(prepared.passages),
            ingested_at=old.ingested_at if old else "",
            **registry.overrides(job.key),
        )
        journal.begin(registry, self.command, [job.key], journal.META)
        registry.put_submission(submission, job.state)
        passages = self.store.passages_of(job.key)
        self.store.chroma_update_metadata(passages, [submission] * len(passages))
        journal.end(registry)
        self.report.add_time("store", time.perf_counter() - start)
        detail = "metadata only (manifest changed)"
        self.on_outcome(FileOutcome(job.key, str(job.path), "updated", detail))
