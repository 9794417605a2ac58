"""Fusion of the dense and lexical rankings, and the substance weight of a passage.

Weighted reciprocal-rank fusion ("rrf") or a weighted sum of min-max normalised scores
("score"), chosen by measurement (docs/benchmarks.md). A passage with little running text (a
bare heading, a table of contents, a footnote that is only links) has its fused score scaled
down by :func:`substance`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np

from assistant.config import RetrievalSettings
from assistant.errors import UnknownModeError
from ingest.types import Passage
from vectorstore.types import Hit

# How the rankings are combined: the retrieval group of the settings (one default per value).
Fusion = RetrievalSettings


@dataclass(frozen=True, slots=True)
class Scored:
    """A candidate with every signal the answerer and the refusal check use."""

    passage: Passage
    score: float  # the fused score (or the single retriever's score)
    cosine: float = 0.0  # exact cosine between the query and the passage vector
    bm25: float = 0.0  # exact BM25 of the passage for the query (0 when no term matches)
    dense_rank: int = 0  # 1-based rank by exact cosine among the candidates (0 = absent)
    lexical_rank: int = 0  # 1-based rank by BM25 among the candidates (0 = no match)
    cross_rank: int = 0  # 1-based rank in its language's glossary-translated list (0 = absent)
    cross_score: float = 0.0  # BM25 of the passage for the translated terms

    def hit(self) -> Hit:
        """Return the plain Hit (passage and fused score)."""
        return Hit(self.passage, self.score)


def fuse(pool: list[Scored], fusion: RetrievalSettings) -> list[Scored]:
    """Return ``pool`` ordered by the fused score (stored in ``score``), best first."""
    if not pool:
        return []
    if fusion.method == "rrf":

        def rrf(rank: int, weight: float) -> float:
            return weight / (fusion.rrf_k + rank) if rank else 0.0

        scores = [
            rrf(s.dense_rank, fusion.dense_weight)
            + rrf(s.lexical_rank, fusion.lexical_weight)
            + rrf(s.cross_rank, fusion.cross_weight)
            for s in pool
        ]
    elif fusion.method == "score":
        cos = _minmax([s.cosine for s in pool])
        lex = _minmax([s.bm25 for s in pool])
        crs = _minmax([s.cross_score for s in pool])
        scores = [
            fusion.dense_weight * c + fusion.lexical_weight * b + fusion.cross_weight * x
            for c, b, x in zip(cos, lex, crs, strict=True)
        ]
    else:
        raise UnknownModeError(f"unknown fusion {fusion.method!r}: use rrf or score")
    floor = fusion.substance_floor
    if floor < 1.0:
        scores = [
            v * (floor + (1.0 - floor) * substance(s.passage, fusion.running_line_words))
            for s, v in zip(pool, scores, strict=True)
        ]
    fused = [replace(s, score=float(v)) for s, v in zip(pool, scores, strict=True)]
    return sorted(fused, key=lambda s: (-s.score, -s.cosine))


_URL = re.compile(r"(?:https?://|www\.)\S+")
_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")
_LINE_END = frozenset(".;:,!?")


def substance(passage: Passage, running_line_words: int | None = None) -> float:
    """Return the share (0..1) of a passage's characters that sit in running-text lines.

    A line counts when it ends like a sentence or list item ("(a) warning;"), or has at least
    ``running_line_words`` words (``Settings.retrieval``) and is not in capitals. Headings,
    table-of-contents lines and bare links do not. Table rows count in full: their cells are
    short by nature.
    """
    if running_line_words is None:
        running_line_words = RetrievalSettings().running_line_words
    if passage.kind == "table_row":
        return 1.0
    total = 0
    running = 0
    for line in passage.text.split("\n"):
        line = line.strip()
        if not line:
            continue
        total += len(line)
        bare = _URL.sub(" ", line).strip()
        letters = [c for c in bare if c.isalpha()]
        shouted = len(letters) >= 12 and sum(c.isupper() for c in letters) > 0.6 * len(letters)
        sentence_end = bool(bare) and bare[-1] in _LINE_END
        if sentence_end or (len(_LETTER_WORD.findall(bare)) >= running_line_words and not shouted):
            running += len(line)
    return running / total if total else 0.0


def ranks(ids: list[str], values: np.ndarray, *, positive_only: bool = False) -> list[int]:
    order = sorted(range(len(ids)), key=lambda i: -values[i])
    ranks = [0] * len(ids)
    for r, i in enumerate(order, start=1):
        if not positive_only or values[i] > 0:
            ranks[i] = r
    return ranks


def _minmax(values: Iterable[float]) -> list[float]:
    vals = list(values)
    lo, hi = min(vals), max(vals)
    if hi - lo <= 1e-12:
        return [1.0 if hi > 0 else 0.0 for _ in vals]
    return [(v - lo) / (hi - lo) for v in vals]
