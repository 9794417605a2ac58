"""How a question can name one submission: tokens of titles, file names and years; countries.

``name_tokens(sub)`` are the folded words of a submission's title and file name (split at
capitals and digits: "WhiteHouse-FactSheet-EO14074-2024" gives white, house, fact, sheet, eo,
14074, 2024) and the year of its date. ``question_tokens(text)`` are the words of a question
that can name a document: capitalised words (not the question's first word), acronyms and
numbers of four digits or more. A lower-case word never names a document, so a topic word
("investigation") cannot pick the document whose title holds it.
"""

from __future__ import annotations

import re
from functools import cache

from assistant.followup import DEMONYMS
from assistant.text import _STOP, fold
from ingest.types import Submission

_SPLIT = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z\u00C0-\u024F]+|\d+")
_QUESTION_WORD = re.compile(r"[^\W_]+(?:[.-][^\W_]+)*", re.UNICODE)
_ELISION = re.compile(r"^(?:l|d|qu|s|n|j|m|c)['’]", re.IGNORECASE)
_EXTRA_STOP = {"bill", "law", "act", "the", "and", "docx", "for", "des", "del", "los", "las", "une"}


@cache
def _tokens_of(text: str) -> frozenset[str]:
    out = set()
    for word in re.split(r"[\s_\-–—/.,:;()’'\"]+", text):
        for part in _SPLIT.findall(word) or [word]:
            folded = fold(part)
            if folded.isdigit():
                if len(folded) >= 4:
                    out.add(folded)
            elif len(folded) >= 3 and folded not in _STOP and folded not in _EXTRA_STOP:
                out.add(folded)
    return frozenset(out)


def name_tokens(sub: Submission) -> frozenset[str]:
    """Return the tokens that name ``sub``: title and file words, acronyms, numbers, year."""
    tokens = set(_tokens_of(f"{sub.title} {sub.file.rsplit('.', 1)[0]}"))
    if sub.date[:4].isdigit():
        tokens.add(sub.date[:4])
    return frozenset(tokens)


def question_tokens(text: str, *, skip_first: bool = True, every_word: bool = False) -> list[str]:
    """Return the folded words of ``text`` that may name a document (see the module doc).

    ``every_word``: a side typed on the command line, where lower-case words count too.
    """
    out: list[str] = []
    for i, match in enumerate(_QUESTION_WORD.finditer(text)):
        word = _ELISION.sub("", re.sub(r"['’]s$", "", match.group()))
        if i == 0 and skip_first:
            continue
        named = every_word or word[:1].isupper() or (word.isdigit() and len(word) >= 4)
        if not named:
            continue
        for part in _tokens_of(word):
            if part not in out:
                out.append(part)
    return out


@cache
def country_aliases(country: str) -> frozenset[str]:
    """Return the folded names of ``country``: English, adjectives, French and Spanish names."""
    key = fold(country)
    names = {key} | {d for d, c in DEMONYMS.items() if c and fold(c) == key}
    names |= _translated(country)
    return frozenset(n for n in names if n)


def _translated(country: str) -> set[str]:
    try:
        import gettext

        import pycountry
    except ImportError:  # pragma: no cover - pycountry is a dependency
        return set()
    try:
        record = pycountry.countries.lookup(country)
    except LookupError:
        return set()
    english = {getattr(record, f, "") for f in ("name", "common_name")} - {""}
    out = {fold(n) for n in english}
    for language in ("fr", "es"):
        try:
            translation = gettext.translation(
                "iso3166-1", pycountry.LOCALES_DIR, languages=[language]
            )
        except OSError:
            continue
        for name in english:
            out.add(fold(translation.gettext(name)))
    out |= {re.sub(r"\s*\(.*\)$", "", n) for n in out}  # "perou (le)" -> "perou"
    return {n for n in out if "," not in n}
