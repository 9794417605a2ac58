"""The words that name groups of submitters and mark question kinds: data files, read once.

``assistant/data/groups.tsv`` (the groups and their words in en/fr/es) and
``assistant/data/question_cues.tsv`` (lead words, who-openers, document nouns, comparison words,
language phrases). Everything is folded (lower case, no accents) when read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ingest.analysis import fold

DATA = Path(__file__).resolve().parents[1] / "data"
AFTER_LEAD = r"(?:(?<=')|\s+)"  # what follows a lead word: spaces, or none after an elision ("d'")


@dataclass(frozen=True, slots=True)
class Group:
    """A group of submitters: its label, the submitter types it covers, the words naming it."""

    label: str
    types: tuple[str, ...]
    words: tuple[str, ...]


@cache
def groups() -> tuple[Group, ...]:
    """Return the groups of ``groups.tsv``, in file order."""
    out = []
    for raw in (DATA / "groups.tsv").read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        label, types, words = raw.split("\t")
        named = tuple(fold(w.strip()) for w in words.split(";") if w.strip())
        out.append(Group(label, tuple(t.strip() for t in types.split("|") if t.strip()), named))
    return tuple(_with_adjectives(g) for g in out)


def _with_adjectives(group: Group) -> Group:
    """Add the group's adjective before each plural document noun ("UN documents", "NGO
    submissions": the ``group_adjective`` cue, ``adjective=label``) and, in French and
    Spanish, its name after each such noun and a preposition ("les documents de l'ONU", "las
    contribuciones de la sociedad civil": the ``group_of`` and ``of_preposition`` cues)."""
    label = fold(group.label)
    adjectives = [a for a, of in coded("group_adjective").items() if of == label]
    nouns = cues().get(("language_noun", "en"), ()) + cues().get(("group_noun", "en"), ())
    made = [f"{a} {n}" for a in adjectives for n in nouns]
    names = [a for a, of in coded("group_of").items() if of == label]
    for language in ("fr", "es"):
        for noun in cues().get(("language_noun", language), ()):
            for prep in cues().get(("of_preposition", language), ()):
                joint = "" if prep.endswith("'") else " "
                made += [f"{noun} {prep}{joint}{name}" for name in names]
    return Group(group.label, group.types, tuple(dict.fromkeys(group.words + tuple(made))))


@cache
def phrase_table(path: Path) -> dict[tuple[str, str], tuple[str, ...]]:
    """Return (kind, language) -> folded phrases of a data file of lines ``kind <TAB> language
    <TAB> phrases, "; "-separated`` (``#`` starts a comment line)."""
    out: dict[tuple[str, str], tuple[str, ...]] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        kind, language, phrases = raw.split("\t")
        out[(kind, language)] = tuple(fold(p.strip()) for p in phrases.split(";") if p.strip())
    return out


def cues() -> dict[tuple[str, str], tuple[str, ...]]:
    """Return (cue, language) -> folded phrases, from ``question_cues.tsv``."""
    return phrase_table(DATA / "question_cues.tsv")


def cue(name: str) -> tuple[str, ...]:
    """Return the phrases of one cue in every language."""
    return tuple(
        p for (cue_name, _), phrases in cues().items() if cue_name == name for p in phrases
    )


def coded(name: str) -> dict[str, str]:
    """Return {phrase: language code} of a cue whose phrases end in "=code" ("in french=fr")."""
    return dict(p.rsplit("=", 1) for p in cue(name) if "=" in p)


def phrase_pattern(phrases: tuple[str, ...]) -> str:
    """Return a regex alternation matching any of ``phrases`` as whole words, longest first."""
    ordered = sorted(set(phrases), key=len, reverse=True)
    return "(?:" + "|".join(re.escape(p) for p in ordered) + ")"


def find(phrases: tuple[str, ...], folded: str) -> list[re.Match[str]]:
    """Return the whole-word occurrences of ``phrases`` in the folded text, in order."""
    if not phrases:
        return []
    return list(re.finditer(rf"(?<!\w){phrase_pattern(phrases)}(?!\w)", folded))
