"""A question's content words, analysed once, matched against passages, sentences and headings.

Read by the refusal check (coverage) and the extractive answerer (sentence choice) through
``Query.terms``. Words, stop words and stems come from :mod:`ingest.analysis`, the analyser the
lexical index uses at ingest, so a word is the same word on both sides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from assistant.retrieval.glossary import Glossary
from ingest.analysis import LANGUAGES, fold, raw_words, stem, stop_words, terms

QUESTION_WORDS = Path(__file__).resolve().parents[1] / "data" / "question_words.tsv"


def query_language(query: str) -> str:
    """Return the language of a question: "en", "fr" or "es" (English when unsure).

    A question is short, so the function-word count alone rarely decides ("Combien de mandats
    …" has none of its French words); the statistical detector then reads it, as it reads a
    document's text, and a question of under four words only when it is sure ("Quels États ?").
    """
    from ingest.metadata import detect_language, sure_language

    guess = detect_language(query) or sure_language(query)  # under four words: when it is sure
    return guess if guess in LANGUAGES else "en"


@cache
def question_stop_words() -> frozenset[str]:
    """Return the words no question's topic is made of: every language's stop words and the
    words that frame a question to this tool (``assistant/data/question_words.tsv``)."""
    out: set[str] = set()
    for language in LANGUAGES:
        out |= stop_words(language)
    for raw in QUESTION_WORDS.read_text(encoding="utf-8").splitlines():
        if raw.strip() and not raw.startswith("#"):
            _, _, listed = raw.partition("\t")
            out.update(fold(w) for w in listed.split())
    return frozenset(out)


@dataclass(frozen=True)
class Terms:
    """The question's content words, each with its stem in en/fr/es and glossary bridges.

    ``words`` are folded and unique, in question order; ``stems[lang][i]`` is the stem of
    ``words[i]`` in ``lang``. ``bridges[i]`` holds, by language, the glossary equivalents of
    the term ``words[i]`` is part of, each as the set of its stems: a French "menottes" meets
    an English "handcuff". An equivalent meets the word in the share of its stems a text holds:
    "body" in "body-worn camera" is met whole by "cámara corporal", by half by "corporalmente"
    alone. Within the question's own language only the word itself counts (the glossary is not
    a thesaurus).
    """

    language: str
    words: tuple[str, ...]
    stems: Mapping[str, tuple[str, ...]]
    bridges: tuple[Mapping[str, tuple[frozenset[str], ...]], ...] = ()

    def groups(self) -> list[set[str]]:
        """Return, per word, the set of its stems in every language."""
        return [{self.stems[lang][i] for lang in self.stems} for i in range(len(self.words))]

    def covered(self, stems: set[str], language: str = "", *, bridges: bool = True) -> list[float]:
        """Return, per question word, how far ``stems`` (of a text in ``language``) meet it:
        1 for the word itself, else the largest share of one equivalent's stems held."""
        out = []
        for i, group in enumerate(self.groups()):
            bridge = self.bridges[i].get(language, ()) if bridges and self.bridges else ()
            if group & stems:
                out.append(1.0)
            else:
                out.append(max((len(v & stems) / len(v) for v in bridge), default=0.0))
        return out

    def coverage(self, stems: set[str], language: str = "", *, bridges: bool = True) -> float:
        """Return the share of the question's words met by ``stems`` (0..1)."""
        if not self.words:
            return 0.0
        return sum(self.covered(stems, language, bridges=bridges)) / len(self.words)


def question_terms(text: str, language: str, glossary: Glossary | None = None) -> Terms:
    """Return the analysed content words of the question ``text`` written in ``language``."""
    stops = question_stop_words()
    found = glossary.equivalents(text, language) if glossary else {}
    words: list[str] = []
    raws: list[str] = []
    for raw in raw_words(text):
        word = fold(raw)
        if word in stops or word in words or (len(word) < 2 and not word.isdigit()):
            continue
        words.append(word)
        raws.append(raw)
    stems = {lang: tuple(stem(raw, lang) for raw in raws) for lang in LANGUAGES}
    bridges = []
    for word in words:
        bridge: dict[str, list[frozenset[str]]] = {}
        for other, variant in found.get(word, ()):
            whole = frozenset(terms(variant, other))
            if whole and whole not in bridge.setdefault(other, []):
                bridge[other].append(whole)
        bridges.append({k: tuple(v) for k, v in bridge.items()})
    return Terms(language, tuple(words), stems, tuple(bridges))


def text_stems(text: str, language: str) -> set[str]:
    """Return the stems of a passage's or sentence's content words (its own language)."""
    return set(terms(text, language or "en"))
