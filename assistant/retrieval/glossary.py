"""A cross-language glossary of the call's domain, used to reach passages in other languages.

The e5 embedder is cross-lingual, but weakly so for legal prose: for "Which oversight bodies can
compel officers to provide documents?" it ranks the French article that obliges a policeman to
hand over "informations et pièces" hundreds of places down. BM25 cannot help either, because
"documents" and "pièces" share no stem. The glossary bridges that gap: the question's terms are
looked up in its own language and their equivalents become a lexical query in each other
language (see :meth:`assistant.retrieval.retriever.Retriever.search`).

The glossary is data (``assistant/data/glossary.tsv``): one concept per line, English, French
and Spanish separated by tabs, variants within a language by "; ". Terms are matched after the
same analysis as the lexical index (stop words dropped, Snowball stems, accents folded), so one
form per word family is enough and "use of force" matches "the use of lethal force" only when
its words are adjacent after stop words are dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from assistant.errors import GlossaryError
from ingest.analysis import analysed_words, fold
from ingest.analysis import terms as analyse

logger = logging.getLogger(__name__)

LANGUAGES = ("en", "fr", "es")
BUNDLED = Path(__file__).resolve().parents[1] / "data" / "glossary.tsv"


@dataclass(frozen=True, slots=True)
class Concept:
    """One line of the glossary: the variants of a concept in each language."""

    terms: dict[str, tuple[str, ...]]
    line: int


class Glossary:
    """Looks up a question's terms and returns their equivalents in the other languages."""

    def __init__(self, concepts: Iterable[Concept]) -> None:
        self.concepts = list(concepts)
        # language -> first stem -> [(stems, concept index)]
        self._index: dict[str, dict[str, list[tuple[tuple[str, ...], int]]]] = {}
        for i, concept in enumerate(self.concepts):
            for language, variants in concept.terms.items():
                for variant in variants:
                    stems = tuple(analyse(variant, language))
                    if stems:
                        by_first = self._index.setdefault(language, {})
                        by_first.setdefault(stems[0], []).append((stems, i))

    def __len__(self) -> int:
        return len(self.concepts)

    @classmethod
    def load(cls, path: Path) -> Glossary:
        """Read a glossary file (see the module docstring for the format)."""
        concepts = []
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise GlossaryError(
                f"cannot read glossary file {path} ({exc}): it must be UTF-8 text with English, "
                "French and Spanish columns separated by tabs"
            ) from exc
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            columns = raw.rstrip("\n").split("\t")
            if len(columns) != len(LANGUAGES):
                raise GlossaryError(
                    f"glossary file {path}, line {number}: expected {len(LANGUAGES)} tab-separated "
                    f"columns ({', '.join(LANGUAGES)}), found {len(columns)}: fix the line or "
                    "SUBMISSIONS_GLOSSARY_FILE"
                )
            terms = {
                language: tuple(v.strip() for v in column.split(";") if v.strip())
                for language, column in zip(LANGUAGES, columns, strict=True)
            }
            concepts.append(Concept(terms=terms, line=number))
        return cls(concepts)

    def matches(self, text: str, language: str) -> list[Concept]:
        """Return the concepts whose ``language`` variants occur in ``text``, in text order."""
        found: dict[int, int] = {}
        for position, _, concept in self._scan(analyse(text, language), language):
            found.setdefault(concept, position)
        return [self.concepts[i] for i in sorted(found, key=found.__getitem__)]

    def equivalents(self, text: str, language: str) -> dict[str, list[tuple[str, str]]]:
        """Return, for each word of ``text`` inside a matched term, its concept's other variants.

        Keys are the words lower-cased and without accents; values are (language, variant)
        pairs in the other languages. Used to count a French "menottes" as covering an English
        question's "handcuff" when sentences and passages are scored.
        """
        kept = analysed_words(text, language)
        out: dict[str, list[tuple[str, str]]] = {}
        for position, length, concept in self._scan([t for _, t in kept], language):
            others = [
                (lang, v)
                for lang, variants in self.concepts[concept].terms.items()
                if lang != language
                for v in variants
            ]
            for word, _ in kept[position : position + length]:
                bucket = out.setdefault(fold(word), [])
                bucket.extend(o for o in others if o not in bucket)
        return out

    def translate(self, text: str, language: str) -> dict[str, str]:
        """Return, for each other language, the equivalents of the terms found in ``text``.

        The value is a plain string of terms ("menottes menotter entraves ..."), meant for a
        lexical query in that language; languages with no equivalent found are left out.
        """
        return self.equivalent_terms(self.matches(text, language), language)

    @staticmethod
    def equivalent_terms(concepts: Iterable[Concept], language: str) -> dict[str, str]:
        """Return the variants of ``concepts`` in each language but ``language``, as one string."""
        concepts = list(concepts)
        out: dict[str, str] = {}
        for target in LANGUAGES:
            if target == language:
                continue
            words = [v for c in concepts for v in c.terms.get(target, ())]
            if words:
                out[target] = " ".join(dict.fromkeys(words))
        return out

    def _scan(self, stems: list[str], language: str) -> Iterable[tuple[int, int, int]]:
        """Yield (position, length, concept index) for each variant found in ``stems``."""
        index = self._index.get(language, {})
        for position, stem in enumerate(stems):
            for variant, concept in index.get(stem, ()):
                if tuple(stems[position : position + len(variant)]) == variant:
                    yield position, len(variant), concept


def load(setting: str) -> Glossary:
    """Return the glossary a ``glossary_file`` setting names ("" = bundled, "off" = none)."""
    if setting.strip().lower() == "off":
        return Glossary([])
    if not setting:
        return bundled()
    path = Path(setting).expanduser()
    if not path.is_file():
        raise GlossaryError(
            f"glossary file {path} not found: fix SUBMISSIONS_GLOSSARY_FILE, or leave it empty "
            "for the bundled glossary"
        )
    return Glossary.load(path)


@cache
def bundled() -> Glossary:
    """Return the glossary shipped with the project (empty when the file is missing)."""
    if not BUNDLED.exists():
        logger.warning(
            "no glossary at %s: other-language passages are reached by meaning only", BUNDLED
        )
        return Glossary([])
    return Glossary.load(BUNDLED)
