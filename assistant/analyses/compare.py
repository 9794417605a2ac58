"""Compare sides theme by theme, or aspect by aspect of a question.

``Comparer.compare(sides, aspects)`` returns a table: one row per aspect (a theme of the call, or
a part of the question), one cell per side. A cell comes from judging **every** passage of that
side against the row (not from a search): the best passage, if it reaches the judge's
threshold, gives the cell its verbatim quote (one sentence, or two of the same line when the
first is short), so ``quote == text[char_start:char_end]``; otherwise the cell is ``None``
("not addressed"). ``possible_tension`` marks rows whose cells give different comparable values
(see :mod:`assistant.analyses.tension`); it is a hint for the reader, never a finding.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

from assistant.analyses.judging import AspectJudge
from assistant.analyses.sides import Side
from assistant.analyses.tension import Tension, possible_tension
from assistant.answering.citations import build_citation
from assistant.answering.extractive import Sources
from assistant.answering.sentences import sentence_spans
from assistant.errors import ConfigError
from assistant.query.terms import query_language, question_terms
from assistant.retrieval.glossary import Glossary
from assistant.types import Citation
from ingest.analysis import fold
from ingest.analysis import terms as content_terms
from ingest.types import Passage
from vectorstore.types import Hit

SHORT_QUOTE = 80  # a best sentence shorter than this takes the next sentence of its line too
# Words that ask for a comparison; dropped from the topic (they describe no passage).
COMPARE_WORDS = (
    "compare|compared|comparing|comparison|differ|differs|different|difference|differences|"
    "contrast|versus|vs|between|both|comparez|comparer|comparaison|difference|differences|"
    "different|differents|differentes|different|differe|different|entre|compara|comparar|"
    "comparacion|diferencia|diferencias|diferencian|difieren|distinto|distintos"
)
_COMPARE = re.compile(rf"(?<!\w)(?:{COMPARE_WORDS})(?!\w)")
_DANGLING = re.compile(
    r"(?<!\w)(?:and|et|y|e|or|ou|o|vs\.?|versus|with|avec|con|between|entre|the|la|le|les|el|los|"
    r"las|of|de|du|des|del|under|in|by|from|at|sous|dans|par|bajo|por)(?!\w)(?=\s*(?:[,;:?]|$|(?:and|et|y|e|or|ou|o|on|about|in|regarding|sur|"
    r"en|sobre|as|for|pour|para|[,;:?])(?!\w)))",
    re.IGNORECASE,
)
_WH = (
    r"who|whom|what|how|which|when|where|whether|why|qui|que|quoi|comment|quel|quelle|quels|"
    r"quelles|quand|ou|pourquoi|quien|quienes|como|cual|cuales|cuando|donde|por que"
)
_ON = (
    r"on|about|regarding|concerning|as to|in terms of|over|sur|concernant|quant a|en matiere de|"
    r"a propos de|sobre|en cuanto a|respecto a|respecto de|acerca de|en materia de"
)
# The topic follows the sides: "… bills on how many …", "…: who decides …", "… differ on …".
_TOPIC_START = re.compile(
    rf"^\W*(?:[\w'-]+\W+){{0,3}}?(?:{_ON}|{_WH})(?!\w)|^[^:]{{0,20}}:",
)
_LEAD = re.compile(rf"^\W*(?:[\w'-]+\W+){{1,3}}?(?=(?:{_ON}|{_WH})(?!\w))")
_ON_START = re.compile(rf"^\W*(?:{_ON}|{_WH})(?!\w)")
_WH_START = re.compile(rf"^\W*(?:{_WH})(?!\w)")
_PART = re.compile(
    r"(?:,\s*|\s)(?:and|et|y)\s+(?=(?:who|what|how|which|when|where|whether|qui|que|quoi|"
    r"comment|quel|quelle|quels|quelles|quand|ou|quien|quienes|que|como|cual|cuales|cuando|"
    r"donde)\b)"
)


@dataclass(frozen=True, slots=True)
class Aspect:
    """A row of the table: what every side is judged against."""

    label: str  # shown as the row's name
    text: str  # what the judge reads
    theme_id: str = ""


@dataclass(frozen=True, slots=True)
class Cell:
    """One side's answer to one row: its best passage's quote, and how strongly it addresses."""

    citation: Citation
    probability: float
    runners_up: tuple[Citation, ...] = ()  # the side's next passages, cited in chat when close

    @property
    def runner_up(self) -> Citation | None:
        """Return the first runner-up (None when there is none)."""
        return self.runners_up[0] if self.runners_up else None


@dataclass(frozen=True, slots=True)
class Row:
    aspect: Aspect
    cells: tuple[Cell | None, ...]  # one per side, in the order of the sides
    tension: Tension | None = None


@dataclass(frozen=True, slots=True)
class Comparison:
    question: str
    sides: tuple[Side, ...]
    rows: tuple[Row, ...]

    def citations(self) -> list[Citation]:
        """Return the cited quotes, numbered in table order (cells, then runners-up)."""
        out: list[Citation] = []
        for row in self.rows:
            for cell in row.cells:
                if cell is None:
                    continue
                for c in (cell.citation, *cell.runners_up):
                    if all(
                        (c.passage_id, c.char_start) != (o.passage_id, o.char_start) for o in out
                    ):
                        out.append(c)
        return out


class Comparer:
    """Builds comparison tables over a store with an :class:`AspectJudge`."""

    def __init__(
        self,
        store: Any,
        judge: AspectJudge,
        *,
        glossary: Glossary | None = None,
        runner_up: float = 0.8,
        depth: int = 2,
        themes: Callable[[], Any] | None = None,
        theme_threshold: float = 0.5,
    ) -> None:
        self.store = store
        # Theme rows are judged by the call's theme scorer (the coverage matrix's judgement,
        # built on first use) when given; other rows, and theme rows without it, by ``judge``.
        self.themes = themes
        self.theme_threshold = theme_threshold
        self._scorer: Any = None
        # chat cites up to ``depth`` passages of a side per row: the cell's, then the next ones
        # that score at least ``runner_up`` times the best (the judge's ranking is not sharp
        # enough for one passage to carry a side)
        self.runner_up = runner_up
        self.depth = max(1, depth)
        self.judge = judge
        self.glossary = glossary
        self.sources = Sources(store)

    def compare(
        self, sides: Sequence[Side], aspects: Sequence[Aspect], question: str = ""
    ) -> Comparison:
        """Return the table of ``aspects`` x ``sides``."""
        if len(sides) < 2:
            raise ConfigError("a comparison needs two sides or more")
        passages = {side.label: self._passages(side) for side in sides}
        rows = []
        for aspect in aspects:
            cells = tuple(self._cell(aspect, passages[side.label]) for side in sides)
            quotes = [c.citation.quote if c else None for c in cells]
            rows.append(Row(aspect, cells, possible_tension(quotes, [_country(c) for c in cells])))
        return Comparison(question, tuple(sides), tuple(rows))

    def _passages(self, side: Side) -> list[Passage]:
        return [p for key in side.keys for p in self.store.passages_of(key)]

    def judged(self, aspect: Aspect, passages: Sequence[Passage]) -> tuple[np.ndarray, float]:
        """Return every passage's probability for ``aspect`` and the threshold that applies."""
        if aspect.theme_id and self.themes is not None:
            if self._scorer is None:
                self._scorer = self.themes()
            ids = list(self._scorer.profile.ids)
            if aspect.theme_id in ids:
                vectors = self.store.vectors([p.id for p in passages])
                scores = self._scorer.score(passages, vectors)
                return scores[:, ids.index(aspect.theme_id)], self.theme_threshold
        return self.judge.probabilities(aspect.text, passages), self.judge.threshold

    def _cell(self, aspect: Aspect, passages: list[Passage]) -> Cell | None:
        if not passages:
            return None
        probs, threshold = self.judged(aspect, passages)
        order = np.argsort(-probs, kind="stable")
        best = int(order[0])
        if probs[best] < threshold:
            return None
        citation = self.quote(aspect.text, passages[best], float(probs[best]))
        return Cell(citation, float(probs[best]), self._runners(aspect, passages, probs, order))

    def _runners(
        self, aspect: Aspect, passages: Sequence[Passage], probs: np.ndarray, order: np.ndarray
    ) -> tuple[Citation, ...]:
        """Return the quotes of the passages after the best that score close to it."""
        floor = self.runner_up * float(probs[order[0]])
        return tuple(
            self.quote(aspect.text, passages[int(i)], float(probs[int(i)]))
            for i in order[1 : self.depth]
            if probs[int(i)] >= floor
        )

    def closest(self, side: Side, aspect: Aspect) -> list[Citation]:
        """Return the quotes of the side's best passages for ``aspect``, threshold or not."""
        passages = self._passages(side)
        if not passages:
            return []
        probs, _ = self.judged(aspect, passages)
        order = np.argsort(-probs, kind="stable")
        best = int(order[0])
        first = self.quote(aspect.text, passages[best], float(probs[best]))
        return [first, *self._runners(aspect, passages, probs, order)]

    def quote(self, text: str, passage: Passage, probability: float) -> Citation:
        """Return the citation of the sentence of ``passage`` that best matches ``text``."""
        sub = self.sources.submissions()[passage.submission_key]
        document = self.sources.document(sub)
        full = document.text
        spans = sentence_spans(full, passage.char_start, passage.char_end) or [
            (passage.char_start, passage.char_end)
        ]
        terms = question_terms(text, query_language(text), self.glossary)
        language = passage.language or "en"

        def score(i: int) -> float:
            sentence = full[spans[i][0] : spans[i][1]]
            stems = set(content_terms(sentence, language))
            shape = 1.0 if len(sentence) >= 50 else 0.6  # headings and fragments score lower
            return (terms.coverage(stems, language) + 0.05 / (1 + i)) * shape

        best = max(range(len(spans)), key=score)
        start, end = spans[best]
        if end - start < SHORT_QUOTE and best + 1 < len(spans):
            nxt = spans[best + 1]
            if "\n" not in full[end : nxt[0]]:
                end = nxt[1]
        return build_citation(0, Hit(passage, probability), sub, document, start, end)


def _country(cell: Cell | None) -> str:
    return cell.citation.country if cell else ""


def topic_of(question: str, names: Sequence[str]) -> str:
    """Return what ``question`` asks about its sides, without the words that named them.

    When the question asks its topic before its sides ("When may officers use firearms under
    …") or after them ("… on how many members …", "…: who decides …"), that part is the topic;
    otherwise the whole question, less the names and the words that ask to compare.
    """
    spans = [
        m.span()
        for name in set(names)
        for m in re.finditer(rf"(?<!\w){re.escape(name)}(?:['’]s)?(?!\w)", question, re.IGNORECASE)
    ]
    if spans:
        before = question[: min(a for a, _ in spans)]
        after = question[max(b for _, b in spans) :]
        start = _TOPIC_START.match(fold(after))
        if start and len(content_terms(after, "en")) >= 2:
            # "… IPCC bill on what …": the words before "on"/"what" end the side's name
            lead = None if _ON_START.match(fold(after)) else _LEAD.match(fold(after))
            if lead and len(content_terms(after[lead.end() :], "en")) >= 2:
                after = after[lead.end() :]
            return _tidy(after, names)
        if _WH_START.match(fold(before)) and len(content_terms(before, "en")) >= 2:
            return _tidy(before, names)
    return _tidy(question, names)


def _tidy(text: str, names: Sequence[str]) -> str:
    out = text
    for name in sorted(set(names), key=len, reverse=True):
        out = re.sub(rf"(?<!\w){re.escape(name)}(?:['’]s)?(?!\w)", " ", out, flags=re.IGNORECASE)
    folded = fold(out)
    kept = []
    pos = 0
    for m in _COMPARE.finditer(folded):
        kept.append(out[pos : m.start()])
        pos = m.end()
    kept.append(out[pos:])
    topic = re.sub(r"\s+", " ", "".join(kept))
    for _ in range(3):  # "How do and on …": conjunctions left without their sides
        topic = _DANGLING.sub(" ", topic)
    topic = re.sub(r"\s+", " ", topic).strip(" ,;:")
    return topic if re.search(r"\w{3,}", topic) else text


def question_aspects(topic: str) -> list[Aspect]:
    """Return the parts of a topic that each ask something ("… has, and who may …"), or it."""
    folded = fold(topic)
    cuts = [0] + [m.start() for m in _PART.finditer(folded)] + [len(topic)]
    parts = [topic[a:b].strip(" ,;:?.!") for a, b in pairwise(cuts)]
    parts = [re.sub(r"^(?:and|et|y)\s+", "", p, flags=re.IGNORECASE) for p in parts]
    if len(parts) > 1 and all(content_terms(p, "en") for p in parts):
        return [Aspect(p, p) for p in parts]
    return [Aspect(topic.strip(), topic.strip())]


def theme_aspects(call_file: str = "", theme: str = "") -> list[Aspect]:
    """Return the call's themes as rows (one theme when ``theme`` names its id)."""
    from assistant.themes.profile import load_profile

    profile = load_profile(call_file)
    chosen = [profile.theme(theme)] if theme else list(profile.themes)
    rows = []
    for t in chosen:
        text = " ".join([t.label, t.description, *t.phrases("en")[:4]]).strip()
        rows.append(Aspect(f"{t.id}: {t.label}", text, t.id))
    return rows


def seed_themes(store: Any, call_file: str = "") -> Callable[[], Any]:
    """Return a builder of the call's theme scorer over ``store`` (seed vectors embedded once)."""

    def build() -> Any:
        from assistant.themes.profile import load_profile
        from assistant.themes.scorer import SeedScorer, weights_for

        name = getattr(getattr(store, "embedder", None), "name", "e5")
        return SeedScorer.for_store(store, load_profile(call_file), weights_for(name))

    return build


def comparison_json(comparison: Comparison) -> dict[str, Any]:
    """Return ``compare --json``: question, sides, rows of aspect, cells and possible_tension."""
    labels = [s.label for s in comparison.sides]
    rows = []
    for row in comparison.rows:
        cells = {
            label: None
            if cell is None
            else {
                "file": cell.citation.file,
                "quote": cell.citation.quote,
                "locator": cell.citation.locator,
                "char_start": cell.citation.char_start,
                "char_end": cell.citation.char_end,
            }
            for label, cell in zip(labels, row.cells, strict=True)
        }
        rows.append(
            {
                "aspect": row.aspect.label,
                "cells": cells,
                "possible_tension": row.tension is not None,
            }
        )
    return {"question": comparison.question, "sides": labels, "rows": rows}
