"""Cheap text analysis for query time: sentence spans with exact offsets, stems, content terms.

Nothing here loads a model: sentence scoring must fit the latency budget of an extractive answer.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import Stemmer

# Sentences longer than this are cut at clause boundaries ("; ", ": ") so a quote stays readable.
MAX_SENTENCE_CHARS = 360
MIN_SENTENCE_CHARS = 12

_STEMMER_NAMES = {
    "en": "english",
    "fr": "french",
    "es": "spanish",
    "de": "german",
    "pt": "portuguese",
    "it": "italian",
    "ru": "russian",
    "ar": "arabic",
}

# Words that never carry the topic of a question (en/fr/es); written for this project.
_STOP_WORDS = """
    a about above according across after again against all also am an and any are as at be
    because been before being below between both but by can could did do does doing done down
    during each either else ever every few for from further had has have having he her here
    hers him his how however i if in into is it its itself just least less like made make many
    may me might more most much must my neither no nor not now of off on once one only or other
    our out over own per rather same say said says shall she should since so some such than that
    the their them then there these they this those through thus to too under until up upon us
    very via was we were what when where whether which while who whom whose why will with within
    without would yet you your
    submission submissions submitter submitters describe described describes address addresses
    mention mentioned mentions tell told report reported reports according regarding concerning
    say says said do does kind kinds way ways which what how who whom
    au aux avec ce ces cet cette dans de des du elle elles en est et être il ils je la le les
    leur leurs lui ma mais me même mes ne ni nos notre nous on ont ou où par pas pour qu que qui
    sa sans se ses si son sont sur ta te tes toi ton tu un une vos votre vous y quel quelle
    quels quelles peut doit lorsqu lorsque ainsi cas
    al algo como con cual cuales cuando de del desde donde el ella ellos en entre era es esa ese
    eso esta este esto estos fue ha han hasta la las le les lo los más me mi muy ni no nos o
    otro para pero por que qué quien se ser si sin sobre su sus también te tiene tu un una uno
    unos y ya debe deben haber
"""
_STOP = frozenset(_STOP_WORDS.split())

_WORD = re.compile(r"[^\W_]+(?:[’'-][^\W_]+)*", re.UNICODE)
_ABBREV = {
    "art",
    "arts",
    "para",
    "paras",
    "no",
    "nos",
    "mr",
    "mrs",
    "ms",
    "dr",
    "e.g",
    "i.e",
    "etc",
    "vs",
    "cf",
    "fig",
    "sec",
    "s",
    "ss",
    "inc",
    "ltd",
    "st",
    "jr",
    "sr",
    "al",
    "op",
    "p",
    "pp",
    "u.s",
    "u.k",
    "u.n",
    "v",
    "n",
    "nº",
    "núm",
    "cap",
    "ch",
}
_END = re.compile(r"[.!?](?:[\"”’»)\]]*)(?=\s)")
_CLAUSE = re.compile(r"[;:](?=\s)")


def normalize_space(text: str) -> str:
    """Return ``text`` with every run of whitespace collapsed to one space, stripped."""
    return " ".join(text.split())


def fold(text: str) -> str:
    """Return ``text`` lower-cased, accents removed and typographic quotes made plain."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    nfkd = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in nfkd if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """Return the words of ``text`` (letters and digits), folded."""
    return _WORD.findall(fold(text))


@cache
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(_STEMMER_NAMES.get(language, "english"))


def content_terms(text: str, language: str = "en") -> list[str]:
    """Return the stems of ``text``'s content words (stop words and 1-letter words dropped)."""
    kept = [w for w in words(text) if w not in _STOP and len(w) > 1]
    return _stemmer(language).stemWords(kept)


def multi_stems(text: str, languages: tuple[str, ...] = ("en", "fr", "es")) -> set[str]:
    """Return the content stems of ``text`` under each language's stemmer (for cross-language)."""
    out: set[str] = set()
    for language in languages:
        out.update(content_terms(text, language))
    return out


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Return (start, end) offsets of the sentences of ``text[start:end]``, whitespace trimmed.

    Boundaries: blank lines and line breaks (blocks and table rows), sentence-final punctuation
    before a space (skipping abbreviations such as "art." or "U.S."), and for long sentences
    the clause marks "; " and ": ".
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for line_start, line_end in _lines(text, start, end):
        for s, e in _sentences(text, line_start, line_end):
            if e - s > MAX_SENTENCE_CHARS:
                spans.extend(_split_at(text, s, e, _CLAUSE))
            else:
                spans.append((s, e))
    return [(s, e) for s, e in (_trim(text, s, e) for s, e in spans) if e - s >= MIN_SENTENCE_CHARS]


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, pos = [], start
    while pos < end:
        nl = text.find("\n", pos, end)
        if nl == -1:
            out.append((pos, end))
            break
        out.append((pos, nl))
        pos = nl + 1
    return out


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, pos = [], start
    for match in _END.finditer(text, start, end):
        cut = match.end()
        if text[match.start()] == "." and _is_abbreviation(text, start, match.start()):
            continue
        nxt = text[cut:end].lstrip()[:1]
        if nxt and nxt.islower():
            continue
        out.append((pos, cut))
        pos = cut
    if pos < end:
        out.append((pos, end))
    return out


def _is_abbreviation(text: str, line_start: int, dot: int) -> bool:
    word_start = dot
    while word_start > line_start and not text[word_start - 1].isspace():
        word_start -= 1
    token = text[word_start:dot].lstrip("(\"“'«").lower()
    if not token:
        return False
    if token.isdigit() or (token.count(".") and token.replace(".", "").isdigit()):
        return word_start == line_start  # a typed paragraph number such as "12." or "4.2."
    return token in _ABBREV or (len(token) == 1 and token.isalpha())


def _split_at(text: str, start: int, end: int, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    out, pos = [], start
    for match in pattern.finditer(text, start, end):
        if match.end() - pos >= MIN_SENTENCE_CHARS * 3:
            out.append((pos, match.end()))
            pos = match.end()
    out.append((pos, end))
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
