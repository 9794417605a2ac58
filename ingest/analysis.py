"""The one text analyser: fold, words, stop words and stems for English, French and Spanish.

Used at ingest by the lexical index (``vectorstore/lexical.py``) and at query time by every
scorer (refusal coverage, sentence choice, the glossary, follow-ups), so that a word is the same
word on both sides.

- :func:`fold`: lower-cased, accents removed, typographic quotes made plain ("Procédure" ->
  "procedure").
- :func:`words`: the folded runs of letters and digits ("l'article" -> "l", "article").
- :func:`stop_words`: bm25s' lists for the language, folded (English for other languages).
- :func:`stem`: the language's Snowball stem (PyStemmer) of the lower-cased word, then folded;
  the stemmer sees the accents, which French and Spanish suffix rules need.
- :func:`terms`: the analysed content words of a text: stop words and single letters dropped,
  stemmed, folded. This is what the lexical index stores.

Nothing here loads a model.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache
from typing import Any

LANGUAGES = ("en", "fr", "es")
STEMMERS = {"en": "english", "fr": "french", "es": "spanish"}
_WORD = re.compile(r"[^\W_]+")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def fold(text: str) -> str:
    """Return ``text`` lower-cased, accents removed and typographic quotes made plain."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_QUOTES).lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold_map(text: str) -> tuple[str, list[int]]:
    """Return ``fold(text)`` and, for each of its characters, the offset it came from in ``text``.

    Folding may change lengths ("ﬁ" -> "fi"), so spans found in the folded text are mapped back
    through the offsets: ``offsets[i]`` is where folded character ``i`` starts in ``text``.
    """
    out: list[str] = []
    offsets: list[int] = []
    for i, char in enumerate(text):
        folded = fold(char)
        out.append(folded)
        offsets.extend([i] * len(folded))
    return "".join(out), offsets


def normalize_space(text: str) -> str:
    """Return ``text`` with every run of whitespace collapsed to one space, stripped."""
    return " ".join(text.split())


def raw_words(text: str) -> list[str]:
    """Return the lower-cased words of ``text`` with their accents (what the stemmer sees)."""
    return _WORD.findall(text.lower())


def words(text: str) -> list[str]:
    """Return the folded words of ``text`` (runs of letters and digits)."""
    return _WORD.findall(fold(text))


def language_of(language: str) -> str:
    """Return ``language`` when the analyser supports it, else English."""
    return language if language in STEMMERS else "en"


@cache
def stop_words(language: str) -> frozenset[str]:
    """Return the folded stop words of a language (bm25s' lists; English for unknown ones)."""
    from bm25s import stopwords

    lists = {
        "en": stopwords.STOPWORDS_EN_PLUS,
        "fr": stopwords.STOPWORDS_FRENCH,
        "es": stopwords.STOPWORDS_SPANISH,
    }
    return frozenset(fold(w) for w in lists[language_of(language)])


@cache
def _stemmer(language: str) -> Any:
    import Stemmer

    return Stemmer.Stemmer(STEMMERS[language_of(language)])


@lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> str:
    """Return the folded Snowball stem of one word in ``language``."""
    return fold(_stemmer(language).stemWord(word.lower()))


@lru_cache(maxsize=200_000)
def _fold_word(word: str) -> str:
    return fold(word)


@lru_cache(maxsize=200_000)
def _term(word: str, language: str) -> str:
    """Return the stem of one lower-cased word, or "" for a stop word or a single letter."""
    folded = _fold_word(word)
    if (len(folded) < 2 and not folded.isdigit()) or folded in stop_words(language):
        return ""
    return stem(word, language)


def is_content(word: str, language: str, extra_stops: frozenset[str] = frozenset()) -> bool:
    """Return True when ``word`` (any case) carries meaning: not a stop word, not one letter."""
    language = language_of(language)
    return bool(_term(word.lower(), language)) and _fold_word(word.lower()) not in extra_stops


def analysed_words(
    text: str, language: str, extra_stops: frozenset[str] = frozenset()
) -> list[tuple[str, str]]:
    """Return (lower-cased word, stem) for each content word of ``text``, in order."""
    language = language_of(language)
    pairs = ((w, _term(w, language)) for w in raw_words(text))
    if extra_stops:
        return [(w, t) for w, t in pairs if t and _fold_word(w) not in extra_stops]
    return [(w, t) for w, t in pairs if t]


def terms(text: str, language: str, extra_stops: frozenset[str] = frozenset()) -> list[str]:
    """Return the analysed content words of ``text`` in ``language`` (stemmed, folded)."""
    return [t for _, t in analysed_words(text, language, extra_stops)]


def stems_in(words_: Iterable[str], languages: Iterable[str] = LANGUAGES) -> set[str]:
    """Return the stems of ``words_`` under each language's stemmer (for cross-language use)."""
    return {stem(w, lang) for lang in languages for w in words_}
