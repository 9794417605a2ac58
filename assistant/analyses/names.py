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

from assistant.query.names import aliases_of
from assistant.query.terms import question_stop_words
from ingest.analysis import fold
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
            elif (
                len(folded) >= 3
                and folded not in question_stop_words()
                and folded not in _EXTRA_STOP
            ):
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


def country_aliases(country: str) -> frozenset[str]:
    """Return the folded names of ``country``: English, adjectives, French and Spanish names."""
    return aliases_of(country)
