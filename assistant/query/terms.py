"""A question's content words, matched against passages, sentences and headings.

Shared by retrieval (the heading list), the extractive answerer (sentence choice) and the
refusal check (coverage). Nothing here loads a model.
"""

from __future__ import annotations

from assistant.retrieval.glossary import Glossary
from assistant.text import content_terms, words


def query_language(query: str) -> str:
    """Return the language of a question (English when unsure)."""
    from ingest.metadata import detect_language

    return detect_language(query, default="en")


class QuestionTerms:
    """The question's content words, each as the set of its stems in en/fr/es.

    With a glossary, a word inside a domain term is also met, in a text of another language,
    by that term's equivalents there: "handcuff" by a French "menottes". Within the question's
    own language only the word itself counts (the glossary is not a thesaurus).
    """

    def __init__(self, question: str, glossary: Glossary | None = None) -> None:
        self.language = query_language(question)
        self.groups: list[set[str]] = []
        self.bridges: list[dict[str, set[str]]] = []
        seen: set[str] = set()
        found = glossary.equivalents(question, self.language) if glossary else {}
        for word in words(question):
            stems = {s for lang in ("en", "fr", "es") for s in content_terms(word, lang)}
            if stems and word not in seen:
                seen.add(word)
                self.groups.append(stems)
                bridge: dict[str, set[str]] = {}
                for language, variant in found.get(word, ()):
                    bridge.setdefault(language, set()).update(content_terms(variant, language))
                self.bridges.append(bridge)

    def covered(self, stems: set[str], language: str = "") -> list[bool]:
        """Return, per question word, whether ``stems`` (of a text in ``language``) meet it."""
        return [
            bool(group & stems) or bool(bridge.get(language, set()) & stems)
            for group, bridge in zip(self.groups, self.bridges, strict=True)
        ]

    def coverage(self, stems: set[str], language: str = "") -> float:
        """Return the share of the question's words met by ``stems`` (0..1)."""
        if not self.groups:
            return 0.0
        return sum(self.covered(stems, language)) / len(self.groups)
