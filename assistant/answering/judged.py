"""Answers that say only what answers: bullets chosen by the relevance judgement.

Every passage in scope is judged (:mod:`assistant.answering.relevance`); the submitters whose
strength reaches the who threshold each get one bullet, strongest first, with the one or two
sentences the judgement finds answer best. A sentence two submissions share (two versions of a
bill) is shown once, citing both. The refusal: the question-level model says the submissions do
not answer and no submission reaches the who threshold; the closest material is then the
nearest passages, none of which the judgement finds addresses the question.

The who mode renders :class:`assistant.analyses.who.WhoResult` the same way, with the count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.analyses.who import DocumentSource, WhoResult, headline, scope_phrase
from assistant.answering.citations import build_citation
from assistant.answering.extractive import (
    NOT_ADDRESSED,
    Extract,
    _quote_text,
    describe_filters,
    display_name,
    not_found_line,
    stream_lines,
)
from assistant.answering.relevance import Judge, Probe
from assistant.answering.sentences import quote_spans
from assistant.config import AnswerSettings, RelevanceSettings
from assistant.query.question import Query
from assistant.retrieval.retriever import in_scope
from assistant.types import Answer, Citation, CitationsReady, Claim, Done, Event, TextDelta
from ingest.analysis import words
from ingest.types import Passage, Submission
from vectorstore.types import Hit


@dataclass(frozen=True, slots=True)
class Judged:
    """Every passage in scope with its probability, and each submission's best."""

    probe: Probe
    passages: list[Passage]
    probs: np.ndarray
    strengths: dict[str, float]  # submission key -> strength
    answerable: float  # P(the submissions answer the question)


@dataclass
class _Bullet:
    subs: list[Submission]
    strength: float
    picks: list[tuple[Passage, int, int, float]] = field(default_factory=list)  # passage, s, e, p


def judge_query(judge: Judge, query: Query, probe: Probe, subs: dict[str, Submission]) -> Judged:
    """Return the judgement of every passage in the query's scope."""
    snap = judge.snapshot_of(probe)
    probs_all = judge.corpus(probe)
    rows = [
        i
        for i, p in enumerate(snap.passages)
        if p.submission_key in subs and in_scope(query, p, subs[p.submission_key])
    ]
    passages = [snap.passages[i] for i in rows]
    probs = probs_all[rows] if rows else np.zeros(0)
    best: dict[str, float] = {}
    for p, pr in zip(passages, probs, strict=True):
        best[p.submission_key] = max(best.get(p.submission_key, 0.0), float(pr))
    keys = list(best)
    strengths = dict(zip(keys, judge.strength(np.array([best[k] for k in keys])), strict=True))
    keys_of = [p.submission_key for p in passages]
    answerable = judge.answerable(probe, probs, keys_of, rows) if len(probs) else 0.0
    return Judged(probe, passages, probs, {k: float(v) for k, v in strengths.items()}, answerable)


def decide(judged: Judged, judge: Judge) -> bool:
    """Return True when the question is answered (not refused)."""
    if not judged.strengths:
        return False
    return judged.answerable >= judge.model.answer_threshold


def quoted_rows(
    rows: Sequence[int],
    probs: np.ndarray,
    n: int,
    ratio: float,
    label_of: Callable[[int], str],
    cap: int,
) -> list[int]:
    """Return the passages an answer quotes: down ``rows`` (best first) until ``n`` are chosen,
    at most ``cap`` per submitter (``label_of``: a row's submitter, one bullet each), each after
    the first only while it scores at least ``ratio`` times the best one. benchmarks/tune.py
    fits ``n`` and ``ratio`` with this same function."""
    out: list[int] = []
    seen: dict[str, int] = {}
    floor = ratio * float(probs[rows[0]]) if len(rows) else 0.0
    for row in rows:
        if len(out) >= n or (out and probs[row] < floor):
            break
        label = label_of(row)
        if seen.get(label, 0) < cap:
            seen[label] = seen.get(label, 0) + 1
            out.append(row)
    return out


def judged_answer(
    query: Query,
    judged: Judged,
    judge: Judge,
    sources: DocumentSource,
    *,
    answer: AnswerSettings | None = None,
    relevance: RelevanceSettings | None = None,
) -> Extract:
    """Return the extractive answer: one bullet per submitter that addresses the question."""
    answer = answer or AnswerSettings()
    relevance = relevance or RelevanceSettings()
    subs = sources.submissions()
    rows = [i for i in np.argsort(-judged.probs) if judged.passages[i].submission_key in subs]
    chosen = quoted_rows(
        rows,
        judged.probs,
        judge.model.quoted_passages,
        judge.model.quoted_ratio,
        lambda i: subs[judged.passages[i].submission_key].submitter_label,
        relevance.quotes_per_submitter,
    )
    bullets = _bullets(chosen, judged, judge, subs)
    bullets = bullets[: answer.max_bullets]
    lines, claims, citations = _render(bullets, sources)
    count = len({s.submitter_label for b in bullets for s in b.subs})
    noun = "submitter addresses" if count == 1 else "submitters address"
    in_scope = len({subs[k].submitter_label for k in judged.strengths if k in subs})
    named = f" among {query.group_label}" if query.group_label else describe_filters(query.filters)
    scope = f" ({named.strip()}: {count} of {in_scope})" if named else ""
    lead = f"{count} {noun} this question{scope}:"
    listed = {s.submitter_label for b in bullets for s in b.subs}
    tail = not_found_line(
        [_Label(x) for x in listed], {k: subs[k] for k in judged.strengths if k in subs}
    )
    out = [lead, "", *lines]
    if tail:
        out += ["", tail]
    out += ["", "Mode: answer (ask for the full list to see every submission judged)."]
    return Extract(out, claims, citations)


@dataclass(frozen=True, slots=True)
class _Label:
    label: str


def judged_refusal(
    judged: Judged, judge: Judge, sources: DocumentSource, *, limit: int = 3
) -> Extract:
    """Return the refusal with the nearest passages (one per submitter)."""
    subs = sources.submissions()
    order = np.argsort(-judged.probs)
    seen: set[str] = set()
    bullets: list[_Bullet] = []
    for row in order:
        p = judged.passages[int(row)]
        if p.submission_key in seen or p.submission_key not in subs:
            continue
        seen.add(p.submission_key)
        bullet = _Bullet([subs[p.submission_key]], judged.strengths.get(p.submission_key, 0.0))
        bullet.picks.append(_best_sentence(judge, judged.probe, p, float(judged.probs[row])))
        bullets.append(bullet)
        if len(bullets) >= limit:
            break
    lines, _claims, citations = _render(bullets, sources)
    out = [f"{NOT_ADDRESSED}."]
    if lines:
        out += ["", "Closest material (not an answer):", *lines]
    return Extract(out, [], citations)


def who_lines(result: WhoResult) -> Extract:
    """Return the who mode's text: the count, then every listed submission with its quote."""
    lines = [headline(result) + (":" if result.count else "."), ""]
    claims, citations = [], []
    for item in result.addressed:
        c = item.citation
        if c is None:
            continue
        citations.append(c)
        text = f"• {display_name(item.submission)} ({item.strength:.2f}) — {_quote_text(c)}"
        lines.append(text)
        claims.append(Claim(text=text, citations=(c.passage_id,)))
    if result.not_addressed:
        names = ", ".join(display_name(x.submission) for x in result.not_addressed)
        lines += ["", f"Not addressed by {len(result.not_addressed)}: {names}"]
    lines += ["", f"Mode: who ({scope_phrase(result)})."]
    return Extract(lines, claims, citations)


def _bullets(
    rows: list[int],
    judged: Judged,
    judge: Judge,
    subs: dict[str, Submission],
) -> list[_Bullet]:
    """Return one bullet per submitter (name + type), strongest first.

    ``rows``: the judged passages to quote, best first (:func:`quoted_rows`: already at most
    ``quotes_per_submitter`` per submitter); each gives its best sentence. A sentence whose
    words another bullet already quotes is cited there instead.
    """
    by_label: dict[str, list[int]] = {}
    for i in rows:
        label = subs[judged.passages[i].submission_key].submitter_label
        by_label.setdefault(label, []).append(i)
    bullets: list[_Bullet] = []
    shown: dict[str, _Bullet] = {}  # sentence key -> the bullet quoting it
    for label_rows in by_label.values():
        keys = list(dict.fromkeys(judged.passages[i].submission_key for i in label_rows))
        bullet = _Bullet([subs[k] for k in keys], max(judged.strengths[k] for k in keys))
        quoted: set[str] = set()
        for i in label_rows:
            p, s, e, score = _best_sentence(
                judge, judged.probe, judged.passages[i], judged.probs[i]
            )
            text = sentence_key(p.text[s:e])
            if text in quoted:  # the same words in this submitter's other document
                bullet.picks.append((p, s, e, score))
                continue
            if text in shown and shown[text] is not bullet:  # shared with another submitter
                other = shown[text]
                other.subs.append(subs[p.submission_key])
                other.picks.append((p, s, e, score))
                quoted.add(text)
                continue
            shown[text] = bullet
            quoted.add(text)
            bullet.picks.append((p, s, e, score))
        if bullet.picks:
            bullets.append(bullet)
    bullets.sort(key=lambda b: -b.strength)
    return bullets


def sentence_key(text: str) -> str:
    """Return the words of a sentence, folded, without punctuation: equal for shared text."""
    return " ".join(words(text))


def _best_sentence(judge: Judge, probe: Probe, p: Passage, prob: float):
    spans = quote_spans(p.text, p.heading_path) or [(0, len(p.text))]
    scores = judge.sentences(probe, p, spans, float(prob))
    s, e = spans[int(np.argmax(scores))]
    return (p, s, e, float(scores.max()))


def _render(
    bullets: list[_Bullet], sources: DocumentSource
) -> tuple[list[str], list[Claim], list[Citation]]:
    lines: list[str] = []
    claims: list[Claim] = []
    citations: list[Citation] = []
    subs = sources.submissions()
    n = 1
    for bullet in bullets:
        parts: list[str] = []
        shared: dict[str, list[Citation]] = {}
        for p, s, e, score in sorted(bullet.picks, key=lambda x: -x[3]):
            sub = subs[p.submission_key]
            start, end = p.char_start + s, p.char_start + e
            c = build_citation(n, Hit(p, score), sub, sources.document(sub), start, end)
            n += 1
            citations.append(c)
            shared.setdefault(sentence_key(c.quote), []).append(c)
        for group in shared.values():
            first = group[0]
            marks = "".join(f" [{c.n}]" for c in group[1:])
            parts.append(_quote_text(first) + marks)
        names = "; ".join(dict.fromkeys(display_name(s) for s in bullet.subs))
        text = f"• {names} — " + " … ".join(parts)
        lines.append(text)
        claims.append(
            Claim(text=text, citations=tuple(c.passage_id for c in citations[-len(bullet.picks) :]))
        )
    return lines, claims, citations


def cited_hits(extract: Extract, judged: Judged) -> list[Hit]:
    """Return the judged passages the extract cites, as Hits scored by their probability."""
    rows = {p.id: i for i, p in enumerate(judged.passages)}
    out, seen = [], set()
    for c in extract.citations:
        i = rows.get(c.passage_id)
        if i is not None and c.passage_id not in seen:
            seen.add(c.passage_id)
            out.append(Hit(judged.passages[i], float(judged.probs[i])))
    return out


def who_events(
    result: WhoResult, question: str, resolved: str, elapsed_ms: float
) -> Iterator[Event]:
    """Yield the who mode's stream: its text, its citations, then Done(answer)."""
    extract = who_lines(result)
    yield from (TextDelta(t) for t in stream_lines(extract.lines))
    citations = tuple(extract.citations)
    yield CitationsReady(citations)
    closest = tuple(x.citation for x in result.not_addressed if x.citation is not None)
    listed = (*result.addressed, *result.not_addressed)
    hits = tuple(Hit(x.passage, x.strength) for x in listed if x.passage is not None)
    yield Done(
        Answer(
            question=question,
            claims=tuple(extract.claims),
            sources=hits,
            answered=result.count > 0,
            text="\n".join(extract.lines),
            citations=citations,
            resolved_question=resolved,
            timings_ms={**result.timings_ms, "total": elapsed_ms},
            mode="who",
            closest=closest,
            scope=scope_phrase(result),
        )
    )
