"""The extractive answerer: best verbatim sentences of the top passages, grouped by submitter.

Layout (../shared/DESIGN.md, "The answer, without an LLM")::

    3 submitters address this question:

    • Malaysia (State) — “<verbatim sentence>” [1]
    • France (State) — “<phrase verbatim en français>” [2] [FR]

    Not found in: Kenya, Peru, … (6 more)

Sentences are scored cheaply (no model at query time): coverage of the question's content stems
(stemmed in English, French and Spanish, so shared stems cross languages), the passage's rank
in the fused retrieval, and position in the passage. Confidential submissions are cited without
their quote in the text; the card keeps the quote (marked ``confidential``) for verification.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from assistant.answering.citations import build_citation
from assistant.answering.sentences import sentence_spans
from assistant.config import AnswerSettings
from assistant.formatting import locator_of, submitter_of
from assistant.protocols import DocumentStore
from assistant.query.question import Query
from assistant.query.terms import text_stems
from assistant.retrieval.diversity import submitter_key
from assistant.retrieval.fusion import Scored
from assistant.types import Citation, Claim
from ingest.types import Document, Submission
from vectorstore.types import Filters

logger = logging.getLogger(__name__)

LANGUAGE_NAMES = {"en": "English", "fr": "French", "es": "Spanish"}
NOT_ADDRESSED = "The submissions do not appear to address this question"


class Sources:
    """Submissions and canonical documents of a store, cached by content hash."""

    def __init__(self, store: DocumentStore) -> None:
        self.store = store
        self._docs: dict[tuple[str, str], Document] = {}

    def submissions(self) -> dict[str, Submission]:
        """Return every submission by key (read fresh: ingest may run beside the app)."""
        return {s.key: s for s in self.store.submissions()}

    def document(self, submission: Submission) -> Document:
        """Return the canonical document of ``submission``."""
        key = (submission.key, submission.content_hash)
        if key not in self._docs:
            if len(self._docs) > 256:
                self._docs.clear()
            self._docs[key] = self.store.document(submission.key)
        return self._docs[key]


@dataclass(frozen=True, slots=True)
class Pick:
    """A sentence chosen from a retrieved passage; offsets are in the canonical text."""

    scored: Scored
    rank: int
    start: int
    end: int
    score: float


@dataclass
class Bullet:
    """One submitter's line of the answer."""

    submitter: Submission
    label: str
    picks: list[Pick] = field(default_factory=list)


@dataclass
class Extract:
    """Rendered lines, their claims and the numbered citations behind the markers."""

    lines: list[str]
    claims: list[Claim]
    citations: list[Citation]


def pick_sentences(
    query: Query,
    ranked: list[Scored],
    limit: int | None = None,
    settings: AnswerSettings | None = None,
) -> list[Pick]:
    """Return candidate sentences of the top ``limit`` passages, best first.

    A sentence scores by the share of the question's words it holds (glossary equivalents
    count in other languages), its passage's rank and its place in the passage; headings and
    fragments are scaled down. The weights are ``Settings.answer``.
    """
    settings = settings or AnswerSettings()
    limit = settings.answer_passages if limit is None else limit
    picks: list[Pick] = []
    for rank, scored in enumerate(ranked[:limit]):
        passage = scored.passage
        relevance = 1.0 / (1.0 + settings.rank_decay * rank)
        spans = sentence_spans(
            passage.text,
            max_chars=settings.max_sentence_chars,
            min_chars=settings.min_sentence_chars,
        )
        for position, (s, e) in enumerate(spans):
            sentence = passage.text[s:e]
            if _is_link_only(sentence):
                continue  # a footnote holding a URL is a source, not an answer
            language = passage.language or "en"
            coverage = query.terms.coverage(text_stems(sentence, language), language)
            short = len(sentence) < settings.short_sentence_chars
            shape = settings.short_sentence_factor if short else 1.0
            early = 1.0 / (1.0 + settings.position_decay * position)
            score = (
                settings.coverage_weight * coverage
                + settings.rank_weight * relevance
                + settings.position_weight * early
            ) * shape
            start = passage.char_start + s
            picks.append(Pick(scored, rank, start, passage.char_start + e, score))
    return sorted(picks, key=lambda p: -p.score)


def _is_link_only(sentence: str) -> bool:
    """Return True for a sentence that is mostly a web address."""
    prose = [w for w in sentence.split() if "://" not in w and "www." not in w]
    return len(prose) < 4 and len(prose) < len(sentence.split())


def group_by_submitter(
    picks: list[Pick],
    submissions: dict[str, Submission],
    max_bullets: int | None = None,
    settings: AnswerSettings | None = None,
) -> list[Bullet]:
    """Return one Bullet per submitter (name + type), ordered by their best passage's rank.

    A submitter gets up to ``quotes_per_submitter`` sentences, each further one scoring at
    least ``second_quote_ratio`` of its best and not overlapping another.
    """
    settings = settings or AnswerSettings()
    max_bullets = settings.max_bullets if max_bullets is None else max_bullets
    bullets: dict[str, Bullet] = {}
    for pick in picks:
        sub = submissions.get(pick.scored.passage.submission_key)
        if sub is None:
            continue
        key = submitter_key(sub, pick.scored.passage)
        bullet = bullets.setdefault(key, Bullet(sub, key))
        if len(bullet.picks) >= settings.quotes_per_submitter:
            continue
        if bullet.picks and (
            pick.score < settings.second_quote_ratio * bullet.picks[0].score
            or any(_overlaps(pick, p) for p in bullet.picks)
        ):
            continue
        bullet.picks.append(pick)
    ordered = sorted(bullets.values(), key=lambda b: min(p.rank for p in b.picks))
    for bullet in ordered:
        bullet.picks.sort(key=lambda p: (p.scored.passage.submission_key, p.start))
    return ordered[:max_bullets]


def _overlaps(a: Pick, b: Pick) -> bool:
    same = a.scored.passage.submission_key == b.scored.passage.submission_key
    return same and a.start < b.end and b.start < a.end


def display_name(sub: Submission) -> str:
    """Return "Malaysia (State)" or "Campaign Zero (NGO, United States)"."""
    return submitter_of(sub, fallback=sub.file)


def describe_filters(filters: Filters | None) -> str:
    """Return " among NGOs", " from France" … for the lead line ("" without filters)."""
    if filters is None or filters.is_empty():
        return ""
    parts = []
    if filters.submitter_type:
        kinds = [t.split("/")[0] for t in filters.submitter_type]
        parts.append("among " + " and ".join(k if k.endswith("s") else k + "s" for k in kinds))
    if filters.country:
        parts.append("from " + " and ".join(filters.country))
    if filters.submitter:
        parts.append("by " + " and ".join(filters.submitter))
    if filters.language:
        parts.append("in " + " and ".join(LANGUAGE_NAMES.get(x, x) for x in filters.language))
    if filters.file or filters.submission_key:
        parts.append("in " + ", ".join((*filters.file, *filters.submission_key)))
    return " " + ", ".join(parts)


def render_bullets(
    bullets: list[Bullet], sources: Sources, first_n: int = 1
) -> tuple[list[str], list[Claim], list[Citation]]:
    """Return bullet lines, one Claim per bullet and the citations numbered from ``first_n``."""
    lines: list[str] = []
    claims: list[Claim] = []
    citations: list[Citation] = []
    n = first_n
    subs = sources.submissions()
    for bullet in bullets:
        parts = []
        for pick in bullet.picks:
            hit = pick.scored.hit()
            sub = subs[hit.passage.submission_key]  # a submitter may have several documents
            document = sources.document(sub)
            citation = build_citation(n, hit, sub, document, pick.start, pick.end)
            citations.append(citation)
            parts.append(_quote_text(citation))
            n += 1
        text = f"• {display_name(bullet.submitter)} — " + " … ".join(parts)
        lines.append(text)
        claims.append(Claim(text=text, citations=tuple(p.scored.passage.id for p in bullet.picks)))
    return lines, claims, citations


def _quote_text(citation: Citation) -> str:
    where = locator_of(citation)
    prefix = f"{where}: " if where else ""
    if citation.confidential:
        body = f"{prefix}quote withheld (confidential submission)"
    else:
        body = f"{prefix}“{citation.quote}”"
    tag = (
        f" [{citation.language.upper()}]" if citation.language and citation.language != "en" else ""
    )
    return f"{body} [{citation.n}]{tag}"


def not_found_line(
    bullets: list[Bullet], submissions: dict[str, Submission], shown: int = 3
) -> str:
    """Return "Not found in: Kenya, Peru, … (6 more)" for the submitters without a bullet."""
    cited = {b.label for b in bullets}
    missing = []
    for sub in submissions.values():
        label = sub.submitter_label
        if label not in cited and label not in missing:
            missing.append(label)
    if not missing:
        return ""
    names = sorted({m.rsplit(" (", 1)[0] for m in missing})
    more = f", … ({len(names) - shown} more)" if len(names) > shown else ""
    return "Not found in: " + ", ".join(names[:shown]) + more


def extractive_answer(
    query: Query,
    ranked: list[Scored],
    sources: Sources,
    *,
    eligible: set[str] | None = None,
    cosine_margin: float = 0.0,
    settings: AnswerSettings | None = None,
) -> Extract:
    """Return the extractive answer to ``query`` from ``ranked`` passages.

    ``eligible`` limits the bullets to those passage ids; ``cosine_margin`` drops passages whose
    cosine is that far below the best one (0 keeps all). The lead line names the query's
    filters ("among NGOs").
    """
    settings = settings or AnswerSettings()
    filters = query.filters
    subs = sources.submissions()
    pool = [
        s
        for s in ranked[: settings.answer_passages]
        if eligible is None or s.passage.id in eligible
    ]
    if pool and cosine_margin > 0:  # weak passages give no bullet (they stay in the sources)
        best = max(s.cosine for s in pool)
        pool = [s for i, s in enumerate(pool) if i == 0 or s.cosine >= best - cosine_margin]
    picks = pick_sentences(query, pool, settings=settings)
    bullets = group_by_submitter(picks, subs, settings=settings)
    lines, claims, citations = render_bullets(bullets, sources)
    count = len(bullets)
    noun = "submitter addresses" if count == 1 else "submitters address"
    lead = f"{count} {noun} this question{describe_filters(filters)}:"
    scoped = {k: s for k, s in subs.items() if _in_scope(s, filters)}
    tail = not_found_line(bullets, scoped)
    out = [lead, "", *lines]
    if tail:
        out += ["", tail]
    return Extract(out, claims, citations)


def closest_material(
    query: Query,
    ranked: list[Scored],
    sources: Sources,
    *,
    settings: AnswerSettings | None = None,
) -> Extract:
    """Return the refusal text with the nearest passages labelled "Closest material"."""
    settings = settings or AnswerSettings()
    limit = settings.closest_passages
    subs = sources.submissions()
    picks = pick_sentences(query, ranked[:limit], settings=settings)
    bullets = group_by_submitter(picks, subs, max_bullets=limit, settings=settings)
    for bullet in bullets:
        del bullet.picks[1:]
    lines, _claims, citations = render_bullets(bullets, sources)
    out = [f"{NOT_ADDRESSED}."]
    if lines:
        out += ["", "Closest material (not an answer):", *lines]
    return Extract(out, [], citations)


def _in_scope(sub: Submission, filters: Filters | None) -> bool:
    from assistant.retrieval.retriever import matches
    from ingest.types import Passage

    if filters is None or filters.is_empty() or filters.language:
        return filters is None or filters.is_empty() or sub.language in filters.language
    probe = Passage("", sub.key, (), (), "", (), sub.language, 0, 0, "", "")
    return matches(filters, probe, sub)


def stream_lines(lines: list[str]) -> Iterator[str]:
    """Yield the answer line by line (each with its newline) for the streaming form."""
    for i, line in enumerate(lines):
        yield line + ("\n" if i < len(lines) - 1 else "")
