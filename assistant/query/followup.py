"""Follow-up questions without an LLM: carry the previous topic, add the new entity or filter.

"And what does the French code say about that?" after "What obstacles to prosecuting officers
are reported?" becomes "… (obstacles prosecuting officers reported)" with the filter
country=France. Anaphora ("that", "it", "he", "the body you mentioned") and a leading "and" /
"what about" mark a follow-up. A country or submitter named in a follow-up becomes a filter when
it is one of the index's submitters; when the follow-up then has enough words of its own, the
filter alone carries the context and no terms are added.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from assistant.text import _STOP, fold
from ingest.types import Submission
from vectorstore.types import Filters

logger = logging.getLogger(__name__)

Turn = str | Mapping[str, str]

# Adjectives and short forms that name a country (folded); extend as submissions arrive.
DEMONYMS = {
    "french": "France",
    "france": "France",
    "peruvian": "Peru",
    "peru": "Peru",
    "peruvians": "Peru",
    "malaysian": "Malaysia",
    "malaysia": "Malaysia",
    "kenyan": "Kenya",
    "kenya": "Kenya",
    "luxembourg": "Luxembourg",
    "luxembourgish": "Luxembourg",
    "american": "United States",
    "us": "United States",
    "u.s": "United States",
    "usa": "United States",
    "federal": "",
    "british": "United Kingdom",
    "uk": "United Kingdom",
    "brazilian": "Brazil",
    "brazil": "Brazil",
    "mexican": "Mexico",
    "mexico": "Mexico",
    "colombian": "Colombia",
    "colombia": "Colombia",
    "spanish": "Spain",
    "spain": "Spain",
    "german": "Germany",
    "germany": "Germany",
    "canadian": "Canada",
    "canada": "Canada",
    "australian": "Australia",
    "australia": "Australia",
    "chilean": "Chile",
    "chile": "Chile",
}
_LEADS = ("and ", "and,", "what about", "how about", "also ", "et ", "y ", "same for", "then ")
_PRONOUNS = {"he", "she", "it", "they", "them", "his", "her", "its", "their", "him", "theirs"}
_DEICTIC_TAIL = re.compile(
    r"\b(?:about|on|of|with|for|regarding|say|says)\s+(?:that|this|those|these|it)\b"
)
_MENTIONED = re.compile(r"\b(?:you mentioned|mentioned above|the same|above|aforementioned)\b")
_WORD = re.compile(r"[^\W_]+(?:[.'’-][^\W_]+)*")
MIN_OWN_WORDS = 3  # a follow-up with a filter and this many own content words carries no terms


@dataclass(frozen=True, slots=True)
class Resolved:
    """A question made standalone: text for retrieval, filters it implies, what was carried."""

    question: str
    filters: Filters | None
    is_followup: bool
    carried: tuple[str, ...] = ()


def turn_question(turn: Turn) -> str:
    """Return the question of one history turn (a string or {question, answer})."""
    if isinstance(turn, str):
        return turn
    return str(turn.get("question", ""))


def is_followup(question: str) -> bool:
    """Return True when the question leans on an earlier turn."""
    text = fold(question).strip()
    if text.startswith(_LEADS):
        return True
    tokens = set(_WORD.findall(text))
    if tokens & _PRONOUNS:
        return True
    return bool(_DEICTIC_TAIL.search(text) or _MENTIONED.search(text))


def _content_words(text: str) -> list[str]:
    out: list[str] = []
    for word in _WORD.findall(text):
        folded = fold(word)
        if folded in _STOP or folded in _PRONOUNS or len(folded) < 2 or folded in out:
            continue
        if folded in {"that", "this", "those", "these", "code", "body", "law", "said", "say"}:
            continue
        out.append(word)
    return out


def entities(text: str, countries: Iterable[str], submitters: Iterable[str]) -> dict[str, str]:
    """Return {"country": …} / {"submitter": …} named in ``text`` among the known ones."""
    folded = fold(text)
    found: dict[str, str] = {}
    known_countries = {fold(c): c for c in countries if c}
    for word in _WORD.findall(folded):
        country = DEMONYMS.get(word.rstrip("."))
        if country and fold(country) in known_countries:
            found.setdefault("country", known_countries[fold(country)])
    for key, name in known_countries.items():
        if re.search(rf"\b{re.escape(key)}\b", folded):
            found.setdefault("country", name)
    for name in submitters:
        if (
            name
            and fold(name) not in known_countries
            and re.search(rf"\b{re.escape(fold(name))}\b", folded)
        ):
            found.setdefault("submitter", name)
    return found


def resolve(
    question: str,
    history: Sequence[Turn] = (),
    *,
    countries: Iterable[str] = (),
    submitters: Iterable[str] = (),
) -> Resolved:
    """Return ``question`` made standalone against ``history`` (oldest turn first)."""
    countries, submitters = list(countries), list(submitters)
    previous = ""
    for turn in history:  # resolve the chain, so a follow-up of a follow-up keeps the topic
        asked = turn_question(turn).strip()
        if asked:
            previous = resolve(
                asked, [previous] if previous else [], countries=countries, submitters=submitters
            ).question
    if not previous or not is_followup(question):
        return Resolved(question, None, False)
    new = entities(question, countries, submitters)
    filters = Filters(**{k: (v,) for k, v in new.items()}) if new else None
    own = _content_words(question)
    own_folded = {fold(w) for w in own}
    old = entities(previous, countries, submitters)
    dropped = {fold(v) for k, v in old.items() if k in new and new[k] != v}
    carried = []
    for word in _content_words(previous):
        folded = fold(word)
        if folded in own_folded or folded in dropped:
            continue
        if (
            new
            and DEMONYMS.get(folded.rstrip("."))
            and DEMONYMS[folded.rstrip(".")] != new.get("country")
        ):
            continue  # the follow-up replaces the earlier country
        carried.append(word)
    if filters is not None and len(own) >= MIN_OWN_WORDS + len(new):
        carried = []
    text = question if not carried else f"{question.rstrip()} ({' '.join(carried)})"
    logger.debug("follow-up %r resolved to %r with %s", question, text, filters)
    return Resolved(text, filters, True, tuple(carried))


def merge_filters(base: Filters | None, extra: Filters | None) -> Filters | None:
    """Return ``base`` with the fields of ``extra`` that ``base`` leaves open."""
    if extra is None or extra.is_empty():
        return base
    if base is None or base.is_empty():
        return extra
    values = {name: getattr(base, name) or getattr(extra, name) for name in Filters.__slots__}
    return Filters(**values)


_ACRONYM = re.compile(r"\b([A-Z]{3,}|\d{5,})\b")


def _acronyms_of(sub: Submission) -> list[str]:
    """Return the acronyms and long numbers in a submission's title and file name ("IPCMC")."""
    return _ACRONYM.findall(f"{sub.title} {sub.file}".replace("_", " ").replace("-", " "))


def scopes(question: str, submissions: Iterable) -> list[Filters]:
    """Return one filter per submission group the question names (country, submitter, acronym).

    "Compare French and Peruvian police" names two scopes; "Malaysia's IPCMC Bill" names the
    file whose title or name holds "IPCMC". Retrieval searches each scope as well as the whole
    index, so named submissions are reached even when the question is in another language.
    """
    subs = list(submissions)
    found: list[Filters] = []
    keys_by_token: dict[str, list[str]] = {}
    for sub in subs:
        for token in _acronyms_of(sub):
            keys_by_token.setdefault(token, []).append(sub.key)
    covered: set[str] = set()
    for token in dict.fromkeys(_ACRONYM.findall(question)):
        keys = keys_by_token.get(token)
        if keys and len(keys) < len(subs):
            found.append(Filters(submission_key=tuple(keys)))
            covered.update(keys)
    # Names add their own scopes ("Executive Order 14074 ... Campaign Zero"), except a name that
    # only widens an acronym's scope ("Malaysia's IPCMC Bill" is the Bill, not all of Malaysia).
    named = entities_all(question, {s.country for s in subs}, {s.submitter for s in subs})
    for kind, value in named:
        keys = {s.key for s in subs if getattr(s, kind) == value}
        if not keys & covered:
            found.append(Filters(**{kind: (value,)}))
    return found


def without_names(question: str, submissions: Iterable, *, countries: bool = False) -> str:
    """Return ``question`` without the names that select scopes (acronyms, submitters).

    Inside a scope those words only repeat what the filter already says, and they pull the
    ranking toward title pages: "How do Malaysia's IPCMC and IPCC Bills differ in disciplinary
    powers?" is searched inside each Bill as "How do and Bills differ in disciplinary powers?".
    Country names go too when ``countries`` is set (scopes that are single documents); inside a
    country's scope they stay, because they anchor an English question to that country's
    French or Spanish text (measured in docs/benchmarks.md).
    """
    subs = list(submissions)
    tokens = {t for sub in subs for t in _acronyms_of(sub)}
    known = {fold(s.country): s.country for s in subs if s.country}
    names = {t for t in _ACRONYM.findall(question) if t in tokens}
    names |= {s.submitter for s in subs if s.submitter and fold(s.submitter) not in known}
    if countries:
        names |= set(known.values())
        names |= {d for d, c in DEMONYMS.items() if c and fold(c) in known}
    out = question
    for name in sorted(names, key=len, reverse=True):
        pattern = rf"(?<!\w){re.escape(name)}(?:['’]s)?(?!\w)"
        out = re.sub(pattern, " ", out, flags=0 if name.isupper() else re.IGNORECASE)
    out = re.sub(r"\s+", " ", out).strip()
    return out if _WORD.search(out) else question


def entities_all(
    text: str, countries: Iterable[str], submitters: Iterable[str]
) -> list[tuple[str, str]]:
    """Return every (kind, name) of a known country or submitter named in ``text``, in order."""
    folded = fold(text)
    known = {fold(c): c for c in countries if c}
    out: dict[tuple[str, str], int] = {}
    for match in _WORD.finditer(folded):
        country = DEMONYMS.get(match.group().rstrip("."))
        if country and fold(country) in known:
            out.setdefault(("country", known[fold(country)]), match.start())
    for key, name in known.items():
        found = re.search(rf"\b{re.escape(key)}\b", folded)
        if found:
            out.setdefault(("country", name), found.start())
    for name in submitters:
        if not name or fold(name) in known:
            continue
        found = re.search(rf"\b{re.escape(fold(name))}\b", folded)
        if found:
            out.setdefault(("submitter", name), found.start())
    return [pair for pair, _ in sorted(out.items(), key=lambda item: item[1])]
