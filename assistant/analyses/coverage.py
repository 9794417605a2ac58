"""The coverage matrix: submissions x themes, from the stored theme tags and staff corrections.

A cell counts the passages judged to address the theme (score >= 0.5), holds the strength (the
best passage's probability) and the strongest verbatim quote: one sentence (or two adjacent ones
of the same line) of the best passage, so that ``quote == text[char_start:char_end]``. A staff
correction replaces the count and is marked; re-tagging never overrides it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assistant.answering.citations import build_citation
from assistant.answering.sentences import sentence_spans
from assistant.themes.profile import CallProfile, Theme
from assistant.themes.scorer import seed_stems
from assistant.types import Citation
from ingest.analysis import terms as content_terms
from ingest.types import Document, Passage, Submission
from vectorstore.tags import TAG_THRESHOLD, ThemeTags
from vectorstore.types import Hit

SHORT_QUOTE = 80  # a best sentence shorter than this takes the next sentence of its line too


@dataclass(frozen=True, slots=True)
class Cell:
    """One submission x theme cell."""

    passages: int
    strength: float
    citation: Citation | None  # the strongest quote; None when not addressed
    passage_ids: tuple[str, ...] = ()  # the passages scored >= 0.5, strongest first
    corrected: bool = False
    note: str = ""

    @property
    def addressed(self) -> bool:
        return self.passages > 0


@dataclass(frozen=True, slots=True)
class Row:
    submission: Submission
    cells: dict[str, Cell]


@dataclass(frozen=True, slots=True)
class Coverage:
    themes: tuple[Theme, ...]
    rows: tuple[Row, ...]

    def totals(self) -> dict[str, int]:
        """Return per theme the number of submissions addressing it."""
        return {t.id: sum(r.cells[t.id].addressed for r in self.rows) for t in self.themes}

    def total_line(self, theme_id: str) -> str:
        """Return "T3: 6 of 15 submissions"."""
        n = len(self.rows)
        return f"{theme_id}: {self.totals()[theme_id]} of {n} submission{'s' * (n != 1)}"


@dataclass(frozen=True, slots=True)
class SubmissionFilter:
    """Submission-level filters of the matrix (empty tuple = any)."""

    submitter_type: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    language: tuple[str, ...] = ()

    def keeps(self, s: Submission) -> bool:
        return (
            (not self.submitter_type or s.submitter_type in self.submitter_type)
            and (not self.country or s.country in self.country)
            and (not self.language or s.language in self.language)
        )


class QuoteChooser:
    """Chooses the strongest sentence of a passage for a theme (seed words, then position)."""

    def __init__(self, profile: CallProfile) -> None:
        self.stems = dict(zip(profile.ids, seed_stems(profile), strict=True))

    def span(self, document: Document, passage: Passage, theme_id: str) -> tuple[int, int]:
        """Return offsets of the quote inside ``passage`` (canonical text offsets)."""
        text = document.text
        spans = sentence_spans(text, passage.char_start, passage.char_end) or [
            (passage.char_start, passage.char_end)
        ]
        stems = self.stems.get(theme_id, {})

        def weight(span: tuple[int, int]) -> float:
            found = set(content_terms(text[span[0] : span[1]], passage.language or "en"))
            return sum(w for s, w in stems.items() if s in found)

        best = max(range(len(spans)), key=lambda i: (weight(spans[i]), -i))
        start, end = spans[best]
        if end - start < SHORT_QUOTE and best + 1 < len(spans):
            nxt = spans[best + 1]
            if "\n" not in text[end : nxt[0]]:
                end = nxt[1]
        return start, end


def build_coverage(
    store: Any, profile: CallProfile, where: SubmissionFilter | None = None
) -> Coverage:
    """Return the matrix for every submission ``where`` keeps."""
    where = where or SubmissionFilter()
    subs = [s for s in store.submissions() if where.keeps(s)]
    tags = ThemeTags(store.registry)
    owner = dict(store.registry.query("SELECT id, key FROM passages"))
    ranked: dict[tuple[str, str], list[tuple[float, str]]] = {}
    for pid, by_theme in tags.scores().items():
        key = owner.get(pid)
        if key is None:
            continue
        for theme, score in by_theme.items():
            ranked.setdefault((key, theme), []).append((score, pid))
    corrections = tags.corrections()
    chooser = QuoteChooser(profile)
    best_ids = [
        max(ranked[(s.key, t.id)])[1]
        for s in subs
        for t in profile.themes
        if ranked.get((s.key, t.id))
    ]
    best = store.registry.get_passages(best_ids)
    rows = []
    for sub in subs:
        document: Document | None = None
        cells = {}
        for theme in profile.themes:
            scored = sorted(ranked.get((sub.key, theme.id), []), reverse=True)
            kept = tuple(pid for score, pid in scored if score >= TAG_THRESHOLD)
            fix = corrections.get((sub.key, theme.id))
            count = fix.passages if fix else len(kept)
            strength = scored[0][0] if scored and count else 0.0
            citation = None
            if count and scored and scored[0][1] in best:
                document = document or store.document(sub.key)
                passage = best[scored[0][1]]
                start, end = chooser.span(document, passage, theme.id)
                citation = build_citation(1, Hit(passage, strength), sub, document, start, end)
            cells[theme.id] = Cell(
                passages=count,
                strength=round(float(strength), 3),
                citation=citation,
                passage_ids=kept,
                corrected=fix is not None,
                note=fix.note if fix else "",
            )
        rows.append(Row(sub, cells))
    return Coverage(profile.themes, tuple(rows))


def cell_citations(
    store: Any, profile: CallProfile, key: str, theme_id: str, limit: int = 20
) -> list[Citation]:
    """Return the citation cards of one cell's passages, strongest first (numbered from 1)."""
    sub = store.submission(key)
    document = store.document(key)
    scores = ThemeTags(store.registry).scores([key])
    order = sorted(((s.get(theme_id, 0.0), pid) for pid, s in scores.items()), reverse=True)
    kept = [(score, pid) for score, pid in order if score >= TAG_THRESHOLD][:limit]
    found = store.registry.get_passages([pid for _, pid in kept])
    chooser = QuoteChooser(profile)
    out = []
    for score, pid in kept:
        if pid not in found:
            continue
        passage = found[pid]
        start, end = chooser.span(document, passage, theme_id)
        out.append(build_citation(len(out) + 1, Hit(passage, score), sub, document, start, end))
    return out


def cell_record(cell: Cell) -> dict[str, Any]:
    """Return a cell as in ``coverage --json``."""
    c = cell.citation
    out: dict[str, Any] = {
        "passages": cell.passages,
        "strength": cell.strength if cell.passages else 0,
        "quote": c.quote if c and cell.passages else None,
        "locator": c.locator if c and cell.passages else None,
        "char_start": c.char_start if c and cell.passages else None,
        "char_end": c.char_end if c and cell.passages else None,
    }
    if cell.corrected:
        out["corrected"] = True
        if cell.note:
            out["note"] = cell.note
    return out


def coverage_record(coverage: Coverage) -> dict[str, Any]:
    """Return the ``coverage --json`` document."""
    return {
        "themes": [{"id": t.id, "label": t.label} for t in coverage.themes],
        "submissions": [
            {
                "submission_key": r.submission.key,
                "file": r.submission.file,
                "submitter": r.submission.submitter,
                "submitter_type": r.submission.submitter_type,
                "country": r.submission.country,
                "language": r.submission.language,
                "cells": {t: cell_record(c) for t, c in r.cells.items()},
            }
            for r in coverage.rows
        ],
    }


def covered_themes(coverage: Coverage, key: str) -> Sequence[tuple[Theme, Cell]]:
    """Return the themes one submission addresses, strongest first (the library card)."""
    row = next((r for r in coverage.rows if r.submission.key == key), None)
    if row is None:
        return []
    pairs = [(t, row.cells[t.id]) for t in coverage.themes if row.cells[t.id].addressed]
    return sorted(pairs, key=lambda p: -p[1].strength)
