"""Judging every passage of a side against one row of a comparison (a theme or an aspect).

:class:`AspectJudge` is the seam: anything that returns, for a text and some passages, the
probability that each passage addresses the text. The comparison uses
:class:`SimilarityJudge`, fitted on the comparison questions, rather than the relevance
judgement of ``assistant/answering/relevance.py`` (which could stand here through this
seam; it has not been measured on comparisons). It works from what the store already
holds, with no model work per passage: the stored passage vector against the query vector,
standardised over the passages of the index in the same language (a French passage sits lower
for an English question; standardising over the whole index as well did not help in the
ablation); the idf-weighted share of the question's words the passage holds (stems in
en/fr/es, glossary equivalents across languages) and the same share for its best sentence;
BM25; and the share of running text (headings and contents lines score low). Its weights and
threshold are settings, fitted by ``benchmarks/fit_compare.py`` (docs/benchmarks.md,
"Compare").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from assistant.analyses.compare_settings import CompareSettings
from assistant.answering.corpus import read_index, word_held
from assistant.answering.sentences import sentence_spans
from assistant.query.terms import Terms, query_language, question_terms
from assistant.retrieval.fusion import substance
from assistant.retrieval.glossary import Glossary
from ingest.analysis import terms as content_terms
from ingest.types import Passage, Submission

FEATURES = ("cosine_lz", "coverage", "sentence_coverage", "bm25", "substance")
# The fitted values live in the settings (assistant/config.py, CompareSettings).
DEFAULT_WEIGHTS = CompareSettings().weights
DEFAULT_THRESHOLD = CompareSettings().threshold


ENGLISH_ONLY = ("fast", "wordllama")


class AspectJudge(Protocol):
    """Judges passages against a text: probabilities in [0, 1], ``threshold`` for "addressed"."""

    threshold: float

    def probabilities(self, text: str, passages: Sequence[Passage]) -> np.ndarray: ...


class JudgedStore(Protocol):
    """What the judge reads from a PassageStore."""

    def submissions(self) -> list[Submission]: ...
    def passages_of(self, key: str) -> list[Passage]: ...
    def vectors(self, ids: Sequence[str]) -> np.ndarray: ...
    def embed_query(self, text: str) -> np.ndarray: ...


@dataclass
class _Snapshot:
    passages: list[Passage]
    vectors: np.ndarray
    languages: np.ndarray
    substance: np.ndarray
    postings: dict[str, np.ndarray]
    rows: dict[str, int]


class SimilarityJudge:
    """The fallback judgement (see the module docstring); swap it for the relevance Judge."""

    def __init__(
        self,
        store: JudgedStore,
        *,
        glossary: Glossary | None = None,
        weights: Sequence[float] = DEFAULT_WEIGHTS,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> None:
        if len(weights) != len(FEATURES) + 1:
            raise ValueError(f"compare weights need {len(FEATURES) + 1} numbers: {FEATURES} + bias")
        self.store = store
        self.glossary = glossary
        self.weights = np.asarray(weights, dtype=np.float64)
        self.threshold = threshold
        # An English-only embedder (``fast``) says nothing of a French passage: standardising
        # its cosines within French would lift the least bad one, so it is standardised whole.
        name = getattr(getattr(store, "embedder", None), "name", "e5")
        self.multilingual = not str(name).startswith(ENGLISH_ONLY)
        self._snapshot: _Snapshot | None = None
        self._state: tuple = ()
        self._vectors: dict[str, np.ndarray] = {}

    def snapshot(self) -> _Snapshot:
        """Return every passage of the index with its vector and stems (rebuilt on change)."""
        state = tuple((s.key, s.content_hash) for s in self.store.submissions())
        if self._snapshot is None or state != self._state:
            subs, passages, vectors = read_index(self.store)
            state = tuple((s.key, s.content_hash) for s in subs)
            postings: dict[str, list[int]] = {}
            for i, p in enumerate(passages):
                for stem in set(content_terms(p.text, p.language or "en")):
                    postings.setdefault(stem, []).append(i)
            self._snapshot = _Snapshot(
                passages=passages,
                vectors=np.asarray(vectors, dtype=np.float32),
                languages=np.array([p.language or "en" for p in passages]),
                substance=np.array([substance(p) for p in passages]),
                postings={k: np.array(v, dtype=np.int64) for k, v in postings.items()},
                rows={p.id: i for i, p in enumerate(passages)},
            )
            self._state = state
        return self._snapshot

    def query_vector(self, text: str) -> np.ndarray:
        """Return the query vector of ``text`` (kept: rows repeat across sides)."""
        if text not in self._vectors:
            if len(self._vectors) > 256:
                self._vectors.clear()
            self._vectors[text] = np.asarray(self.store.embed_query(text), dtype=np.float32)
        return self._vectors[text]

    def features(self, text: str, passages: Sequence[Passage]) -> dict[str, np.ndarray]:
        """Return the feature columns of ``passages`` for ``text`` (see FEATURES)."""
        snap = self.snapshot()
        rows = np.array([snap.rows.get(p.id, -1) for p in passages], dtype=np.int64)
        if snap.vectors.shape[0] == 0 or (rows < 0).any():
            missing = [p.id for p, r in zip(passages, rows, strict=True) if r < 0][:3]
            raise ValueError(f"passages not in the index: {missing}")
        cos = snap.vectors @ self.query_vector(text)
        lz = (cos - cos.mean()) / (float(cos.std()) or 1.0)
        for language in np.unique(snap.languages) if self.multilingual else ():
            same = snap.languages == language
            part = cos[same]
            lz[same] = (part - part.mean()) / (float(part.std()) or 1.0)
        terms = question_terms(text, query_language(text), self.glossary)
        cover, idf = _coverage(terms, snap)
        lexical = getattr(self.store, "lexical_scores", None)
        bm25 = lexical(text, [p.id for p in passages]) if lexical else {}
        return {
            "cosine_lz": lz[rows],
            "coverage": cover[rows],
            "sentence_coverage": np.array([_best_sentence(terms, idf, p) for p in passages]),
            "bm25": np.log1p(np.array([max(bm25.get(p.id, 0.0), 0.0) for p in passages])),
            "substance": snap.substance[rows],
        }

    def probabilities(self, text: str, passages: Sequence[Passage]) -> np.ndarray:
        """Return P(passage addresses ``text``) for each of ``passages``."""
        if not passages:
            return np.zeros(0)
        columns = self.features(text, passages)
        z = np.full(len(passages), self.weights[-1])
        for w, name in zip(self.weights[:-1], FEATURES, strict=True):
            z += w * columns[name]
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def _best_sentence(terms: Terms, idf: list[float], passage: Passage) -> float:
    """Return the idf-weighted share of the question's words held by the passage's best sentence."""
    total = sum(idf)
    if not terms.words or total <= 0:
        return 0.0
    language = passage.language or "en"
    best = 0.0
    for s, e in sentence_spans(passage.text):
        covered = terms.covered(set(content_terms(passage.text[s:e], language)), language)
        best = max(best, sum(w * c for w, c in zip(idf, covered, strict=True)) / total)
    return best


def _coverage(terms: Terms, snap: _Snapshot) -> tuple[np.ndarray, list[float]]:
    """Return per passage the idf-weighted share of the question's words it holds, and the idf."""
    n = len(snap.passages)
    if not terms.words or n == 0:
        return np.zeros(n), [0.0] * len(terms.words)
    total, weight = np.zeros(n), 0.0
    idfs = []
    bridges = terms.bridges or tuple({} for _ in terms.words)
    for group, bridge in zip(terms.groups(), bridges, strict=True):
        held = word_held(group, bridge, snap.postings, snap.languages)
        idf = math.log((n + 1) / (float(held.sum()) + 0.5))
        idfs.append(idf)
        total += idf * held
        weight += idf
    return (total / weight if weight > 0 else np.zeros(n)), idfs


class ProbingJudge(Protocol):
    """The relevance judgement's shape (assistant/answering/relevance.py): probe, then judge."""

    def probe(self, question: str) -> Any: ...
    def passages(self, probe: Any, passages: Sequence[Passage]) -> np.ndarray: ...


class RelevanceAdapter:
    """An :class:`AspectJudge` over the calibrated relevance judgement (probe once per text)."""

    def __init__(self, judge: ProbingJudge, threshold: float = 0.5) -> None:
        self.judge = judge
        self.threshold = threshold
        self._probes: dict[str, Any] = {}

    def probabilities(self, text: str, passages: Sequence[Passage]) -> np.ndarray:
        """Return the judgement's probability for each passage."""
        if text not in self._probes:
            if len(self._probes) > 256:
                self._probes.clear()
            self._probes[text] = self.judge.probe(text)
        return np.asarray(self.judge.passages(self._probes[text], passages), dtype=np.float64)
