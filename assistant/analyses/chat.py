"""Comparison questions in chat: recognise them, build the table, render it with citations.

A question is a comparison when it names two sides or more (see :mod:`.sides`) and either asks
to compare ("compare", "differ", "diffèrent", "se diferencian", …) or is not a "which
submissions …" question (those go to who). In the engine the Query's ``kind`` decides the
first part; the sides are always found here, finer than ``Query.sides`` (two submissions of
one country, named by year or title words, are two sides).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from assistant.analyses.compare import (
    _COMPARE,
    Aspect,
    Comparer,
    Comparison,
    question_aspects,
    topic_of,
)
from assistant.analyses.sides import Side, detect_sides, submission_label
from assistant.answering.extractive import stream_lines
from assistant.query.cues import coded
from assistant.query.groups import LANGUAGE_LABELS
from assistant.query.kinds import question_kind
from assistant.types import Answer, Citation, CitationsReady, Claim, Done, Event, TextDelta
from ingest.analysis import fold
from ingest.types import Submission
from vectorstore.types import Filters, Hit

_ON = re.compile(r"^\s*(?:on|about|regarding|sur|en ce qui concerne|sobre|en cuanto a)\s+", re.I)


@dataclass(frozen=True, slots=True)
class Plan:
    """What a comparison question asks: its sides and the aspects to compare them on."""

    sides: tuple[Side, ...]
    topic: str
    aspects: tuple[Aspect, ...]


def is_who_question(question: str) -> bool:
    """Return True for "Which submissions/States/NGOs …" questions (the Query's who rule)."""
    return question_kind(question) == "who"


def plan_comparison(
    question: str,
    submissions: Iterable[Submission],
    filters: Filters | None = None,
    *,
    kind: str = "",
    query_sides: Sequence[str] = (),
) -> Plan | None:
    """Return the Plan of a comparison question, or None when it is not one.

    ``kind`` is the Query's kind when the engine has one: "who" questions are never
    comparisons; otherwise the question's own words decide how firmly its sides must be named
    (:meth:`Detected.sure`). ``query_sides``: the Query's sides; the languages among them ("How do
    French and Spanish submissions differ": "language=fr", "language=es") are the sides when the
    question asks to compare and names no two other sides.
    """
    if kind == "who":
        return None
    subs = [s for s in submissions if _keeps(filters, s)]
    detected = detect_sides(question, subs)
    asks = bool(_COMPARE.search(fold(question)))  # the question's own words, not Query.kind
    if not asks and is_who_question(question):
        return None
    sides = detected.sure(asks)
    if not sides and asks:
        languages = [s.split("=", 1)[1] for s in query_sides if s.startswith("language=")]
        return _by_language(question, subs, languages)
    if not sides:
        return None
    topic = topic_of(question, detected.names)
    return Plan(sides, topic, tuple(question_aspects(topic)))


def _by_language(question: str, subs: list[Submission], languages: Sequence[str]) -> Plan | None:
    sides = []
    for code in dict.fromkeys(languages):
        keys = tuple(s.key for s in subs if s.language == code)
        if keys:
            label = f"{LANGUAGE_LABELS.get(code, code)}-language submissions"
            sides.append(Side(label, keys, "language", (label,)))
    if len(sides) < 2:
        return None
    words = [*coded("language_adjective"), *coded("language")]
    topic = topic_of(question, words)
    return Plan(tuple(sides), topic, tuple(question_aspects(topic)))


def _keeps(filters: Filters | None, sub: Submission) -> bool:
    if filters is None or filters.is_empty():
        return True
    for name in ("submitter_type", "country", "submitter", "language", "file"):
        allowed = getattr(filters, name)
        if allowed and getattr(sub, name) not in allowed:
            return False
    return not filters.submission_key or sub.key in filters.submission_key


@dataclass(frozen=True, slots=True)
class Rendered:
    lines: list[str]
    citations: list[Citation]


def render(comparison: Comparison, comparer: Comparer, topic: str) -> Rendered:
    """Return the chat answer: one block per aspect, one bullet per side, with citations.

    A cell cites its passage and its close runners-up. A side with no cell in any row is shown
    as not addressed, with its closest passages cited as such (they were judged, so they may be
    cited), so every side can be checked.
    """
    labels = [s.label for s in comparison.sides]
    citations: list[Citation] = []

    def number(c: Citation) -> int:
        for existing in citations:
            if (existing.passage_id, existing.char_start) == (c.passage_id, c.char_start):
                return existing.n
        citations.append(replace(c, n=len(citations) + 1))
        return len(citations)

    names = " and ".join(labels) if len(labels) == 2 else ", ".join(labels)
    lines = [f"Comparison of {names} on: {_ON.sub('', topic)}", ""]
    for row in comparison.rows:
        if len(comparison.rows) > 1:
            lines.append(f"**{row.aspect.label}**")
        for label, cell in zip(labels, row.cells, strict=True):
            if cell is None:
                lines.append(f"• {label}: not addressed")
                continue
            marks = " ".join(f"[{number(c)}]" for c in (cell.citation, *cell.runners_up))
            lines.append(f"• {label} — “{_shown(cell.citation)}” {marks}")
        if row.tension is not None:
            lines.append(f"  ⚠ {row.tension.describe(labels)} (a hint to check, not a finding)")
        lines.append("")
    for i, side in enumerate(comparison.sides):
        if any(row.cells[i] is not None for row in comparison.rows):
            continue
        closest = comparer.closest(side, comparison.rows[0].aspect)
        if closest:
            marks = " ".join(f"[{number(c)}]" for c in closest)
            many = "s" if len(closest) > 1 else ""
            lines.append(f"Closest passage{many} of {side.label} (below the threshold): {marks}")
    return Rendered(lines, citations)


def compare_events(
    comparer: Comparer, plan: Plan, question: str, resolved: str, started: float
) -> Iterator[Event]:
    """Yield the events of a comparison answer (text, citations, Done) for Engine.stream."""
    comparison = comparer.compare(plan.sides, plan.aspects, question=resolved)
    rendered = render(comparison, comparer, plan.topic)
    yield from (TextDelta(t) for t in stream_lines(rendered.lines))
    citations = tuple(rendered.citations)
    yield CitationsReady(citations)
    found = comparer.store.get_passages(list(dict.fromkeys(c.passage_id for c in citations)))
    claims = tuple(Claim(c.quote, (c.passage_id,)) for c in citations)
    yield Done(
        Answer(
            question=question,
            claims=claims,
            sources=tuple(Hit(p, 1.0) for p in found),
            answered=any(cell for row in comparison.rows for cell in row.cells),
            text="\n".join(rendered.lines),
            citations=citations,
            resolved_question=resolved,
            timings_ms={"total": round((time.perf_counter() - started) * 1000, 1)},
            mode="compare",
        )
    )


def _shown(c: Citation) -> str:
    if c.confidential:
        return "(confidential submission: quote withheld)"
    text = " ".join(c.quote.split())
    return text if len(text) <= 300 else text[:297] + "…"


def describe_side(side: Side, subs: dict[str, Submission]) -> str:
    """Return a one-line description of a side: its label and what it holds."""
    if len(side.keys) == 1 and side.keys[0] in subs:
        return f"{side.label}: {submission_label(subs[side.keys[0]])}"
    return f"{side.label}: {len(side.keys)} submissions"
