"""The relevance judgement: "does this passage address the question?" as a calibrated probability.

One judgement drives who (every submission judged), the answer's sentence choice and the
refusal; the themes tagger reuses it. API::

    judge = Judge(store, glossary=..., model=load_model("e5"))
    probe = judge.probe(question)                  # the question analysed once (vector, terms)
    p = judge.passages(probe, passages)            # np.ndarray of probabilities, one per passage
    s = judge.sentences(probe, passage, spans, p)  # probabilities of sentences (char spans)
    scores = judge.corpus(probe)                   # every passage of the index, judged

Features are computed from what the store already holds, so judging every passage costs one
dot product and a few set look-ups per passage (no extra model work at query time or at ingest):

- ``cosine``: the stored e5 (or WordLlama) passage vector against the query vector;
- ``cosine_z``: the same cosine standardised over every passage of the index for this query
  (how far the passage stands out from the corpus);
- ``cosine_gap``: the cosine minus the best cosine in the index (0 for the closest passage);
- ``coverage``: the share of the question's content words the passage holds, weighted by idf
  over the index (stems in en/fr/es; a word inside a glossary term also meets the term's
  equivalents in the passage's language, in the share of the equivalent's words it holds);
- ``substance``: the share of running text (headings, contents lines and bare links score low);
- ``heading_coverage``: the same word coverage, of the passage's headings;
- ``context``: the best cosine gap of the passage's neighbours in its document;
- ``doc_gap``: the best cosine gap of any passage of the same submission;
- ``fused``: the hybrid retrieval's fused score (dense, BM25, glossary), over the best
  candidate's, for the passages it found (0 for the others).

The weights are a logistic regression fitted by ``benchmarks/tune.py`` with cross-validation
grouped by question, written to ``assistant/data/fitted.json`` and loaded here; the features
kept are those an ablation showed to help (docs/benchmarks.md, "Relevance judgement").
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.answering.corpus import (
    Snapshot,
    _held,
    _logit,
    build_snapshot,
    coverage,
    read_index,
    unseen_names,
)
from assistant.answering.quantities import counted, quantity_missing
from assistant.config import RelevanceSettings
from assistant.errors import ConfigError
from assistant.query.kinds import question_kind
from assistant.query.question import Query
from assistant.query.terms import Terms, query_language, question_terms
from assistant.retrieval.glossary import Glossary
from ingest.analysis import terms
from ingest.types import Passage, Submission

logger = logging.getLogger(__name__)

MODEL_FILE = Path(__file__).resolve().parents[1] / "data" / "relevance.json"
FEATURES = (
    "cosine",
    "cosine_z",
    "cosine_gap",
    "cosine_lz",
    "cosine_lgap",
    "coverage",
    "substance",
    "heading_coverage",
    "context",
    "doc_gap",
    "fused",
)
SENTENCE_FEATURES = ("passage", "coverage", "position", "short")
QUESTION_FEATURES = ("top", "second", "unseen", "unseen_names", "quantity_missing")


class JudgedStore(Protocol):
    """What the judgement reads from a PassageStore."""

    def submissions(self) -> list[Submission]: ...
    def passages_of(self, key: str) -> list[Passage]: ...
    def vectors(self, ids: Sequence[str]) -> np.ndarray: ...
    def embed_query(self, text: str) -> np.ndarray: ...


@dataclass(frozen=True, slots=True)
class Logistic:
    """A fitted logistic regression on standardised features."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def probability(self, columns: dict[str, np.ndarray]) -> np.ndarray:
        """Return P(addresses) for the rows of ``columns`` (one array per feature name)."""
        z = np.full(len(next(iter(columns.values()))), self.intercept, dtype=np.float64)
        for name, m, s, c in zip(self.features, self.mean, self.scale, self.coef, strict=True):
            z += c * (np.asarray(columns[name], dtype=np.float64) - m) / s
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    @classmethod
    def from_json(cls, data: dict) -> Logistic:
        lists = (tuple(data[k]) for k in ("features", "mean", "scale", "coef"))
        return cls(*lists, float(data["intercept"]))

    def to_json(self) -> dict:
        return {
            "features": list(self.features),
            "mean": [round(x, 6) for x in self.mean],
            "scale": [round(x, 6) for x in self.scale],
            "coef": [round(x, 6) for x in self.coef],
            "intercept": round(self.intercept, 6),
        }


@dataclass(frozen=True, slots=True)
class Model:
    """The fitted judgement of one embedder: passage and sentence models and the thresholds."""

    passage: Logistic
    sentence: Logistic | None
    question: Logistic | None  # P(the submissions answer the question at all)
    who_threshold: float  # a submission addresses X when its strength is this or more
    answer_threshold: float  # answer (not refuse) when the question model scores this or more
    sentence_threshold: float  # a sentence is quoted when it scores this or more
    embedder: str = "e5"
    submission: Logistic | None = None  # strength: P(submission addresses X | best passage)
    quoted_passages: int = 3  # an answer quotes the best N judged passages in scope
    quoted_ratio: float = 0.0  # ... each after the first at least this x the best's probability


@dataclass(frozen=True, slots=True)
class Probe:
    """A question analysed once for judging: its vector and its content words."""

    text: str
    vector: np.ndarray
    terms: Terms
    fused: Mapping[str, float] = field(default_factory=dict)  # retrieval's fused score, 0..1
    # indexes of the words naming what the question counts ("How many complaints …"), or None
    # when it asks for no quantity (a "How many States …" question counts submitters: None)
    counted: tuple[int, ...] | None = None
    # the index as it stood when the question was analysed: every judgement of this question
    # reads it, so a writer committing mid-question cannot shift the rows under it
    snapshot: Snapshot | None = None


def load_model(embedder: str = "e5", settings: RelevanceSettings | None = None) -> Model:
    """Return the fitted model of ``embedder``'s family ("e5", "fast"; e5's when absent)."""
    settings = settings or RelevanceSettings()
    path = Path(settings.model_file).expanduser() if settings.model_file else MODEL_FILE
    try:
        data = _read(str(path))
        family = embedder.split(":")[0]
        entry = data["embedders"].get(family) or data["embedders"]["e5"]
        passage = Logistic.from_json(entry["passage"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"cannot read the relevance model {path}: {exc}; run benchmarks/tune.py, or leave "
            "SUBMISSIONS_RELEVANCE_MODEL_FILE empty for the bundled model"
        ) from exc
    who, answer, sentence = settings.thresholds(family)
    optional = {
        name: Logistic.from_json(entry[name]) if entry.get(name) else None
        for name in ("sentence", "question", "submission")
    }
    return Model(
        passage=passage,
        sentence=optional["sentence"],
        question=optional["question"],
        who_threshold=who,
        answer_threshold=answer,
        sentence_threshold=sentence,
        embedder=family,
        submission=optional["submission"],
        quoted_passages=settings.quoted_passages(family),
        quoted_ratio=settings.quoted_ratio(family),
    )


@cache
def _read(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


class Judge:
    """Judges passages and sentences against a question with the fitted model."""

    def __init__(
        self, store: JudgedStore, *, model: Model, glossary: Glossary | None = None
    ) -> None:
        self.store = store
        self.model = model
        self.glossary = glossary
        self._snapshot: Snapshot | None = None
        self._state: tuple = ()

    # the index, analysed once ----------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """Return the analysed passages of the index (rebuilt when a submission changes)."""
        state = tuple((s.key, s.content_hash) for s in self.store.submissions())
        if self._snapshot is None or state != self._state:
            subs, passages, vectors = read_index(self.store)
            self._snapshot = build_snapshot(subs, passages, vectors)
            self._state = tuple((s.key, s.content_hash) for s in subs)
        return self._snapshot

    def probe(
        self,
        question: Query | str,
        vector: np.ndarray | None = None,
        fused: Mapping[str, float] | None = None,
    ) -> Probe:
        """Return the question analysed for judging (``vector``: its query vector, if known).

        A Query is judged on its topic (the question without the words that named its group
        or scopes, which the filters already carry) and reuses its analysed terms.
        """
        if isinstance(question, Query):
            text, kind = question.topic or question.resolved, question.kind
            found = (
                question.terms
                if text == question.resolved
                else question_terms(text, question.language, self.glossary)
            )
        else:
            text, kind = question, question_kind(question)
            found = question_terms(text, query_language(text), self.glossary)
        vec = np.asarray(self.store.embed_query(text) if vector is None else vector, np.float32)
        words = counted(text, found) if kind != "who" else None
        return Probe(text, vec, found, dict(fused or {}), words, self.snapshot())

    def snapshot_of(self, probe: Probe) -> Snapshot:
        """Return the snapshot ``probe`` was analysed against (the current one if none)."""
        return probe.snapshot if probe.snapshot is not None else self.snapshot()

    # judging ---------------------------------------------------------------------------
    def features(self, probe: Probe, rows: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Return the feature columns of the snapshot rows ``rows`` (all passages if None)."""
        snap = self.snapshot_of(probe)
        if snap.size == 0:
            return {name: np.zeros(0) for name in FEATURES}
        cos_all = snap.vectors @ probe.vector
        mean, std, best = float(cos_all.mean()), float(cos_all.std()) or 1.0, float(cos_all.max())
        cover_all = coverage(probe.terms, snap)
        lz, lgap = np.zeros(snap.size), np.zeros(snap.size)
        for language in np.unique(snap.languages):
            same = snap.languages == language
            part = cos_all[same]
            lz[same] = (part - part.mean()) / (float(part.std()) or 1.0)
            lgap[same] = part - part.max()
        gap_all = cos_all - best
        padded = np.append(gap_all, gap_all.min())  # row -1: no neighbour
        context = np.maximum(padded[snap.neighbours[:, 0]], padded[snap.neighbours[:, 1]])
        doc_best = np.full(int(snap.documents.max()) + 1, -np.inf)
        np.maximum.at(doc_best, snap.documents, gap_all)
        fused = np.zeros(snap.size)
        for pid, value in probe.fused.items():
            row = snap.index.get(pid)
            if row is not None:
                fused[row] = value
        rows = np.arange(snap.size) if rows is None else rows
        cos = cos_all[rows]
        return {
            "fused": fused[rows],
            "heading_coverage": coverage(probe.terms, snap, snap.heading_postings)[rows],
            "context": context[rows],
            "doc_gap": doc_best[snap.documents][rows],
            "cosine": cos,
            "cosine_z": (cos - mean) / std,
            "cosine_gap": cos - best,
            "cosine_lz": lz[rows],
            "cosine_lgap": lgap[rows],
            "coverage": cover_all[rows],
            "substance": snap.substance[rows],
        }

    def question_features(
        self,
        probe: Probe,
        probs: np.ndarray,
        keys: Sequence[str],
        rows: Sequence[int] | None = None,
    ) -> dict[str, np.ndarray]:
        """Return the refusal features of a question given its passages' probabilities.

        ``top``/``second``: log-odds of the best passage of the best and second-best
        submission; ``unseen``: the idf-free share of the question's words found nowhere in
        the index; ``unseen_names``: names and years of the question found nowhere (words
        and submission metadata; a word of four letters or more that starts the name counts,
        so "Peruvian" meets "Peru"); ``quantity_missing``: it asks for a quantity that none of the
        passages an answer quotes (best of ``rows``, the rows of ``probs``) states (quantities.py).
        """
        best: dict[str, float] = {}
        for key, p in zip(keys, probs, strict=True):
            best[key] = max(best.get(key, 0.0), float(p))
        ranked = [*sorted(best.values(), reverse=True), 0.0, 0.0]
        snap = self.snapshot_of(probe)
        bridges = probe.terms.bridges or ({},) * len(probe.terms.words)
        held = [
            _held(group, bridge, snap)
            for group, bridge in zip(probe.terms.groups(), bridges, strict=True)
        ]
        unseen = sum(not h for h in held) / len(held) if held else 0.0
        asked = probe.counted if rows is not None else None  # without rows: not judged
        quoted = (
            [] if asked is None else np.argsort(-probs, kind="stable")[: self.model.quoted_passages]
        )
        texts = ((snap.passages[rows[i]].text, str(snap.languages[rows[i]])) for i in quoted)
        return {
            "top": np.array([_logit(ranked[0])]),
            "second": np.array([_logit(ranked[1])]),
            "unseen": np.array([unseen]),
            "unseen_names": np.array([float(len(unseen_names(probe.text, snap)))]),
            "quantity_missing": np.array([quantity_missing(probe.terms, asked, texts)]),
        }

    def answerable(
        self,
        probe: Probe,
        probs: np.ndarray,
        keys: Sequence[str],
        rows: Sequence[int] | None = None,
    ) -> float:
        """Return the probability that the submissions answer the question at all (``rows``: the
        snapshot rows of ``probs``)."""
        columns = self.question_features(probe, probs, keys, rows)
        if self.model.question is None:
            return float(probs.max()) if probs.size else 0.0
        return float(self.model.question.probability(columns)[0])

    def strength(self, best: np.ndarray) -> np.ndarray:
        """Return each submission's strength from the probability of its best passage."""
        best = np.asarray(best, dtype=np.float64)
        if self.model.submission is None or best.size == 0:
            return best
        logits = np.log(np.clip(best, 1e-6, 1 - 1e-6) / np.clip(1 - best, 1e-6, 1))
        return self.model.submission.probability({"best": logits})

    def corpus(self, probe: Probe) -> np.ndarray:
        """Return the probability of every passage of the snapshot, in snapshot order."""
        return self.model.passage.probability(self.features(probe))

    def passages(self, probe: Probe, passages: Sequence[Passage]) -> np.ndarray:
        """Return the probability that each of ``passages`` addresses the question."""
        snap = self.snapshot_of(probe)
        rows = np.array([snap.index.get(p.id, -1) for p in passages], dtype=np.int64)
        out = np.zeros(len(passages))
        known = rows >= 0
        if known.any():
            out[known] = self.model.passage.probability(self.features(probe, rows[known]))
        return out

    def sentences(
        self,
        probe: Probe,
        passage: Passage,
        spans: Sequence[tuple[int, int]],
        passage_probability: float,
    ) -> np.ndarray:
        """Return the probability that each sentence (span in ``passage.text``) answers."""
        if not spans:
            return np.zeros(0)
        columns = sentence_features(probe, passage, spans, passage_probability)
        if self.model.sentence is None:
            return columns["passage"] * (0.5 + 0.5 * columns["coverage"])
        return self.model.sentence.probability(columns)


def sentence_features(
    probe: Probe, passage: Passage, spans: Sequence[tuple[int, int]], passage_probability: float
) -> dict[str, np.ndarray]:
    """Return the sentence feature columns: the passage's probability, word coverage, place."""
    language = passage.language or "en"
    cover, position, short = [], [], []
    for i, (s, e) in enumerate(spans):
        stems = set(terms(passage.text[s:e], language))
        cover.append(probe.terms.coverage(stems, language))
        position.append(i / max(len(spans) - 1, 1))
        short.append(1.0 if e - s < 50 else 0.0)
    n = len(spans)
    return {
        "passage": np.full(n, passage_probability),
        "coverage": np.array(cover),
        "position": np.array(position),
        "short": np.array(short),
    }
