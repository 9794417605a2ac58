"""Exact dense search: every live passage's vector held in memory, scored by one product.

Chroma's HNSW graph is approximate, and in an embedded client the vectors still in Chroma's
write log are added to the graph on load by several threads, so two processes reading the same
index could return different candidates near the cut-off. Up to a size
(``RetrievalSettings.exact_max`` passages) the retriever reads its dense candidates here
instead: the same question then always gets the same candidates, and none is missed. Above it,
Chroma's graph answers (the scale-out path).

The matrix is read once from the registry's vector cache and kept until the store's change
counter or generation moves, or the registry's passage rows change (their count or last row);
ties are broken by passage id, so the order is reproducible.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np

from vectorstore.registry import Registry, filter_sql
from vectorstore.types import Filters, Hit

_LIVE = "SELECT p.id FROM passages p JOIN submissions s ON s.key = p.key WHERE {} ORDER BY p.id"


class ExactVectors:
    """The vectors of one store's passages, in passage-id order, for exact search."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._ids: list[str] = []
        self._rows: dict[str, int] = {}
        self._matrix = np.zeros((0, 0), dtype=np.float32)

    def search(
        self,
        registry: Registry,
        key: tuple[int, int],
        read_vectors: Callable[[Sequence[str]], np.ndarray],
        vector: np.ndarray,
        k: int,
        filters: Filters | None = None,
    ) -> list[Hit]:
        """Return the top ``k`` passages by exact cosine, among those ``filters`` keep.

        ``key`` (generation, change counter) says when the held matrix is stale;
        ``read_vectors`` returns the stored vectors of passage ids, in order.
        """
        ids, rows, matrix = self._current(registry, key, read_vectors)
        if filters is not None and not filters.is_empty():
            condition, params = filter_sql(filters)
            kept = (rows.get(r[0]) for r in registry.query(_LIVE.format(condition), params))
            picked = np.array([i for i in kept if i is not None], dtype=np.int64)
        else:
            picked = np.arange(len(ids))
        if picked.size == 0 or k <= 0:
            return []
        scores = matrix[picked] @ np.asarray(vector, dtype=np.float32)
        order = np.argsort(-scores, kind="stable")[:k]  # rows are in id order: ties by id
        chosen = [ids[picked[i]] for i in order]
        found = registry.get_passages(chosen)
        return [
            Hit(found[pid], float(scores[i]))
            for pid, i in zip(chosen, order, strict=True)
            if pid in found
        ]

    def _current(
        self,
        registry: Registry,
        key: tuple[int, int],
        read_vectors: Callable[[Sequence[str]], np.ndarray],
    ) -> tuple[list[str], dict[str, int], np.ndarray]:
        # the registry's rows move after Chroma's change counter (vectorstore/writer.py steps 2
        # and 3): a search between them must not keep a matrix without the new passages
        rows_now = tuple(registry.query("SELECT count(*), max(rowid) FROM passages")[0])
        key = (*key, *rows_now)
        with self._lock:
            if key != self._key:
                ids = [r[0] for r in registry.query(_LIVE.format("1"), [])]
                matrix = read_vectors(ids) if ids else np.zeros((0, 0), dtype=np.float32)
                self._ids, self._matrix, self._key = ids, np.ascontiguousarray(matrix), key
                self._rows = {pid: i for i, pid in enumerate(ids)}
            return self._ids, self._rows, self._matrix
