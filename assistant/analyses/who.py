"""Who said X, all of them: every submission in scope judged, not the top k passages.

``who(question, judge, sources)`` judges every passage of every submission in scope with the
calibrated relevance judgement (:mod:`assistant.relevance`); a submission addresses X when its
strength reaches the fitted who threshold, unless the question-level judgement (the refusal of
the judged answer) finds that nothing in scope answers X: then none is listed. Each listed
submission carries its best verbatim sentence as a citation and its strength (the calibrated
probability that it addresses X); every other submission in scope is listed as not addressing
X, with its closest passage one click away. The group a question names ("Which States …")
narrows the scope and is said. Confidential submissions are listed and cited without their
words.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from assistant.answering.citations import build_citation
from assistant.answering.relevance import Judge, Probe
from assistant.answering.sentences import quote_spans
from assistant.query.question import Query
from assistant.retrieval.retriever import in_scope
from assistant.types import Citation
from ingest.types import Document, Passage, Submission
from vectorstore.types import Filters, Hit


@dataclass(frozen=True, slots=True)
class Listed:
    """One submission and its best passage for the question (strength = its probability)."""

    submission: Submission
    strength: float
    citation: Citation | None  # None only when the submission has no passage in scope
    passage: Passage | None = None  # the best passage the citation quotes


@dataclass(frozen=True, slots=True)
class WhoResult:
    """Every submission in scope, split into those that address the question and the others."""

    question: str
    filters: Filters | None  # the scope judged: the user's filters and the group named
    group_label: str  # "States", "NGOs" ("" when the question names no group)
    addressed: tuple[Listed, ...]
    not_addressed: tuple[Listed, ...]
    timings_ms: dict[str, float] = field(default_factory=dict)
    scopes: tuple[Filters, ...] = ()  # the submitters, countries or documents named (any of)
    indexed: int = 0  # submissions in the index, in scope or not

    @property
    def count(self) -> int:
        return len(self.addressed)

    @property
    def total(self) -> int:
        return len(self.addressed) + len(self.not_addressed)


class DocumentSource(Protocol):
    """What who reads besides the judge: submissions and canonical documents (Sources)."""

    def submissions(self) -> dict[str, Submission]: ...
    def document(self, submission: Submission) -> Document: ...


def who(
    query: Query,
    judge: Judge,
    sources: DocumentSource,
    *,
    probe: Probe | None = None,
    threshold: float | None = None,
) -> WhoResult:
    """Return every submission in the query's scope judged against it, strongest first."""
    started = time.perf_counter()
    scope = query.filters
    probe = probe or judge.probe(query)
    snap = judge.snapshot_of(probe)
    probs = judge.corpus(probe)
    subs = sources.submissions()
    best: dict[str, int] = {}
    scoped: list[int] = []
    for row, passage in enumerate(snap.passages):
        sub = subs.get(passage.submission_key)
        if sub is None or not in_scope(query, passage, sub):
            continue
        scoped.append(row)
        if passage.submission_key not in best or probs[row] > probs[best[passage.submission_key]]:
            best[passage.submission_key] = row
    judged = time.perf_counter()
    cut = judge.model.who_threshold if threshold is None else threshold
    keys = [snap.passages[row].submission_key for row in scoped]
    answerable = judge.answerable(probe, probs[scoped], keys, scoped) if scoped else 0.0
    if threshold is None and answerable < judge.model.answer_threshold:
        cut = np.inf  # the question-level judgement: nothing here answers it (the refusal)
    ordered = sorted(best.items(), key=lambda kv: -probs[kv[1]])
    strengths = judge.strength(np.array([probs[row] for _, row in ordered]))
    addressed, others = [], []
    for (key, row), strength in zip(ordered, strengths, strict=True):
        target = addressed if strength >= cut else others
        target.append((subs[key], snap.passages[row], float(strength)))
    listed = [
        Listed(
            sub, strength, best_citation(judge, probe, sources, sub, passage, strength, n), passage
        )
        for n, (sub, passage, strength) in enumerate(addressed, start=1)
    ]
    first = len(listed) + 1
    rest = [
        Listed(
            sub, strength, best_citation(judge, probe, sources, sub, passage, strength, n), passage
        )
        for n, (sub, passage, strength) in enumerate(others, start=first)
    ]
    empty = [
        Listed(s, 0.0, None)
        for s in subs.values()
        if s.key not in best and _submission_in(query, s) and s.passages == 0
    ]
    return WhoResult(
        question=query.text,
        filters=scope,
        group_label=query.group_label,
        scopes=query.scope_filters,
        indexed=len(subs),
        addressed=tuple(listed),
        not_addressed=tuple(rest + empty),
        timings_ms={
            "judge": round((judged - started) * 1000, 1),
            "total": round((time.perf_counter() - started) * 1000, 1),
        },
    )


def best_citation(
    judge: Judge,
    probe: Probe,
    sources: DocumentSource,
    sub: Submission,
    passage: Passage,
    strength: float,
    n: int,
) -> Citation:
    """Return citation [n]: the sentence of ``passage`` the judgement finds answers best."""
    spans = quote_spans(passage.text, passage.heading_path) or [(0, len(passage.text))]
    scores = judge.sentences(probe, passage, spans, strength)
    s, e = spans[int(np.argmax(scores))]
    start, end = passage.char_start + s, passage.char_start + e
    return build_citation(n, Hit(passage, strength), sub, sources.document(sub), start, end)


def _submission_in(query: Query, sub: Submission) -> bool:
    probe = Passage("", sub.key, (), (), "", (), sub.language, 0, 0, "", "")
    return in_scope(query, probe, sub)


def headline(result: WhoResult) -> str:
    """Return the count line: "4 of 9 submissions address this question (among States: 4 of
    9)" ("4 of 15 submissions address this question" without a group), or, when nothing in the
    index is in scope, why nothing was judged."""
    if result.total == 0:
        where = f"from {result.group_label}" if result.group_label else "in the scope asked"
        return (
            f"No submission {where} is in the index ({result.indexed} submissions indexed), "
            "so none was judged"
        )
    line = f"{result.count} of {result.total} submissions address this question"
    return f"{line} ({scope_phrase(result)})" if result.group_label else line


def scope_phrase(result: WhoResult) -> str:
    """Return "among States: 4 of 9" or "4 of 15 submissions"."""
    if result.total == 0:
        return (
            f"among {result.group_label}: none indexed" if result.group_label else "none in scope"
        )
    if result.group_label:
        return f"among {result.group_label}: {result.count} of {result.total}"
    return f"{result.count} of {result.total} submissions"


# ---- JSON --------------------------------------------------------------------------------
def filters_json(filters: Filters | None, scopes: tuple[Filters, ...] = ()) -> dict[str, object]:
    """Return the filters applied as a JSON object ({"submitter_type": "State"}).

    The scopes a question names ("Which Peruvian submissions ...") join them: one scope, or
    several of one kind (countries: any of them), as that field's values; scopes of different
    kinds (a country or a submitter) under ``"any_of"``, a list of such objects.
    """
    out = _fields(filters)
    named = [_fields(f) for f in scopes]
    kinds = {name for f in named for name in f}
    if len(kinds) == 1 and (name := next(iter(kinds))) not in out:
        values = [v for f in named for v in (f[name] if isinstance(f[name], list) else [f[name]])]
        out[name] = values[0] if len(values) == 1 else values
    elif named:
        out["any_of"] = named
    return out


def _fields(filters: Filters | None) -> dict[str, object]:
    out: dict[str, object] = {}
    for name in Filters.__slots__ if filters is not None else ():
        values = getattr(filters, name)
        if values:
            out[name] = values[0] if len(values) == 1 else list(values)
    return out


def listed_json(item: Listed) -> dict[str, object]:
    """Return one addressed submission as the who JSON row (quote exact, or null if withheld)."""
    sub, c = item.submission, item.citation
    row: dict[str, object] = {
        "submission_key": sub.key,
        "file": sub.file,
        "submitter": sub.submitter or sub.file,
        "submitter_type": sub.submitter_type,
        "country": sub.country,
        "language": sub.language,
        "strength": round(item.strength, 4),
        "quote": None,
        "locator": "",
        "paragraphs": [],
        "char_start": None,
        "char_end": None,
        "confidential": sub.confidential,
    }
    if c is not None:
        row.update(
            quote=None if sub.confidential else c.quote,
            locator=c.locator,
            paragraphs=list(c.paragraphs),
            footnotes=list(c.footnotes),
            char_start=c.char_start,
            char_end=c.char_end,
            passage_id=c.passage_id,
        )
    return row


def who_json(result: WhoResult) -> dict[str, object]:
    """Return the ``who --json`` payload (issue 8's shape)."""
    return {
        "question": result.question,
        "count": result.count,
        "total": result.total,
        "filters": filters_json(result.filters, result.scopes),
        "group": result.group_label,
        "addressed": [listed_json(x) for x in result.addressed],
        "not_addressed": [
            {
                "submission_key": x.submission.key,
                "file": x.submission.file,
                "submitter": x.submission.submitter or x.submission.file,
                "strength": round(x.strength, 4),
                "closest": listed_json(x) if x.citation is not None else None,
            }
            for x in result.not_addressed
        ],
        "timings_ms": result.timings_ms,
    }
