"""Incremental sync of Word files into the index, under the single-writer lock.

A submission is identified by its key (path relative to the folder ingested) and compared by
content hash. Unchanged files are recognised from (size, mtime) alone, so a no-change run reads
the registry and stats the files, nothing more: no parsing, no embedding, no Chroma. A changed
file is replaced atomically: its new passages are stored before the stale ones are deleted
(see :mod:`vectorstore.writer`).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ingest.errors import IngestError
from ingest.formats import SUFFIXES, FormatOptions  # .docx .docm .doc .odt .rtf .pdf
from ingest.hashing import file_hash
from ingest.metadata import MANIFEST_FIELDS
from vectorstore import journal
from vectorstore.discovery import Source as _Source
from vectorstore.discovery import discover
from vectorstore.duplicates import note_duplicates
from vectorstore.errors import IndexMismatchError, UnknownSubmissionError
from vectorstore.locking import writer_lock
from vectorstore.progress import ProgressCallback
from vectorstore.registry import SourceState
from vectorstore.store import PassageStore
from vectorstore.writer import (
    ACTIONS,
    BatchWriter,
    FileOutcome,
    IngestReport,
    Job,
    Progress,
    Run,
)

logger = logging.getLogger(__name__)

__all__ = [
    "ACTIONS",
    "FileOutcome",
    "IngestReport",
    "add_prepared",
    "file_hash",
    "rebuild",
    "remove",
    "sync",
    "update_metadata",
    "writer_lock",
]

# Fields people may edit in the library (those of the manifest); everything else comes from
# the file.
EDITABLE_FIELDS = tuple(name for name in MANIFEST_FIELDS if name != "file")


class _Manifests:
    """Manifest rows per submission, read once per folder per run."""

    def __init__(self) -> None:
        self._folders: dict[Path, dict[str, dict[str, str]]] = {}

    def _read(self, folder: Path) -> dict[str, dict[str, str]]:
        if folder not in self._folders:
            from ingest.metadata import read_manifest

            self._folders[folder] = read_manifest(folder)
        return self._folders[folder]

    def row(self, source: _Source) -> dict[str, str]:
        """Return the manifest row that applies to a file (its folder's, then the root's)."""
        from ingest.metadata import manifest_row

        if source.path.parent != source.root:
            own = manifest_row(self._read(source.path.parent), source.path.name)
            if own:
                return dict(own)
        return dict(manifest_row(self._read(source.root), source.key))


def sync(
    store: PassageStore,
    paths: Sequence[Path],
    *,
    sync_removed: bool = False,
    chunk_tokens: int = 250,
    overlap_tokens: int = 30,
    max_file_mb: int = 50,
    progress: Progress | None = None,
    workers: int = 0,
    batch_passages: int = 0,
    limits: dict[str, int] | None = None,
    formats: FormatOptions | None = None,
    on_progress: ProgressCallback | None = None,
) -> IngestReport:
    """Bring the index in line with ``paths`` (files or folders); return what was done.

    ``workers`` is the number of processes that parse files: 1 parses here, 0 means one per CPU
    but one (so 1 on a 2-core machine); worker processes start only when many files changed.
    ``batch_passages`` (0: the embedder's own) is how many passages each write commits;
    ``limits`` holds the input caps (see :class:`ingest.filecheck.Limits`), ``formats`` the PDF,
    OCR and LibreOffice limits.
    ``progress(done, total, key)`` is called per file, ``on_progress`` with an IngestProgress.
    """
    started = time.perf_counter()
    options = {
        "chunk_tokens": chunk_tokens,
        "overlap_tokens": overlap_tokens,
        "max_file_mb": max_file_mb,
        **(limits or {}),
        "formats": formats,
    }
    with journal.writing(store) as repaired:
        check_chunking(store, chunk_tokens, overlap_tokens)
        sources, others, folders = discover(paths, SUFFIXES, exclude=store.index_dir.resolve())
        run = Run(len(sources), progress, on_progress)
        run.report.repaired = repaired
        run.report.outcomes.extend(others)
        known = store.registry.sources()
        present = {s.key for s in sources}
        roots = {str(f) for f in folders}
        gone = [k for k, st in known.items() if st.root in roots and k not in present]
        jobs = _plan(store, sources, known, run, set(gone) if sync_removed else set())
        run.report.add_time("scan", time.perf_counter() - started)
        if jobs:
            writer = BatchWriter(
                store, run.report, run.outcome, batch_passages, tracker=run.tracker
            )
            writer.run(jobs, options, workers)
            note_duplicates(store, run.report)
        if sync_removed:
            for key in _remove_keys(store, gone):
                run.outcome(FileOutcome(key, "", "removed", "gone from disk"))
    run.tracker.finish()
    run.report.timings["total"] = time.perf_counter() - started
    _log_run(store, paths, run.report)
    return run.report


def check_chunking(store: PassageStore, chunk_tokens: int, overlap_tokens: int) -> None:
    """Record the chunking of a new index; refuse to mix another one into a filled index.

    A change of chunking, like a change of embedder, is a new generation: `submissions rebuild`.
    """
    wanted = f"{chunk_tokens}/{overlap_tokens}"
    recorded = store.registry.meta("chunking")
    if recorded is None or store.count() == 0:
        store.registry.set_meta("chunking", wanted)
        return
    if recorded != wanted:
        raise IndexMismatchError(
            f"the index in {store.index_dir} was chunked with chunk_tokens/overlap_tokens "
            f"{recorded}, not {wanted}: run `submissions rebuild` to re-chunk everything into "
            f"a new generation, or set SUBMISSIONS_CHUNK_TOKENS and SUBMISSIONS_OVERLAP_TOKENS "
            "back"
        )


def _plan(
    store: PassageStore,
    sources: Sequence[_Source],
    known: dict[str, SourceState],
    run: Run,
    vanishing: set[str],
) -> list[Job]:
    """Sort files into unchanged / duplicate / failed (reported now) and jobs to prepare.

    A file identical to a submission that this run removes (``vanishing``) is a rename: it is
    added (from the vector cache), not reported as a duplicate of what is about to go.
    """
    manifests = _Manifests()
    seen_hashes: dict[str, str] = {}
    jobs: list[Job] = []
    for source in sources:
        key, path, old = source.key, source.path, known.get(source.key)
        try:
            stat = path.stat()
            row = manifests.row(source)
            row_json = json.dumps(row, sort_keys=True, ensure_ascii=False)
            same_stat = old and (old.size, old.mtime_ns) == (stat.st_size, stat.st_mtime_ns)
            if same_stat and old.manifest_row == row_json:
                run.outcome(FileOutcome(key, str(path), "unchanged"))
                continue
            content_hash = file_hash(path)
        except (OSError, IngestError) as exc:
            run.outcome(FileOutcome(key, str(path), "failed", f"cannot read the file: {exc}"))
            continue
        state = SourceState(
            key, content_hash, str(source.root), stat.st_size, stat.st_mtime_ns, row_json
        )
        if old and old.content_hash == content_hash:
            if old.manifest_row == row_json:
                store.registry.touch(key, stat.st_size, stat.st_mtime_ns)
                run.outcome(FileOutcome(key, str(path), "unchanged"))
            else:
                jobs.append(Job(key, path, state, row, "relabel"))
            continue
        twin = seen_hashes.get(content_hash) or store.registry.key_with_hash(content_hash)
        if twin and twin != key and twin not in vanishing:
            run.outcome(FileOutcome(key, str(path), "duplicate", f"same content as {twin}"))
            continue
        seen_hashes[content_hash] = key
        jobs.append(Job(key, path, state, row, "updated" if old else "added"))
    return jobs


def add_prepared(store: PassageStore, prepared: Any, source: Path, root: Path | None = None) -> int:
    """Store an already prepared submission from ``source``; return its passage count."""
    stat = source.stat()
    key = prepared.submission.key
    state = SourceState(
        key, prepared.submission.content_hash, str(root or source.parent),
        stat.st_size, stat.st_mtime_ns, "{}",
    )  # fmt: skip
    report = IngestReport()
    with journal.writing(store):
        writer = BatchWriter(store, report, report.outcomes.append, command="upload")
        writer.pending.append((Job(key, source, state, {}, "added"), prepared))
        writer.flush()
    return report.outcomes[0].passages


def _remove_keys(store: PassageStore, keys: Sequence[str]) -> list[str]:
    """Remove submissions (registry first, then Chroma); return the keys removed."""
    registry = store.registry
    removed = []
    for key in keys:
        sub = registry.submission(key)
        if sub is None:
            continue
        ids = registry.passage_ids(key)
        journal.begin(registry, "remove", [])
        with registry.transaction():
            store.lexical.delete(list(ids.values()))
            registry.delete_submission(key)
            journal.settle(registry, [], list(ids))
        store.chroma_delete(list(ids))
        journal.end(registry)
        if registry.key_with_hash(sub.content_hash) is None:
            store.original_for_hash(sub.content_hash).unlink(missing_ok=True)
        removed.append(key)
    return removed


def remove(store: PassageStore, keys: Sequence[str]) -> IngestReport:
    """Remove submissions by key (the user's files are untouched); unknown keys fail."""
    report = IngestReport()
    with journal.writing(store) as repaired:
        report.repaired = repaired
        known = [k for k in keys if store.registry.submission(k) is not None]
        for key in _remove_keys(store, known):
            report.outcomes.append(FileOutcome(key, "", "removed"))
        for key in keys:
            if key not in known:
                report.outcomes.append(
                    FileOutcome(key, "", "failed", "not in the index (see `submissions status`)")
                )
    _log_run(store, [], report, command="remove")
    return report


def update_metadata(store: PassageStore, key: str, **changes: Any) -> Any:
    """Save edited metadata for one submission; return the updated Submission.

    The edits are kept apart from what the file says, so a later re-ingest of a changed file
    keeps them. Registry and Chroma metadata change together, under the writer lock.
    """
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValueError(f"cannot edit {', '.join(unknown)}: editable fields are {EDITABLE_FIELDS}")
    registry = store.registry
    with journal.writing(store):
        registry = store.registry  # repair may have followed a switch to a new generation
        old = registry.submission(key)
        if old is None:
            raise UnknownSubmissionError(f"{key} is not in the index (see `submissions status`)")
        journal.begin(registry, "edit", [key], journal.META)
        with registry.transaction():
            registry.set_overrides(key, changes)
            new = dataclasses.replace(old, **changes)
            registry.put_submission(new, registry.sources()[key])
        passages = store.passages_of(key)
        store.chroma_update_metadata(passages, [new] * len(passages))
        journal.end(registry)
    logger.info("metadata of %s changed: %s", key, changes)
    return new


def rebuild(
    store: PassageStore,
    *,
    chunk_tokens: int = 250,
    overlap_tokens: int = 30,
    max_file_mb: int = 50,
    progress: Progress | None = None,
    workers: int = 0,
    batch_passages: int = 0,
    limits: dict[str, int] | None = None,
    keep_generations: int = 2,
    formats: FormatOptions | None = None,
    on_progress: ProgressCallback | None = None,
) -> IngestReport:
    """Re-ingest every submission from the stored originals into a new generation, then switch.

    The live generation is read (by this process and others) until the new one passes its smoke
    check; then one rename makes the new one live, and ``store`` follows it. If a file fails, the
    new generation is dropped and the old one stays live (nothing indexed is lost). Afterwards
    only the newest ``keep_generations`` complete generations are kept (at least the live one).
    """
    from vectorstore.rebuilding import build_generation

    started = time.perf_counter()
    options = {
        "chunk_tokens": chunk_tokens,
        "overlap_tokens": overlap_tokens,
        "max_file_mb": max_file_mb,
        **(limits or {}),
        "formats": formats,
    }
    with journal.writing(store) as repaired:
        states = store.registry.sources()
        run = Run(len(states), progress, on_progress)
        run.report.repaired = repaired
        build_generation(
            store,
            states,
            run.report,
            run.outcome,
            options,
            workers,
            batch_passages,
            tracker=run.tracker,
        )
        if run.report.ok:
            prune_generations(store, keep_generations)
    run.tracker.finish()
    run.report.timings["total"] = time.perf_counter() - started
    _log_run(store, [], run.report, command="rebuild")
    return run.report


def prune_generations(store: PassageStore, keep: int) -> list[int]:
    """Delete complete old generations beyond the newest ``keep``; return their numbers."""
    from vectorstore import generations

    old = [g for g in generations.listing(store.index_dir) if g.state == "old"]
    removed = []
    for generation in old[: max(0, len(old) - max(0, keep - 1))]:
        remove_generation(store, generation.number, locked=True)
        removed.append(generation.number)
    return removed


def remove_generation(store: PassageStore, number: int, *, locked: bool = False) -> None:
    """Delete an old generation (never the live one)."""
    from contextlib import nullcontext

    from vectorstore import generations

    with nullcontext() if locked else writer_lock(store.index_dir):
        journal.drop_generation_collection(store, number)
        generations.delete(store.index_dir, number)


def _log_run(
    store: PassageStore, paths: Sequence[Path], report: IngestReport, command: str = "ingest"
) -> None:
    """Append one JSON line describing the run to ``ingest.log.jsonl``."""
    recorded = store.recorded_embedder()
    line = {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command,
        "paths": [str(p) for p in paths],
        "embedder": recorded[0] if recorded else "",
        **report.counts(),
        "embedded": report.embedded,
        "timings_s": {k: round(v, 4) for k, v in report.timings.items()},
        "failed_files": [{"key": o.key, "reason": o.detail} for o in report.failed],
        "generation": store.generation,
        "repaired": report.repaired,
        "notes": report.notes,
    }
    with (store.index_dir / "ingest.log.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, ensure_ascii=False) + "\n")


def last_run(index_dir: Path) -> dict[str, Any] | None:
    """Return the last line of the ingest log, or None."""
    log = Path(index_dir) / "ingest.log.jsonl"
    if not log.is_file():
        return None
    lines = log.read_text(encoding="utf-8").strip().splitlines()
    return json.loads(lines[-1]) if lines else None
