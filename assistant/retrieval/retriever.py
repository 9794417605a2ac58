"""Hybrid retrieval: dense + lexical candidates, exact re-scoring, weighted fusion, diversity.

1. Candidates: the store's dense (Chroma HNSW) and lexical (FTS5 BM25) searches, ``candidates``
   each, with the metadata filters applied by the store.
   A third list reaches passages in other languages: the question's terms found in the domain
   glossary (:mod:`assistant.retrieval.glossary`), searched lexically in each other language's
   passages.
2. Exact re-scoring of the union: the true cosine from the stored vectors and the true BM25 of
   every candidate, so the approximate HNSW order never decides the ranking.
3. Fusion, chosen by measurement (docs/benchmarks.md): weighted reciprocal-rank fusion ("rrf")
   or a weighted sum of min-max normalised scores ("score"). The dense side weighs more because
   the lexical side is weak across languages (an English question, a French passage).
4. Substance: a passage with little running text (a bare heading, a table of contents, a
   footnote that is only links) has its fused score scaled down by :func:`substance`. Such
   passages are often close to a question in meaning yet never answer it.
5. Diversity: at most ``per_submitter_cap`` passages per submitter (name + type) in the top k,
   backfilled from the rest when fewer submitters match.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.config import RetrievalSettings
from assistant.errors import UnknownModeError
from assistant.protocols import SearchableStore
from assistant.retrieval.diversity import diversify, reserve_new, submitter_key
from assistant.retrieval.fusion import Scored, fuse, ranks
from assistant.retrieval.glossary import Concept, Glossary
from ingest.metadata import detect_language
from ingest.types import Passage, Submission
from vectorstore.types import Filters, Hit

if TYPE_CHECKING:
    from assistant.query.question import Query

logger = logging.getLogger(__name__)

MODES = ("hybrid", "dense", "bm25")


@dataclass
class Retrieval:
    """The ranked result of one search, with the candidate pool kept for diagnostics."""

    ranked: list[Scored]
    pool: list[Scored] = field(default_factory=list)
    submitters: dict[str, Submission] = field(default_factory=dict)

    def hits(self) -> list[Hit]:
        """Return the ranked passages as Hits."""
        return [s.hit() for s in self.ranked]


class Retriever:
    """Dense, lexical or hybrid search over a PassageStore."""

    def __init__(
        self,
        store: SearchableStore,
        *,
        per_submitter_cap: int | None = None,
        fusion: RetrievalSettings | None = None,
        glossary: Glossary | None = None,
    ) -> None:
        self.store = store
        self.fusion = fusion or RetrievalSettings()
        self.per_submitter_cap = (
            self.fusion.per_submitter_cap if per_submitter_cap is None else per_submitter_cap
        )
        self.glossary = glossary
        self._qcache: dict[str, np.ndarray] = {}

    def retrieve(
        self, query: Query, *, k: int = 10, mode: str = "hybrid", use_scopes: bool = True
    ) -> Retrieval:
        """Return the passages for an analysed question: its filters, scopes and concepts."""
        if mode != "hybrid" or not use_scopes or not query.scopes:
            return self.search(
                query.resolved,
                k=k,
                filters=query.filters,
                mode=mode,
                language=query.language,
                concepts=query.concepts,
            )
        return self.search_scoped(
            query.resolved,
            query.scope_filters,
            k=k,
            filters=query.filters,
            topic=query.topic,
            language=query.language,
            concepts=query.concepts,
        )

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        filters: Filters | None = None,
        mode: str = "hybrid",
        cap: int | None = None,
        language: str | None = None,
        concepts: Sequence[Concept] | None = None,
    ) -> Retrieval:
        """Return the top ``k`` passages for ``query``; ``cap`` overrides the per-submitter cap.

        ``language`` and ``concepts`` come from the analysed question (detected from ``query``
        when not given, for callers that search plain text).
        """
        if mode not in MODES:
            allowed = ", ".join(MODES)
            raise UnknownModeError(f"unknown retrieval mode {mode!r}: use one of {allowed}")
        filters = filters if filters and not filters.is_empty() else None
        subs = {s.key: s for s in self.store.submissions()}
        n = max(self.fusion.candidates, k * self.fusion.candidates_per_k)
        qvec = None if mode == "bm25" else self.query_vector(query)
        dense = [] if qvec is None else self._dense(qvec, n, filters)
        lexical = [] if mode == "dense" else self.store.lexical_search(query, n, filters)
        cross: list[tuple[Hit, int]] = []
        if mode == "hybrid":
            language = language or detect_language(query, default="en")
            cross = self._cross_language(query, language, n, filters, concepts)
        pool = self._rescore(query, qvec, dense, lexical, cross)
        pool = [s for s in pool if matches(filters, s.passage, subs.get(s.passage.submission_key))]
        if mode == "dense":
            ranked = sorted(pool, key=lambda s: -s.cosine)
            ranked = [replace(s, score=s.cosine) for s in ranked]
        elif mode == "bm25":
            ranked = sorted((s for s in pool if s.bm25 > 0), key=lambda s: -s.bm25)
            ranked = [replace(s, score=s.bm25) for s in ranked]
        else:
            ranked = fuse(pool, self.fusion)
        limit = self.per_submitter_cap if cap is None else cap
        if mode == "hybrid":
            who = lambda p: _submitter(subs, p)  # noqa: E731
            ranked = diversify(ranked, k, limit, who, self.fusion.decay)
            ranked = reserve_new(ranked, k, self.fusion.reserve, who)
        return Retrieval(ranked=ranked[:k], pool=pool, submitters=subs)

    def search_scoped(
        self,
        query: str,
        scopes: Sequence[Filters],
        *,
        k: int = 10,
        filters: Filters | None = None,
        topic: str | None = None,
        language: str | None = None,
        concepts: Sequence[Concept] | None = None,
    ) -> Retrieval:
        """Return a hybrid search that also searches each named scope, interleaved.

        The scoped lists take the first ``k - reserve`` slots in a round-robin, then the global
        list fills the rest, so a question about named submissions is answered from them and a
        submission it names is reached even when the global ranking misses it.
        ``topic`` is the question without the names that chose the scopes; it is what each
        scope is searched for.
        """
        known = {"language": language, "concepts": concepts}
        overall = self.search(query, k=k, filters=filters, **known)
        if not scopes:
            return overall
        lists = []
        for scope in scopes:
            merged = _intersect(filters, scope)
            if merged is not None:
                # no per-submitter cap inside a scope the question names: it asked for them
                scoped = self.search(topic or query, k=k, filters=merged, cap=0, **known)
                lists.append(scoped.ranked)
        ranked: list[Scored] = []
        seen: set[str] = set()
        head = max(k - self.fusion.reserve, 1)
        for row in itertools.zip_longest(*lists):
            for s in row:
                if s is not None and s.passage.id not in seen and len(ranked) < head:
                    seen.add(s.passage.id)
                    ranked.append(s)
        for s in overall.ranked:
            if s.passage.id not in seen and len(ranked) < k:
                seen.add(s.passage.id)
                ranked.append(s)
        pool = {s.passage.id: s for s in overall.pool}
        for s in ranked:
            pool.setdefault(s.passage.id, s)
        return Retrieval(ranked=ranked, pool=list(pool.values()), submitters=overall.submitters)

    def _dense(self, qvec: np.ndarray, n: int, filters: Filters | None) -> list[Hit]:
        """Return the dense candidates: exact up to ``fusion.exact_max`` passages, else HNSW."""
        if self.store.count() <= self.fusion.exact_max:
            return self.store.exact_search(qvec, n, filters)
        return self.store.dense_search(qvec, n, filters)

    def query_vector(self, query: str) -> np.ndarray:
        """Return the query's unit vector (the last few are cached: eval asks several modes)."""
        if query not in self._qcache:
            if len(self._qcache) > 64:
                self._qcache.clear()
            self._qcache[query] = np.asarray(self.store.embed_query(query), dtype=np.float32)
        return self._qcache[query]

    def translations(self, query: str, language: str | None = None) -> dict[str, str]:
        """Return the glossary equivalents of the query's terms, by other language."""
        if self.glossary is None or self.fusion.cross_weight <= 0:
            return {}
        return self.glossary.translate(query, language or detect_language(query, default="en"))

    def _cross_language(
        self,
        query: str,
        language: str,
        n: int,
        filters: Filters | None,
        concepts: Sequence[Concept] | None = None,
    ) -> list[tuple[Hit, int]]:
        """Return (hit, rank) from a lexical search of each language's translated terms.

        Each language's hits are ordered by how many of the question's glossary concepts they
        hold (whole terms, words adjacent), then by BM25: an article that speaks of both
        "policier" and "menottes" ranks above one that only says "policier" many times.
        """
        if self.glossary is None or self.fusion.cross_weight <= 0:
            return []
        if concepts is None:
            concepts = self.glossary.matches(query, language)
        wanted = {c.line for c in concepts}
        out: list[tuple[Hit, int]] = []
        for target, terms in self.glossary.equivalent_terms(concepts, language).items():
            scoped = _intersect(filters, Filters(language=(target,)))
            if scoped is None:
                continue
            wide = self.fusion.cross_candidates_factor * n
            hits = self.store.lexical_search(terms, wide, scoped)
            held = {
                h.passage.id: len(
                    wanted & {c.line for c in self.glossary.matches(h.passage.text, target)}
                )
                for h in hits
            }
            hits.sort(key=lambda h: (-held[h.passage.id], -h.score))
            out.extend((hit, rank) for rank, hit in enumerate(hits[:n], start=1))
        return out

    def _rescore(
        self,
        query: str,
        qvec: np.ndarray | None,
        dense: list[Hit],
        lexical: list[Hit],
        cross: Sequence[tuple[Hit, int]] = (),
    ) -> list[Scored]:
        passages: dict[str, Passage] = {}
        for hit in (*dense, *lexical, *(h for h, _ in cross)):
            passages.setdefault(hit.passage.id, hit.passage)
        crossed = {h.passage.id: (rank, h.score) for h, rank in cross}
        ids = list(passages)
        if not ids:
            return []
        qvec = self.query_vector(query) if qvec is None else qvec
        cosines = self._exact_cosines(qvec, ids, dense)
        bm25 = self._exact_bm25(query, ids, lexical)
        dense_rank = ranks(ids, cosines)
        lexical_rank = ranks(ids, bm25, positive_only=True)
        return [
            Scored(
                passage=passages[pid],
                score=0.0,
                cosine=float(cosines[i]),
                bm25=float(bm25[i]),
                dense_rank=dense_rank[i],
                lexical_rank=lexical_rank[i],
                cross_rank=crossed.get(pid, (0, 0.0))[0],
                cross_score=crossed.get(pid, (0, 0.0))[1],
            )
            for i, pid in enumerate(ids)
        ]

    def _exact_cosines(self, qvec: np.ndarray, ids: list[str], dense: list[Hit]) -> np.ndarray:
        found = _as_mapping(self.store.vectors(ids), ids)
        out = np.zeros(len(ids), dtype=np.float32)
        fallback = {h.passage.id: h.score for h in dense}
        for i, pid in enumerate(ids):
            vec = found.get(pid)
            if vec is not None:
                out[i] = float(np.dot(np.asarray(vec, dtype=np.float32), qvec))
            else:  # not cached (should not happen): keep the store's cosine, if any
                out[i] = fallback.get(pid, 0.0)
        return out

    def _exact_bm25(self, query: str, ids: list[str], lexical: list[Hit]) -> np.ndarray:
        found = _as_mapping(self.store.lexical_scores(query, ids), ids)
        known = {h.passage.id: h.score for h in lexical}
        return np.array([float(found.get(pid, known.get(pid, 0.0)) or 0.0) for pid in ids])


def matches(filters: Filters | None, passage: Passage, submission: Submission | None) -> bool:
    """Return True when the passage passes every filter (case-insensitive, "any of" per field)."""
    if filters is None or filters.is_empty():
        return True
    if submission is None:
        return False
    checks = {
        "submitter_type": submission.submitter_type,
        "country": submission.country,
        "submitter": submission.submitter,
        "language": passage.language or submission.language,
        "file": submission.file,
        "submission_key": submission.key,
    }
    for name, value in checks.items():
        allowed = getattr(filters, name)
        if allowed and (value or "").casefold() not in {a.casefold() for a in allowed}:
            return False
    return True


def in_scope(query: Query, passage: Passage, submission: Submission | None) -> bool:
    """Return True when the passage is inside the question's filters and, when the question
    names submitters, countries or documents (its scopes), inside one of them."""
    if not matches(query.filters, passage, submission):
        return False
    scopes = query.scope_filters
    return not scopes or any(matches(f, passage, submission) for f in scopes)


def _submitter(subs: Mapping[str, Submission], passage: Passage) -> str:
    return submitter_key(subs.get(passage.submission_key), passage)


def _as_mapping(result: Any, ids: list[str]) -> Mapping[str, Any]:
    """Accept a dict keyed by id, or a sequence/array aligned with ``ids``."""
    if result is None:
        return {}
    if isinstance(result, Mapping):
        return result
    return dict(zip(ids, list(result), strict=False))


def search(
    store: SearchableStore,
    query: str,
    *,
    k: int = 10,
    filters: Filters | None = None,
    mode: str = "hybrid",
    per_submitter_cap: int | None = None,
) -> list[Hit]:
    """Return the top ``k`` Hits for ``query`` (the `search` command's entry point)."""
    retriever = Retriever(store, per_submitter_cap=per_submitter_cap)
    return retriever.search(query, k=k, filters=filters, mode=mode).hits()


def _intersect(base: Filters | None, scope: Filters) -> Filters | None:
    """Return ``base`` narrowed by ``scope``; None when they exclude each other."""
    if base is None or base.is_empty():
        return scope
    values = {}
    for name in Filters.__slots__:
        a, b = getattr(base, name), getattr(scope, name)
        if a and b:
            both = tuple(x for x in a if x.casefold() in {y.casefold() for y in b})
            if not both:
                return None
            values[name] = both
        else:
            values[name] = a or b
    return Filters(**values)
