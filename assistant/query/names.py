"""Names in a question: the countries and submitters of the index it mentions, and acronyms.

Country names and adjectives are data, not code: ``assistant/data/demonyms.tsv`` (adjectives and
short forms: "French", "U.S.") and pycountry's names with their French and Spanish translations
("Pérou", "Estados Unidos"). Only the countries of the index's submissions are ever looked for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from ingest.analysis import fold
from ingest.types import Submission

DEMONYMS = Path(__file__).resolve().parents[1] / "data" / "demonyms.tsv"
# numbers of five digits or more or of four that are no year ("Decreto 1186", "Ley 30714")
DOCUMENT_NUMBER = re.compile(r"\d{5,}|(?!(?:19|20)\d\d\b)\d{4}")
_ACRONYM = re.compile(rf"\b([A-Z]{{3,}}|{DOCUMENT_NUMBER.pattern})\b")  # and acronyms


@cache
def _aliases() -> dict[str, frozenset[str]]:
    """Return folded country name -> every folded alias naming it (itself included)."""
    table: dict[str, set[str]] = {}
    for raw in DEMONYMS.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        country, _, listed = raw.partition("\t")
        names = table.setdefault(fold(country.strip()), {fold(country.strip())})
        names.update(fold(a.strip()) for a in listed.split(";") if a.strip())
    for country, names in table.items():
        names.update(_pycountry_names(country))
    return {k: frozenset(v) for k, v in table.items()}


def _pycountry_names(country: str) -> set[str]:
    """Return pycountry's names of ``country`` in English, French and Spanish (folded)."""
    import gettext

    import pycountry

    try:
        record = pycountry.countries.lookup(country)
    except LookupError:
        return set()
    english = {getattr(record, field, "") for field in ("name", "common_name", "official_name")} - {
        ""
    }
    out = {fold(n) for n in english}
    for language in ("fr", "es"):
        try:
            translation = gettext.translation(
                "iso3166-1", pycountry.LOCALES_DIR, languages=[language]
            )
        except OSError:
            continue
        out.update(fold(translation.gettext(n)) for n in english)
    return {n for n in out if "," not in n}  # "korea, republic of" is never written in prose


def aliases_of(country: str) -> frozenset[str]:
    """Return the folded names and adjectives that name ``country`` (at least its own name)."""
    key = fold(country)
    return _aliases().get(key, frozenset({key}))


@cache
def _by_alias() -> dict[str, str]:
    """Return folded alias -> folded country, for every country of the table."""
    return {alias: country for country, names in _aliases().items() for alias in names}


@cache
def _multiword() -> re.Pattern[str]:
    names = sorted({a for a in _by_alias() if " " in a}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)")


def country_spans(folded: str) -> list[tuple[int, int]]:
    """Return the spans of country names of several words in a folded text ("united states",
    "estados unidos"): words inside them name no group of submitters."""
    return [m.span() for m in _multiword().finditer(folded)]


def country_of(word: str) -> str:
    """Return the folded country any name or adjective names ("peruvian" -> "peru"), or ""."""
    return _by_alias().get(fold(word).strip("."), "")


def country_named(word: str, countries: Iterable[str]) -> str:
    """Return which of ``countries`` the word or phrase ``word`` names ("" when none)."""
    key = fold(word).strip(".")
    for country in countries:
        if country and (key == fold(country) or key in aliases_of(country)):
            return country
    return ""


def _first(pattern_names: Iterable[str], folded: str) -> int:
    """Return the first offset in ``folded`` where one of the names occurs as words (-1)."""
    best = -1
    for name in pattern_names:
        if not name:
            continue
        found = re.search(rf"(?<!\w){re.escape(name)}(?!\w)", folded)
        if found and (best < 0 or found.start() < best):
            best = found.start()
    return best


def entities_all(
    text: str, countries: Iterable[str], submitters: Iterable[str]
) -> list[tuple[str, str]]:
    """Return every (kind, name) of a known country or submitter named in ``text``, in order."""
    folded = fold(text)
    known = {fold(c): c for c in countries if c}
    out: dict[tuple[str, str], int] = {}
    for key, name in known.items():
        at = _first(aliases_of(name) | {key}, folded)
        if at >= 0:
            out.setdefault(("country", name), at)
    for name in submitters:
        if not name or fold(name) in known:
            continue
        at = _first([fold(name)], folded)
        if at >= 0:
            out.setdefault(("submitter", name), at)
    return [pair for pair, _ in sorted(out.items(), key=lambda item: item[1])]


def entities(text: str, countries: Iterable[str], submitters: Iterable[str]) -> dict[str, str]:
    """Return {"country": …} / {"submitter": …}: the first of each kind named in ``text``."""
    found: dict[str, str] = {}
    for kind, name in entities_all(text, countries, submitters):
        found.setdefault(kind, name)
    return found


def acronyms_of(sub: Submission) -> list[str]:
    """Return the acronyms and long numbers in a submission's title and file name ("IPCMC")."""
    return _ACRONYM.findall(f"{sub.title} {sub.file}".replace("_", " ").replace("-", " "))


def acronyms_in(text: str) -> list[str]:
    """Return the acronyms and long numbers written in ``text``, in order, once each."""
    return list(dict.fromkeys(_ACRONYM.findall(text)))


_NAME = re.compile(r"(?<![\w’'])([A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*)*|\d{4})")
_GENERIC = {
    "what",
    "which",
    "who",
    "how",
    "when",
    "where",
    "why",
    "does",
    "do",
    "did",
    "is",
    "are",
    "according",
    "under",
    "in",
    "for",
    "and",
    "the",
    "compare",
    "list",
    "name",
    "give",
    "describe",
    "sur",
    "quels",
    "quelles",
    "que",
    "qué",
    "cuáles",
    "cómo",
    "quién",
    "le",
    "la",
}


def names_in(question: str) -> list[str]:
    """Return the capitalised words, acronyms and years of ``question`` (not its first word)."""
    out = []
    for i, match in enumerate(_NAME.finditer(question)):
        for word in match.group(1).split():
            w = re.sub(r"[’']s$", "", word).strip(".’'-")
            if not w or fold(w) in _GENERIC:
                continue
            if i == 0 and match.start() == 0 and word == match.group(1).split()[0]:
                continue  # the question's first word is capitalised anyway
            out.append(w)
    return list(dict.fromkeys(out))
