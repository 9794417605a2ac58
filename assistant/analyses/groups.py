"""The group a question names ("Which States …", "¿Qué ONG …") and the kind of question.

Minimal stand-in for the group and kind detection of ``assistant.query`` (issue 13): the words
are data (``assistant/data/groups.json``), matched after an interrogative or "among" head, so
"United States" never reads as "States". The integrator folds this into the typed Query.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from vectorstore.types import Filters

DATA = Path(__file__).resolve().parents[1] / "data" / "groups.json"
KINDS = ("answer", "who", "compare")
_ARTICLES = r"(?:(?:of\s+)?the\s+|les\s+|des\s+|los\s+|las\s+|d'|de\s+)?"


@dataclass(frozen=True, slots=True)
class Group:
    """A group of submitters named in a question, as filters, and how to say it."""

    submitter_type: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    label: str = ""  # "States", "NGOs and civil society", "submissions in French"

    def filters(self, base: Filters | None = None) -> Filters | None:
        """Return ``base`` narrowed to the group (None when neither filters anything)."""
        base = base or Filters()
        values = {name: getattr(base, name) for name in Filters.__slots__}
        if self.submitter_type and not base.submitter_type:
            values["submitter_type"] = self.submitter_type
        if self.language and not base.language:
            values["language"] = self.language
        out = Filters(**values)
        return None if out.is_empty() else out


@cache
def _data() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def _alternation(terms: list[str]) -> str:
    ordered = sorted(set(terms), key=len, reverse=True)  # longest first: "civil society" wins
    return "|".join(re.escape(t) for t in ordered)


@cache
def _patterns() -> tuple[list[tuple[str, str, re.Pattern[str]]], list[tuple[str, re.Pattern[str]]]]:
    data = _data()
    heads = [h for lang in data["heads"].values() for h in lang]
    head = _alternation(heads)
    types = []
    for kind, entry in data["types"].items():
        words = [w for lang in ("en", "fr", "es") for w in entry.get(lang, [])]
        pattern = re.compile(
            rf"(?<!\w)(?:{head})\s+{_ARTICLES}(?:\w+\s+)?(?:{_alternation(words)})(?!\w)"
            rf"|(?<!\w)(?:submissions|contributions|inputs)\s+(?:from|by|de|des|por)\s+"
            rf"{_ARTICLES}(?:{_alternation(words)})(?!\w)",
            re.IGNORECASE,
        )
        types.append((kind, entry["label"], pattern))
    lang_head = _alternation([h for v in data["language_heads"].values() for h in v])
    languages = []
    for code, names in data["languages"].items():
        words = [w for v in names.values() for w in v]
        pattern = re.compile(
            rf"(?<!\w)(?:{lang_head})\s+(?:{_alternation(words)})(?!\w)"
            rf"|(?<!\w)(?:{_alternation(words)})-language(?!\w)",
            re.IGNORECASE,
        )
        languages.append((code, pattern))
    return types, languages


LANGUAGE_LABELS = {"en": "English", "fr": "French", "es": "Spanish"}


def detect_group(question: str) -> Group | None:
    """Return the group of submitters ``question`` names, or None."""
    types, languages = _patterns()
    kinds = [(kind, label) for kind, label, p in types if p.search(question)]
    langs = [code for code, p in languages if p.search(question)]
    if not kinds and not langs:
        return None
    labels = [label for _, label in kinds]
    labels += [f"submissions in {LANGUAGE_LABELS.get(c, c)}" for c in langs]
    return Group(
        submitter_type=tuple(k for k, _ in kinds),
        language=tuple(langs),
        label=" and ".join(labels),
    )


def _has(question: str, section: str) -> bool:
    terms = [t for lang in _data()[section].values() for t in lang]
    return (
        re.search(rf"(?<!\w)(?:{_alternation(terms)})(?!\w)", question, re.IGNORECASE) is not None
    )


def question_kind(question: str) -> str:
    """Return "who" (which submissions / States / NGOs …), "compare" or "answer"."""
    head = question.strip().lstrip("¿¡").strip()
    types, _ = _patterns()
    if _has(head, "who") or any(p.match(head) for _, _, p in types):
        return "who"
    if _has(head, "compare"):
        return "compare"
    return "answer"


def asks_full_list(question: str) -> bool:
    """Return True when the user asks for the full list behind an earlier answer."""
    return _has(question, "full_list") and len(question.split()) <= 12
