"""Does a passage state the quantity a question asks for?

A question asking "How many complaints …", "Combien de mandats …" or "¿Cuántos policías …" is
answered only by a sentence that states a quantity ("over 9,000 warrants", "85% of stops",
"five experts") about the thing counted: the first content word after the quantity words. The
numbers of a legal text that name provisions ("article 12"), dates ("18 July 2018"), years and
list markers ("37.") state no quantity. The refusal reads this as one feature (see
``Judge.question_features``). Words are data: ``assistant/data/quantities.tsv`` and the
``quantity`` cue of ``assistant/data/question_cues.tsv``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

from assistant.answering.sentences import sentence_spans
from assistant.query.cues import cue, find, phrase_pattern, phrase_table
from assistant.query.terms import Terms
from ingest.analysis import fold, terms

DATA = Path(__file__).resolve().parents[1] / "data" / "quantities.tsv"
_DIGITS = re.compile(r"(?<![\w/.,])\d{1,3}(?:[,.\s]\d{3})*(?:[.,]\d+)?(?![\w/])")
_YEAR = re.compile(r"(?:19|20)\d\d")


def _of(kind: str, language: str) -> tuple[str, ...]:
    table = phrase_table(DATA)
    return table.get((kind, language), ()) or table.get((kind, "en"), ())


@cache
def _patterns(language: str) -> tuple[re.Pattern[str], ...]:
    units = phrase_pattern(_of("unit", language))
    number = re.compile(rf"(?<!\w){phrase_pattern(_of('number', language))}(?!\w)(?!\s+of\s+the\b)")
    share = re.compile(rf"\d+(?:[.,]\d+)?\s?{units}(?!\w)")
    month = phrase_pattern(_of("month", language))
    marker = re.compile(rf"(?<!\w){phrase_pattern(_of('marker', language))}[\s.]*$")
    return (
        number,
        share,
        re.compile(rf"^\s*(?:de\s+|du\s+)?{month}(?!\w)"),
        re.compile(rf"{month}\s*$"),
        marker,
    )


def states_quantity(sentence: str, language: str = "en") -> bool:
    """Return True when ``sentence`` (in ``language``) states a quantity (see the module)."""
    folded = fold(sentence)
    number, share, month_after, month_before, marker = _patterns(language)
    if share.search(folded) or number.search(folded):
        return True
    for match in _DIGITS.finditer(folded):
        token, before = match.group(0).strip(), folded[: match.start()]
        after = folded[match.end() : match.end() + 14]
        if _YEAR.fullmatch(token) or match.start() < 3 or marker.search(before[-16:]):
            continue  # a year, a sentence's own number, a provision's number
        if month_after.match(after) or month_before.search(before[-12:]):
            continue  # a date
        if re.match(r"\s*[.)\]:]", after) and not re.match(r"\s*[.,]\d", after):
            continue  # a list marker "12." or "3)"
        return True
    return False


def counted(question: str, found: Terms) -> tuple[int, ...] | None:
    """Return the indexes of ``found``'s words naming what ``question`` counts (the first content
    word after its quantity words; all its words when none follows), or None when it asks for no
    quantity."""
    folded = fold(question)
    asked = find(cue("quantity"), folded)
    if not asked:
        return None
    after = folded[asked[0].end() :]
    place = {
        i: m.start()
        for i, word in enumerate(found.words)
        if (m := re.search(rf"(?<!\w){re.escape(word)}(?!\w)", after))
    }
    if not place:
        return tuple(range(len(found.words)))
    return (min(place, key=place.__getitem__),)


def quantity_missing(
    found: Terms, words: Sequence[int] | None, passages: Iterable[tuple[str, str]]
) -> float:
    """Return 1.0 when a question asks for a quantity (``words``: what it counts, see
    :func:`counted`) and no sentence of ``passages`` ((text, language) pairs) states one about
    it; else 0.0."""
    if words is None:
        return 0.0
    held = (holds_quantity(text, language, found, words) for text, language in passages)
    return 0.0 if any(held) else 1.0


def holds_quantity(text: str, language: str, found: Terms, words: Sequence[int]) -> bool:
    """Return True when a sentence of ``text`` holds one of ``found``'s ``words`` (itself or a
    glossary equivalent) and states a quantity. In a passage in another language than the
    question any of its words will do (names, numbers, words spelt alike, glossary terms): the
    counted word may have no equivalent there."""
    cross = language != found.language
    every = range(len(found.words))
    for start, end in sentence_spans(text) or [(0, len(text))]:
        sentence = text[start:end]
        if not states_quantity(sentence, language):
            continue
        met = found.covered(set(terms(sentence, language)), language)
        if any(met[i] > 0 for i in (every if cross else words)):
            return True
    return False
