"""PassageStore: the index folder (Chroma + registry + lexical + originals) behind one object.

Chroma holds the vectors and filterable scalar metadata; the registry holds the truth
(submissions, canonical documents, passages, the vector cache). Only this module turns
passages into Chroma metadata and back (lists are flattened as JSON strings here alone).
Chroma is opened on first use, so registry-only work (status, a no-change ingest) stays fast.
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ingest.types import Document, Passage, Submission
from vectorstore import generations
from vectorstore.chroma_meta import (
    SUBMISSION_FIELDS,
    chroma_where,
    open_client,
    passage_from_metadata,
    passage_metadata,
    release_client,
)
from vectorstore.embeddings import Embedder, load_embedder
from vectorstore.errors import IndexMismatchError, StoreError, UnknownSubmissionError
from vectorstore.exact import ExactVectors
from vectorstore.lexical import LexicalIndex
from vectorstore.records import hit_record
from vectorstore.registry import Registry
from vectorstore.tags import ensure_tables as ensure_tag_tables
from vectorstore.types import Filters, Hit

logger = logging.getLogger(__name__)

__all__ = [
    "SUBMISSION_FIELDS",
    "PassageStore",
    "chroma_where",
    "hit_record",
    "passage_from_metadata",
    "passage_metadata",
]


class PassageStore:
    """One index folder: retrieval and registry reads; writes go through :mod:`vectorstore.sync`.

    ``embedder`` None opens the index read-only in spirit: string queries then use the embedder
    the index was built with. ``check_embedder`` False skips the mismatch check (rebuild).
    ``generation`` pins one generation (default: the live one, followed across switches);
    ``hnsw`` sets the HNSW parameters of collections this store creates (a new generation).
    """

    def __init__(
        self,
        index_dir: Path,
        embedder: Embedder | None = None,
        *,
        collection: str = "submissions",
        chroma_url: str = "",
        check_embedder: bool = True,
        generation: int | None = None,
        hnsw: Mapping[str, int] | None = None,
    ) -> None:
        self.index_dir = Path(index_dir)
        self.hnsw = dict(hnsw or {})  # max_neighbors, ef_construction, ef_search: new collections
        self.index_dir.mkdir(parents=True, exist_ok=True)
        (self.index_dir / "originals").mkdir(exist_ok=True)
        self.base_collection = collection
        self.chroma_url = chroma_url
        self._pinned = generation is not None
        self._lock = threading.RLock()
        self._embedder = embedder
        self._client: Any = None
        self._collection: Any = None
        self._exact = ExactVectors()
        self._open(generation if generation is not None else generations.current(index_dir))
        if embedder is not None and check_embedder:
            self.check_embedder(embedder)

    def _open(self, number: int) -> None:
        """Open generation ``number``'s registry (Chroma opens on first use)."""
        self.generation = number
        self.generation_dir = generations.folder_of(self.index_dir, number)
        self.generation_dir.mkdir(parents=True, exist_ok=True)
        self.collection_name = generations.collection_of(self.base_collection, number)
        self._stamp = generations.pointer_stamp(self.index_dir)
        self.registry = Registry(self.generation_dir / "registry.sqlite")
        self.lexical = LexicalIndex(self.registry)
        ensure_tag_tables(self.registry)
        self._seen_seq = self.registry.write_seq()

    # the index changed: reopen ------------------------------------------------------------
    def refresh(self) -> bool:
        """Notice a change made by another process (or thread) and reopen what is stale.

        A new live generation (a rebuild switched) reopens the registry and Chroma; a moved
        change counter (an ingest, remove or metadata edit elsewhere) reopens the embedded Chroma
        client, whose in-memory HNSW graph would otherwise miss the new vectors. Costs a stat
        and one SQLite read when nothing changed. Returns True when something was reopened.
        Called before every search; call it after writing through another store object.
        """
        with self._lock:
            if not self._pinned and generations.pointer_stamp(self.index_dir) != self._stamp:
                number = generations.current(self.index_dir)
                if number != self.generation:
                    self._close_chroma()
                    self._open(number)
                    return True
                self._stamp = generations.pointer_stamp(self.index_dir)
            seq = self.registry.write_seq()
            if seq == self._seen_seq:
                return False
            self._seen_seq = seq
            if not self.chroma_url:
                self._close_chroma()
            return True

    def _close_chroma(self) -> None:
        """Drop the Chroma client so that the next use loads the files afresh."""
        client, self._client, self._collection = self._client, None, None
        if client is not None and not self.chroma_url:
            release_client(client, str(self.generation_dir / "chroma"))

    def _read(self, call: Callable[[], Any]) -> Any:
        """Run a Chroma read: fresh, shared-locked, retried once after a reopen on error."""
        from vectorstore.locking import chroma_guard

        with chroma_guard(self.index_dir, exclusive=False):
            self.refresh()
            with self._lock:
                try:
                    return call()
                except Exception as exc:
                    logger.warning("Chroma read failed (%s); reopening the index", exc)
                    self._close_chroma()
                    return call()

    def _write(self, call: Callable[[], Any]) -> Any:
        """Run a Chroma change under the exclusive guard, then move the change counter."""
        from vectorstore.locking import chroma_guard

        with chroma_guard(self.index_dir, exclusive=True), self._lock:
            result = call()
            self._seen_seq = self.registry.bump()
            return result

    # embedder ---------------------------------------------------------------------------
    def recorded_embedder(self) -> tuple[str, int] | None:
        """Return the (name, dim) the index was built with, or None for a new index."""
        name = self.registry.meta("embedder")
        return (name, int(self.registry.meta("embedder_dim") or 0)) if name else None

    def check_embedder(self, embedder: Embedder) -> None:
        """Raise IndexMismatchError when the index holds vectors of another embedder."""
        recorded = self.recorded_embedder()
        if recorded is None or self.registry.count() == 0:
            return
        name, dim = recorded
        if name != embedder.name or (embedder.dim and dim and embedder.dim != dim):
            raise IndexMismatchError(
                f"the index in {self.index_dir} was built with the {name!r} embedder ({dim}-d), "
                f"not {embedder.name!r}: run `submissions rebuild` to re-embed everything with "
                f"{embedder.name!r}, or set SUBMISSIONS_EMBEDDER={name.split(':')[0]} to use it"
            )

    def record_embedder(self, embedder: Embedder) -> None:
        """Write the embedder's name and dimension into the index."""
        self.registry.set_meta("embedder", embedder.name)
        self.registry.set_meta("embedder_dim", str(embedder.dim))

    @property
    def embedder(self) -> Embedder:
        """Return the embedder in use (the recorded one when none was given)."""
        if self._embedder is None:
            recorded = self.recorded_embedder()
            if recorded is None:
                raise StoreError(
                    f"the index in {self.index_dir} is empty: run `submissions ingest`"
                )
            self._embedder = load_embedder(recorded[0], dim=recorded[1])
        return self._embedder

    def embed_query(self, text: str) -> np.ndarray:
        """Return the query vector (unit length)."""
        return self.embedder.embed_query(text)

    # chroma -----------------------------------------------------------------------------
    def _chroma(self) -> Any:
        if self._client is None:
            self._client = open_client(self.generation_dir / "chroma", self.chroma_url)
        return self._client

    @property
    def collection(self) -> Any:
        """Return the Chroma collection (created with cosine space on first use)."""
        if self._collection is None:
            self._collection = self._chroma().get_or_create_collection(
                self.collection_name,
                configuration={"hnsw": {"space": "cosine", **self.hnsw}},
                embedding_function=None,
            )
        return self._collection

    def reset_collection(self) -> None:
        """Drop and recreate this generation's Chroma collection (an empty, new generation)."""

        def drop() -> None:
            client = self._chroma()
            if self.collection_name in [c.name for c in client.list_collections()]:
                client.delete_collection(self.collection_name)
            self._collection = None

        self._write(drop)

    def _batch(self) -> int:
        return max(1, min(self._chroma().get_max_batch_size(), 5000))

    def chroma_upsert(
        self, passages: Sequence[Passage], vectors: np.ndarray, submissions: Sequence[Submission]
    ) -> None:
        """Upsert passages (``submissions[i]`` owns ``passages[i]``) in client-sized batches."""
        if not passages:
            return

        def upsert() -> None:
            batch = self._batch()
            for i in range(0, len(passages), batch):
                part = range(i, min(i + batch, len(passages)))
                self.collection.upsert(
                    ids=[passages[j].id for j in part],
                    embeddings=np.asarray(vectors[i : i + batch], dtype=np.float32),
                    metadatas=[passage_metadata(passages[j], submissions[j]) for j in part],
                )

        self._write(upsert)

    def chroma_update_metadata(
        self, passages: Sequence[Passage], submissions: Sequence[Submission]
    ) -> None:
        """Rewrite the Chroma metadata of passages (a manifest-only change)."""
        if not passages:
            return

        def update() -> None:
            batch = self._batch()
            for i in range(0, len(passages), batch):
                part = range(i, min(i + batch, len(passages)))
                self.collection.update(
                    ids=[passages[j].id for j in part],
                    metadatas=[passage_metadata(passages[j], submissions[j]) for j in part],
                )

        self._write(update)

    def chroma_delete(self, ids: Sequence[str]) -> None:
        """Delete passages from Chroma (unknown ids are ignored)."""
        ids = list(ids)
        if not ids:
            return

        def delete() -> None:
            for i in range(0, len(ids), 2000):
                self.collection.delete(ids=ids[i : i + 2000])

        self._write(delete)

    # registry reads ---------------------------------------------------------------------
    def submissions(self) -> list[Submission]:
        """Return every submission, ordered by key."""
        self.refresh()
        return self.registry.submissions()

    def submission(self, key: str) -> Submission:
        """Return one submission or raise UnknownSubmissionError."""
        found = self.registry.submission(key)
        if found is None:
            raise UnknownSubmissionError(
                f"no submission {key!r} in {self.index_dir}: `submissions status` lists them"
            )
        return found

    def document(self, key: str) -> Document:
        """Return a submission's canonical document (text and blocks)."""
        found = self.registry.document(key)
        if found is None:
            raise UnknownSubmissionError(f"no document for {key!r} in {self.index_dir}")
        return found

    def original_path(self, key: str) -> Path:
        """Return the stored copy of a submission's original file."""
        return self.original_for_hash(self.submission(key).content_hash)

    def original_for_hash(self, content_hash: str) -> Path:
        """Return where the original with this content hash is (or would be) stored."""
        return self.index_dir / "originals" / f"{content_hash}.docx"

    def store_original(self, path: Path, content_hash: str) -> Path:
        """Copy an original into the index (content-addressed; the user's file is untouched)."""
        target = self.original_for_hash(content_hash)
        if not target.exists():
            partial = target.with_suffix(".part")
            shutil.copyfile(path, partial)
            partial.replace(target)
        return target

    def passages_of(self, key: str) -> list[Passage]:
        """Return a submission's passages in reading order."""
        return self.registry.passages_of(key)

    def get_passages(self, ids: Sequence[str]) -> list[Passage]:
        """Return the passages with these ids, in the order given (unknown ids are skipped)."""
        found = self.registry.get_passages(list(ids))
        return [found[i] for i in ids if i in found]

    def count(self) -> int:
        """Return the number of passages."""
        return self.registry.count()

    # retrieval --------------------------------------------------------------------------
    def dense_search(
        self, query: str | np.ndarray, k: int, filters: Filters | None = None
    ) -> list[Hit]:
        """Return up to ``k`` hits by cosine similarity (approximate HNSW order)."""
        self.refresh()
        total = self.count()
        if total == 0 or k <= 0:
            return []
        vector = self.embed_query(query) if isinstance(query, str) else np.asarray(query)
        if filters is not None and filters.theme:  # theme tags live in the registry
            return self.exact_search(vector, k, filters)
        result = self._read(
            lambda: self.collection.query(
                query_embeddings=[np.asarray(vector, dtype=np.float32)],
                n_results=min(k, total),
                where=chroma_where(filters),
                include=["distances"],
            )
        )
        ids, distances = result["ids"][0], result["distances"][0]
        found = self.registry.get_passages(ids)
        return [
            Hit(found[i], 1.0 - float(d)) for i, d in zip(ids, distances, strict=True) if i in found
        ]

    def exact_search(
        self, query: str | np.ndarray, k: int, filters: Filters | None = None
    ) -> list[Hit]:
        """Return up to ``k`` hits by exact cosine over every passage ``filters`` keep
        (reproducible, ties by passage id: :mod:`vectorstore.exact`)."""
        self.refresh()
        vector = self.embed_query(query) if isinstance(query, str) else np.asarray(query)
        key = (self.generation, self._seen_seq)
        return self._exact.search(self.registry, key, self.vectors, vector, k, filters)

    def lexical_search(self, query: str, k: int, filters: Filters | None = None) -> list[Hit]:
        """Return up to ``k`` hits by BM25 (FTS5, language-aware; higher is better)."""
        self.refresh()
        ranked = self.lexical.search(query, k, filters)
        found = self.registry.get_passages([pid for pid, _ in ranked])
        return [Hit(found[pid], score) for pid, score in ranked if pid in found]

    def lexical_scores(self, query: str, ids: Sequence[str]) -> dict[str, float]:
        """Return the BM25 score of each id (0.0 when the passage does not match)."""
        return self.lexical.scores(query, list(ids))

    def vectors(self, ids: Sequence[str]) -> np.ndarray:
        """Return the stored vectors of ``ids`` as an (n, dim) array, in order (exact)."""
        ids = list(ids)
        recorded = self.recorded_embedder()
        shas = self.registry.text_shas(ids)
        cached = self.registry.cached_vectors(recorded[0], list(shas.values())) if recorded else {}
        if all(i in shas and shas[i] in cached for i in ids):
            return np.vstack([cached[shas[i]] for i in ids]) if ids else np.zeros((0, 0))
        got = self._read(lambda: self.collection.get(ids=ids, include=["embeddings"]))
        by_id = dict(zip(got["ids"], got["embeddings"], strict=True))
        missing = [i for i in ids if i not in by_id]
        if missing:
            raise UnknownSubmissionError(f"no stored vector for passages {missing[:3]}")
        return np.vstack([np.asarray(by_id[i], dtype=np.float32) for i in ids])

    def size_bytes(self) -> int:
        """Return the size of the index folder on disk."""
        return sum(p.stat().st_size for p in self.index_dir.rglob("*") if p.is_file())

    def close(self) -> None:
        """Close the registry connection and the Chroma client."""
        with self._lock:
            self._close_chroma()
            self.registry.close()
