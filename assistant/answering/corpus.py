"""The index as the relevance judgement reads it: every passage analysed once (a Snapshot).

Vectors, substance, a stem index of passages and of their headings, neighbours, the document of
each passage and the vocabulary of the index and its metadata; and the word-level signals
computed over it (idf-weighted coverage, names found nowhere). Used by
:mod:`assistant.answering.relevance`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from assistant.config import RetrievalSettings
from assistant.query.names import aliases_of, country_of
from assistant.query.terms import Terms, question_stop_words
from assistant.retrieval.fusion import Scored, fuse, substance
from ingest.analysis import fold, terms, words
from ingest.types import Passage, Submission
from vectorstore.errors import StoreError

_NAME = re.compile(r"(?<![\w’'])(?:[A-Z][\w’'.-]+|\d{4,}\b)")
_ACRONYM = re.compile(r"(?<!\w)[A-Z]{3,}(?!\w)")  # "l’IGP" counts


class SnapshotStore(Protocol):
    """What a snapshot reads from a PassageStore."""

    def submissions(self) -> list[Submission]: ...
    def passages_of(self, key: str) -> list[Passage]: ...
    def vectors(self, ids: Sequence[str]) -> np.ndarray: ...


READ_ATTEMPTS = 3


def read_index(store: SnapshotStore) -> tuple[list[Submission], list[Passage], np.ndarray]:
    """Return the submissions, their passages and the passages' vectors as one consistent view.

    A writer in another process may remove or replace a submission between the registry read
    and the vector read; the registry is then read again (after the store reopens what is
    stale) instead of failing the question.
    """
    for attempt in range(READ_ATTEMPTS):
        subs = list(store.submissions())
        passages = [p for s in subs for p in store.passages_of(s.key)]
        try:
            vectors = store.vectors([p.id for p in passages]) if passages else np.zeros((0, 1))
        except StoreError:
            if attempt == READ_ATTEMPTS - 1:
                raise
            refresh = getattr(store, "refresh", None)
            if refresh is not None:
                refresh()
            continue
        return subs, passages, np.asarray(vectors, dtype=np.float32)
    raise AssertionError("unreachable")


@dataclass
class Snapshot:
    """Every passage of the index with its vector and analysed words, built once per content."""

    passages: list[Passage]
    vectors: np.ndarray
    substance: np.ndarray
    postings: dict[str, np.ndarray]  # stem -> indexes of passages holding it
    languages: np.ndarray  # language of each passage ("en", "fr", ...)
    index: dict[str, int] = field(default_factory=dict)  # passage id -> row
    vocabulary: frozenset[str] = frozenset()  # every folded word of the passages and metadata
    heading_postings: dict[str, np.ndarray] = field(default_factory=dict)  # stems of headings
    neighbours: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))
    documents: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # acronyms written in the passages ("IGP") -> the submissions that use them twice or more
    acronyms: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.passages)


def build_snapshot(
    subs: Sequence[Submission], passages: list[Passage], vectors: np.ndarray
) -> Snapshot:
    """Return every passage of ``subs`` (read by :func:`read_index`) analysed once."""
    postings: dict[str, list[int]] = {}
    headings: dict[str, list[int]] = {}
    vocabulary: set[str] = set()
    neighbours = np.full((len(passages), 2), -1, dtype=np.int64)
    documents = np.zeros(len(passages), dtype=np.int64)
    keys: dict[str, int] = {}
    heading_terms: dict[tuple[str, str], set[str]] = {}
    used: dict[str, dict[str, int]] = {}  # acronym -> submission key -> times written
    for i, p in enumerate(passages):
        documents[i] = keys.setdefault(p.submission_key, len(keys))
        if i > 0 and passages[i - 1].submission_key == p.submission_key:
            neighbours[i, 0], neighbours[i - 1, 1] = i - 1, i
        for stem in set(terms(p.text, p.language or "en")):
            postings.setdefault(stem, []).append(i)
        heading = (" ".join(p.heading_path), p.language or "en")  # shared by its section
        if heading not in heading_terms:
            heading_terms[heading] = set(terms(*heading))
        for stem in heading_terms[heading]:
            headings.setdefault(stem, []).append(i)
        vocabulary.update(words(p.text.replace("-", " ")))
        for token in _ACRONYM.findall(p.text):
            by_key = used.setdefault(token, {})
            by_key[p.submission_key] = by_key.get(p.submission_key, 0) + 1
    for s in subs:
        meta = f"{s.submitter} {s.country} {s.title} {s.file}".replace("_", " ")
        vocabulary.update(words(meta.replace("-", " ")))
        vocabulary.add(fold(s.country))
    return Snapshot(
        passages=passages,
        vectors=np.asarray(vectors, dtype=np.float32),
        substance=np.array([substance(p) for p in passages]),
        postings={k: np.array(v, dtype=np.int64) for k, v in postings.items()},
        languages=np.array([p.language or "en" for p in passages]),
        index={p.id: i for i, p in enumerate(passages)},
        vocabulary=frozenset(vocabulary),
        heading_postings={k: np.array(v, dtype=np.int64) for k, v in headings.items()},
        neighbours=neighbours,
        documents=documents,
        acronyms={
            token: tuple(k for k, n in by_key.items() if n >= 2)
            for token, by_key in used.items()
            if any(n >= 2 for n in by_key.values())
        },
    )


def fused_scores(pool: Sequence[Scored], fusion: RetrievalSettings) -> dict[str, float]:
    """Return each retrieval candidate's fused score over the best one (0..1) by passage id."""
    ranked = fuse(list(pool), fusion)
    best = ranked[0].score if ranked and ranked[0].score > 0 else 1.0
    return {s.passage.id: s.score / best for s in ranked}


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def _held(group: set[str], bridge: Mapping[str, Sequence[frozenset[str]]], snap: Snapshot) -> bool:
    if any(stem in snap.postings for stem in group):
        return True
    return any(stem in snap.postings for vs in bridge.values() for v in vs for stem in v)


def unseen_names(question: str, snap: Snapshot) -> list[str]:
    """Return the names and years of ``question`` (not its first word) found nowhere."""
    out = []
    for match in _NAME.finditer(question):
        if match.start() == 0:
            continue
        name = re.sub(r"[’']s$", "", match.group())
        for word in words(name.replace("-", " ")):
            if len(word) < 2 or word in question_stop_words():
                continue
            country = country_of(word)
            if country and any(a in snap.vocabulary for a in aliases_of(country)):
                continue  # "French" when France's own documents never say "French"
            shortest = min(4, len(word))
            if not any(word[:n] in snap.vocabulary for n in range(shortest, len(word) + 1)):
                out.append(word)
    return list(dict.fromkeys(out))


def coverage(
    found: Terms, snap: Snapshot, postings: dict[str, np.ndarray] | None = None
) -> np.ndarray:
    """Return, per passage, the idf-weighted share of the question's words it holds.

    ``postings``: another stem index of the same passages (their headings); idf stays the
    passages' own.
    """
    n = snap.size
    if not found.words or n == 0:
        return np.zeros(n)
    total = np.zeros(n)
    weight_sum = 0.0
    bridges = found.bridges or ({},) * len(found.words)
    for group, bridge in zip(found.groups(), bridges, strict=True):
        held = word_held(group, bridge, snap.postings, snap.languages)
        idf = math.log((n + 1) / (float(held.sum()) + 0.5))
        if postings is not None:
            held = word_held(group, bridge, postings, snap.languages)
        total += idf * held
        weight_sum += idf
    return total / weight_sum if weight_sum > 0 else np.zeros(n)


def word_held(
    group: set[str],
    bridge: Mapping[str, Sequence[frozenset[str]]],
    postings: Mapping[str, np.ndarray],
    languages: np.ndarray,
) -> np.ndarray:
    """Return how far each passage holds one question word: 1 for the word itself (any of its
    stems ``group``), else the largest share of the stems of one of its glossary equivalents
    (``bridge``: by language; see ``Terms``) a passage in that language holds."""
    held = np.zeros(len(languages))
    for language, variants in bridge.items():
        for variant in variants:
            found = [postings[stem] for stem in variant if stem in postings]
            if not found:
                continue
            rows, counts = np.unique(np.concatenate(found), return_counts=True)
            mine = languages[rows] == language
            rows, share = rows[mine], counts[mine] / len(variant)
            held[rows] = np.maximum(held[rows], share)
    for stem in group:
        rows = postings.get(stem)
        if rows is not None:
            held[rows] = 1.0
    return held
