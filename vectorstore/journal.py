"""The commit protocol of a write, and the repair every writer runs first.

Chroma and the registry cannot change in one transaction, so every write follows one order, and
the registry keeps a journal of the Chroma ids a write is about to touch:

1. registry transaction: journal the ids to add (op ``add``) and mark the write in progress;
2. Chroma upsert of those ids;
3. registry transaction: submissions, documents, passages and lexical rows change together,
   the ``add`` rows leave the journal, the ids that became stale are journalled (op ``drop``);
4. Chroma delete of the stale ids;
5. registry transaction: the journal is emptied, the write marker cleared.

Metadata-only changes journal the keys (op ``meta``) before the Chroma update. A kill at any
point leaves the registry complete (step 3 is one transaction), so a submission is always either
fully old, fully new or absent. What it can leave behind is in the journal, and
:func:`repair` settles it: an ``add`` id the registry does not know is an orphan vector and is
deleted (the write is rolled back); an ``add`` id it knows gets its vector and metadata
re-upserted from the registry; a ``drop`` id is deleted (the write is finished); a ``meta`` key
gets its Chroma metadata rewritten. Repair also removes half-built generations and ``.part``
copies of originals. Readers never repair: ``status`` only reports (see :func:`describe`).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from vectorstore import generations
from vectorstore.locking import writer_lock

if TYPE_CHECKING:
    from vectorstore.registry import Registry
    from vectorstore.store import PassageStore

logger = logging.getLogger(__name__)

ADD, DROP, META = "add", "drop", "meta"
WRITE_STATE = "write_in_progress"
LAST_REPAIR = "last_repair"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def begin(registry: Registry, command: str, ids: Sequence[str], op: str = ADD) -> None:
    """Step 1: journal ``ids`` and mark a write in progress, in one transaction."""
    with registry.transaction() as conn:
        conn.executemany(
            "INSERT OR IGNORE INTO journal (id, op) VALUES (?, ?)", [(i, op) for i in ids]
        )
        state = {"command": command, "pid": os.getpid(), "started": _now()}
        conn.execute(
            "INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)",
            (WRITE_STATE, json.dumps(state)),
        )


def settle(registry: Registry, added: Sequence[str], dropped: Sequence[str]) -> None:
    """Inside step 3's transaction: the added ids are now in the registry; journal the stale."""
    conn = registry.conn
    conn.executemany("DELETE FROM journal WHERE id = ? AND op = ?", [(i, ADD) for i in added])
    conn.executemany(
        "INSERT OR IGNORE INTO journal (id, op) VALUES (?, ?)", [(i, DROP) for i in dropped]
    )


def end(registry: Registry) -> None:
    """Step 5: the write is complete; empty the journal and clear the marker."""
    with registry.transaction() as conn:
        conn.execute("DELETE FROM journal")
        conn.execute("DELETE FROM meta WHERE name = ?", (WRITE_STATE,))


def pending(registry: Registry) -> list[tuple[str, str]]:
    """Return the journal's (id, op) rows."""
    try:
        return registry.query("SELECT id, op FROM journal ORDER BY op, id")
    except Exception:  # an index written before the journal existed
        return []


def write_state(registry: Registry) -> dict[str, Any] | None:
    """Return the marker of a write in progress (or of one that was killed), or None."""
    raw = registry.meta(WRITE_STATE)
    return json.loads(raw) if raw else None


def repair(store: PassageStore) -> dict[str, Any]:
    """Settle what a killed writer left; return what was done (also kept in the registry).

    The caller holds the writer lock. Cheap when there is nothing to do: one journal read and a
    listing of the generations folder.
    """
    registry = store.registry
    rows = pending(registry)
    state = write_state(registry)
    done: dict[str, Any] = {"time": _now(), "orphans_removed": 0, "stale_removed": 0}
    done.update({"rewritten": 0, "metadata_fixed": 0, "abandoned_generations": []})
    if rows:
        added = [i for i, op in rows if op == ADD]
        known = set(registry.get_passages(added)) if added else set()
        orphans = [i for i in added if i not in known]
        redo = [i for i in added if i in known]
        stale = [i for i, op in rows if op == DROP]
        meta_keys = [i for i, op in rows if op == META]
        if orphans or stale:
            store.chroma_delete(orphans + stale)
        if redo:
            reupsert(store, redo)
        for key in meta_keys:
            submission = registry.submission(key)
            if submission is not None:
                passages = store.passages_of(key)
                store.chroma_update_metadata(passages, [submission] * len(passages))
        done.update(orphans_removed=len(orphans), stale_removed=len(stale), rewritten=len(redo))
        done["metadata_fixed"] = len(meta_keys)
    done["abandoned_generations"] = _remove_abandoned(store)
    _remove_partial_originals(store)
    if rows or state or done["abandoned_generations"]:
        done["interrupted"] = state or {}
        end(registry)
        registry.set_meta(LAST_REPAIR, json.dumps(done))
        logger.warning("repaired what an interrupted write left: %s", done)
    return done


def reupsert(store: PassageStore, ids: Sequence[str]) -> None:
    """Write the registry's vector and metadata of passages back to Chroma (repair)."""
    passages = store.get_passages(ids)
    recorded = store.recorded_embedder()
    if not passages or recorded is None:
        return
    shas = store.registry.text_shas([p.id for p in passages])
    cached = store.registry.cached_vectors(recorded[0], list(shas.values()))
    keep = [p for p in passages if shas.get(p.id) in cached]
    if len(keep) < len(passages):
        logger.warning("%d passages have no cached vector", len(passages) - len(keep))
    if not keep:
        return
    vectors = np.vstack([cached[shas[p.id]] for p in keep])
    owners = [store.registry.submission(p.submission_key) for p in keep]
    pairs = [(p, v, o) for p, v, o in zip(keep, vectors, owners, strict=True) if o]
    store.chroma_upsert(
        [p for p, _, _ in pairs], np.vstack([v for _, v, _ in pairs]), [o for _, _, o in pairs]
    )


def drop_generation_collection(store: PassageStore, number: int) -> None:
    """Delete generation ``number``'s collection on a Chroma server (its folder holds none)."""
    if not store.chroma_url or number == store.generation:
        return
    name = generations.collection_of(store.base_collection, number)
    client = store._chroma()
    if name in [c.name for c in client.list_collections()]:
        client.delete_collection(name)


def chroma_ids(store: PassageStore) -> set[str]:
    """Return every id in the live generation's Chroma collection (a full consistency check)."""
    found: set[str] = set()
    offset, page = 0, 20000
    while True:
        got = store._read(lambda o=offset: store.collection.get(include=[], limit=page, offset=o))
        found.update(got["ids"])
        if len(got["ids"]) < page:
            return found
        offset += page


def _remove_abandoned(store: PassageStore) -> list[int]:
    """Delete generations whose rebuild never finished (a kill before the switch)."""
    removed = []
    for generation in generations.listing(store.index_dir):
        # The caller holds the writer lock, so no other process can be building one.
        if generation.state in ("abandoned", "building"):
            drop_generation_collection(store, generation.number)
            shutil.rmtree(generation.folder, ignore_errors=True)
            removed.append(generation.number)
    return removed


def _remove_partial_originals(store: PassageStore) -> None:
    for partial in (store.index_dir / "originals").glob("*.part"):
        partial.unlink(missing_ok=True)


def describe(store: PassageStore) -> dict[str, Any]:
    """Return, without locking or repairing, any write in progress and the last repair."""
    registry = store.registry
    state = write_state(registry)
    if state is not None:
        alive = generations.pid_alive(int(state.get("pid", 0)))
        state = {**state, "running": alive, "journalled_ids": len(pending(registry))}
    building = [
        {"generation": g.number, "running": generations.builder_alive(g.folder)}
        for g in generations.listing(store.index_dir)
        if g.state in ("building", "abandoned")
    ]
    raw = registry.meta(LAST_REPAIR)
    return {
        "write_in_progress": state,
        "rebuild_in_progress": building,
        "last_repair": json.loads(raw) if raw else None,
    }


@contextmanager
def writing(store: PassageStore) -> Iterator[dict[str, Any]]:
    """Hold the writer lock, catch up with other writers, repair; yield what repair did.

    Every writer goes through here: the CLI's ingest, remove and rebuild, and the app's upload,
    metadata edits, removal and rebuild.
    """
    with writer_lock(store.index_dir):
        store.refresh()  # another process may have written since this store was opened
        yield repair(store)
