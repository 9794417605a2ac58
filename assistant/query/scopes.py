"""Scopes: the submitters, countries and single documents a question names.

"Compare French and Peruvian police" names two scopes (the countries); "Malaysia's IPCMC Bill"
names the file whose title or name holds "IPCMC". Retrieval searches each scope as well as the
whole index, so named submissions are reached even when the question is in another language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from assistant.query.names import acronyms_in, acronyms_of, aliases_of, entities_all
from ingest.analysis import fold, fold_map
from ingest.types import Submission
from vectorstore.types import Filters

_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Scope:
    """One named scope: what named it, its label and the filter that selects it."""

    kind: str  # "country" | "submitter" | "document" (an acronym or number in titles)
    label: str  # "France", "Campaign Zero", "IPCMC"
    filters: Filters

    def side(self) -> str:
        """Return the scope as a ``key=value`` filter string ("country=France")."""
        if self.kind == "document":
            return "submission_key=" + ",".join(self.filters.submission_key)
        return f"{self.kind}={self.label}"


def scopes(question: str, submissions: Iterable[Submission]) -> list[Scope]:
    """Return one scope per submission group the question names (acronym, country, submitter)."""
    subs = list(submissions)
    found: list[Scope] = []
    keys_by_token: dict[str, list[str]] = {}
    for sub in subs:
        for token in dict.fromkeys(acronyms_of(sub)):  # once, if in the title and the file name
            keys_by_token.setdefault(token, []).append(sub.key)
    covered: set[str] = set()
    for token in acronyms_in(question):
        keys = keys_by_token.get(token)
        if keys and len(keys) < len(subs):
            found.append(Scope("document", token, Filters(submission_key=tuple(keys))))
            covered.update(keys)
    # Names add their own scopes ("Executive Order 14074 ... Campaign Zero"), except a name that
    # only widens an acronym's scope ("Malaysia's IPCMC Bill" is the Bill, not all of Malaysia).
    named = entities_all(question, {s.country for s in subs}, {s.submitter for s in subs})
    for kind, value in named:
        keys = {s.key for s in subs if getattr(s, kind) == value}
        if not keys & covered:
            found.append(Scope(kind, value, Filters(**{kind: (value,)})))
    return found


def text_scopes(question: str, acronyms: Mapping[str, Sequence[str]], total: int) -> list[Scope]:
    """Return a scope for each acronym of ``question`` that only some submissions' texts use
    (``acronyms``: acronym -> their keys; ``total``: the submissions indexed): "Who heads the
    IGP?" is about the Luxembourg law that names the IGP, though its title does not."""
    found = []
    for token in acronyms_in(question):
        keys = tuple(acronyms.get(token, ()))
        if keys and len(keys) * 2 <= total:
            found.append(Scope("document", token, Filters(submission_key=keys)))
    return found


def without_names(
    question: str, submissions: Iterable[Submission], *, countries: bool = False
) -> str:
    """Return ``question`` without the names that select scopes (acronyms, submitters).

    Inside a scope those words only repeat what the filter already says, and they pull the
    ranking toward title pages: "How do Malaysia's IPCMC and IPCC Bills differ in disciplinary
    powers?" is searched inside each Bill as "How do and Bills differ in disciplinary powers?".
    Country names go too when ``countries`` is set (scopes that are single documents); inside a
    country's scope they stay, because they anchor an English question to that country's
    French or Spanish text (measured in docs/benchmarks.md).
    """
    subs = list(submissions)
    tokens = {t for sub in subs for t in acronyms_of(sub)}
    known = {fold(s.country): s.country for s in subs if s.country}
    names = {t for t in acronyms_in(question) if t in tokens}
    names |= {s.submitter for s in subs if s.submitter and fold(s.submitter) not in known}
    if countries:
        for country in known.values():
            names |= {country, *aliases_of(country)}
    return remove_words(question, names)


def remove_words(text: str, names: Iterable[str]) -> str:
    """Return ``text`` without ``names`` (and their possessive "'s"), spaces tidied.

    Names in capitals are removed in that case only ("IPCMC"); others whatever their case and
    accents.
    The text itself comes back when nothing but punctuation would be left.
    """
    out = text
    folded, offsets = fold_map(out)  # "Pérou" goes for the alias "perou"
    for name in sorted(set(names), key=len, reverse=True):
        if not name:
            continue
        if name.isupper():
            pattern = rf"(?<!\w){re.escape(name)}(?:['’]s)?(?!\w)"
            spans = [m.span() for m in re.finditer(pattern, out)]
        else:
            pattern = rf"(?<!\w){re.escape(fold(name))}(?:'s)?(?!\w)"
            ends = [*offsets, len(out)]
            spans = [(ends[m.start()], ends[m.end()]) for m in re.finditer(pattern, folded)]
        if not spans:
            continue
        for start, end in reversed(spans):
            out = out[:start] + " " + out[end:]
        folded, offsets = fold_map(out)
    out = re.sub(r"\s+", " ", out).strip()
    return out if _WORD.search(out) else text
