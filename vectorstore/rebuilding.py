"""Build a new generation from the stored originals, smoke-check it, switch to it.

See :mod:`vectorstore.generations` for the layout. The new generation starts with the live one's
metadata edits and the vector cache of the embedder in use (so unchanged passages are not
embedded again), is written with the ordinary commit protocol, and is made live only when every
submission made it and the smoke check passes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import numpy as np

from vectorstore import generations
from vectorstore.errors import StoreError
from vectorstore.registry import SourceState
from vectorstore.store import PassageStore
from vectorstore.writer import BatchWriter, FileOutcome, IngestReport, Job

logger = logging.getLogger(__name__)

SMOKE_PASSAGES = 5


class SmokeCheckError(StoreError):
    """A new generation is not what it should be; the old one stays live."""


def build_generation(
    store: PassageStore,
    states: dict[str, SourceState],
    report: IngestReport,
    on_outcome: Callable[[FileOutcome], None],
    options: dict[str, int],
    workers: int,
    batch_passages: int,
) -> int | None:
    """Write every submission of ``states`` into a new generation; switch if it is sound.

    Returns the new generation's number, or None when it was not switched (the reason is in
    ``report.notes``). The caller holds the writer lock and has run the repair.
    """
    index_dir = store.index_dir
    number = generations.next_number(index_dir)
    generations.start(index_dir, number)
    target = PassageStore(
        index_dir,
        store.embedder,
        collection=store.base_collection,
        chroma_url=store.chroma_url,
        check_embedder=False,
        generation=number,
        hnsw=store.hnsw,
    )
    try:
        _seed(target, store)
        target.reset_collection()  # a server may hold a collection of that name from a kill
        target.record_embedder(store.embedder)
        target.registry.set_meta(
            "chunking", f"{options['chunk_tokens']}/{options['overlap_tokens']}"
        )
        jobs = []
        for key, state in sorted(states.items()):
            original = store.original_for_hash(state.content_hash)
            if not original.is_file():
                detail = f"the stored original {original.name} is missing: ingest the file again"
                on_outcome(FileOutcome(key, str(original), "failed", detail))
                continue
            row = json.loads(state.manifest_row or "{}")
            jobs.append(Job(key, original, state, row, "updated"))
        writer = BatchWriter(target, report, on_outcome, batch_passages, command="rebuild")
        writer.run(jobs, options, workers)
        if not report.ok:
            report.notes.append(
                f"generation {number} was not switched to because {len(report.failed)} "
                f"file(s) failed; generation {store.generation} stays live with every "
                "submission. Remove or fix those submissions, then rebuild again."
            )
            _discard(target, number)
            return None
        smoke_check(target, len(states))
        generations.finish(index_dir, number)
        generations.switch(index_dir, number)
    except BaseException:
        # A kill needs no cleanup (the next writer's repair does it); an error cleans up now.
        _discard(target, number)
        raise
    finally:
        target.close()
    report.notes.append(f"generation {number} is live (was {store.generation})")
    store.refresh()
    logger.info("rebuild switched %s to generation %d", index_dir, number)
    return number


def _discard(target: PassageStore, number: int) -> None:
    """Remove a generation that will never be live."""
    import shutil

    try:
        if target.chroma_url:
            target.reset_collection()
        target.close()
    finally:
        shutil.rmtree(generations.folder_of(target.index_dir, number), ignore_errors=True)


def _seed(target: PassageStore, live: PassageStore) -> None:
    """Copy the live generation's metadata edits and usable vector cache into the new one."""
    conn = target.registry.conn
    source = str(live.generation_dir / "registry.sqlite")
    name = live.embedder.name
    with target.registry.transaction():
        pass  # make sure the schema exists before attaching
    with target.registry._lock:
        conn.execute("ATTACH DATABASE ? AS live", (source,))
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT OR REPLACE INTO overrides SELECT key, data FROM live.overrides")
            conn.execute(
                "INSERT OR IGNORE INTO vectors SELECT embedder, text_sha, vector "
                "FROM live.vectors WHERE embedder IN (?, ?)",
                (name, f"{name}|query"),  # passage vectors and the themes' seed vectors
            )
            live_tables = {r[0] for r in conn.execute("SELECT name FROM live.sqlite_master")}
            if "theme_corrections" in live_tables:  # staff corrections of coverage cells
                conn.execute(
                    "INSERT OR REPLACE INTO theme_corrections SELECT key, theme, data "
                    "FROM live.theme_corrections"
                )
            conn.execute("COMMIT")
        finally:
            conn.execute("DETACH DATABASE live")


def smoke_check(store: PassageStore, expected_submissions: int) -> None:
    """Raise SmokeCheckError unless the generation is complete and finds its own passages."""
    submissions = store.registry.submissions()
    if len(submissions) != expected_submissions:
        raise SmokeCheckError(
            f"the new generation holds {len(submissions)} submissions, not "
            f"{expected_submissions}; the old generation stays live"
        )
    count = store.count()
    in_chroma = store._read(lambda: store.collection.count())
    if in_chroma != count:
        raise SmokeCheckError(
            f"the new generation has {count} passages but {in_chroma} vectors; the old one "
            "stays live: run `submissions rebuild` again"
        )
    for submission in submissions[:SMOKE_PASSAGES]:
        passages = store.passages_of(submission.key)
        if len(passages) != submission.passages:
            raise SmokeCheckError(
                f"{submission.key}: {len(passages)} passages stored, {submission.passages} "
                "expected; the old generation stays live"
            )
        if not passages:
            continue
        probe = passages[len(passages) // 2]
        vector = np.asarray(store.vectors([probe.id])[0], dtype=np.float32)
        hits = store.dense_search(vector, 3)
        if probe.id not in {h.passage.id for h in hits}:
            raise SmokeCheckError(
                f"the new generation does not find passage {probe.id} by its own vector; the "
                "old generation stays live"
            )


def describe_generations(store: PassageStore) -> list[dict[str, Any]]:
    """Return the generations of ``store``'s folder as JSON-ready rows."""
    return [
        {
            "generation": g.number,
            "state": g.state,
            "folder": str(g.folder),
            "size_bytes": g.size_bytes,
        }
        for g in generations.listing(store.index_dir)
    ]
