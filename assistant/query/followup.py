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

from assistant.config import FollowupSettings
from assistant.query.cues import cue, find, groups
from assistant.query.groups import named_groups, without_groups
from assistant.query.names import DOCUMENT_NUMBER, country_named, entities
from assistant.query.terms import question_stop_words
from ingest.analysis import fold
from vectorstore.types import Filters

logger = logging.getLogger(__name__)

Turn = str | Mapping[str, str]

_LEADS = (
    "and ", "and,", "what about", "how about", "also ", "same for", "then ", "only ", "just ",
    "et ", "quid ", "seulement ", "uniquement ", "y ", "solo ", "solamente ",
)  # fmt: skip
_NOT_LEADS = ("y a-t-il", "y a t il")  # French "is there", not Spanish "and"
_PRONOUNS = {
    *("he", "she", "it", "they", "them", "his", "her", "its", "their", "him", "theirs", "ones"),
    *("eux", "lesquels", "lesquelles", "ellos", "ellas"),  # "d'entre eux", "de ellos"
}
# French subject pronouns after a hyphen ("a-t-elle"): in a question of few words of its own
# they lean on the earlier turn ("Quels pouvoirs a-t-elle ?"); in a longer one they repeat its
# own subject ("Les contributions abordent-elles …"); impersonal "il" ("y a-t-il") never counts
_INVERTED = frozenset({"elle", "ils", "elles"})
_DEMONSTRATIVES = frozenset({"that", "this", "cela", "ca", "ceci", "eso", "esto"})
_DEICTIC_TAIL = re.compile(
    r"\b(?:about|on|of|with|for|regarding|say|says)\s+(?:that|this|those|these|it)\b"
)
_MENTIONED = re.compile(r"\b(?:you mentioned|mentioned above|the same|above|aforementioned)\b")
_WORD = re.compile(r"[^\W_]+(?:[.'’-][^\W_]+)*")


@dataclass(frozen=True, slots=True)
class Resolved:
    """A question made standalone: text for retrieval, filters it implies, what was carried."""

    question: str
    filters: Filters | None
    is_followup: bool
    carried: tuple[str, ...] = ()
    previous: str = ""  # the previous question, itself resolved ("" when none)


def turn_question(turn: Turn) -> str:
    """Return the question of one history turn (a string or {question, answer})."""
    if isinstance(turn, str):
        return turn
    return str(turn.get("question", ""))


def is_followup(question: str) -> bool:
    """Return True when the question leans on an earlier turn."""
    text = fold(question).strip().lstrip("¿¡\"'« ")
    if text.startswith(_LEADS) and not text.startswith(_NOT_LEADS):
        return True
    tokens = set(_WORD.findall(text))
    if tokens & _PRONOUNS:
        return True
    if tokens & _DEMONSTRATIVES and find(cue("compare"), text):  # "How does that compare …"
        return True
    inverted = {part for token in tokens if "-" in token for part in token.split("-")}
    if inverted & _INVERTED and len(_content_words(question)) <= 2:
        return True
    return bool(_DEICTIC_TAIL.search(text) or _MENTIONED.search(text))


def _content_words(text: str) -> list[str]:
    out: list[str] = []
    for word in _WORD.findall(text):
        folded = fold(word)
        if (
            folded in question_stop_words()
            or folded in _PRONOUNS
            or len(folded) < 2
            or folded in out
        ):
            continue
        if folded in {"that", "this", "those", "these", "code", "body", "law", "said", "say"}:
            continue
        out.append(word)
    return out


def resolve(
    question: str,
    history: Sequence[Turn] = (),
    *,
    countries: Iterable[str] = (),
    submitters: Iterable[str] = (),
    min_own_words: int | None = None,
) -> Resolved:
    """Return ``question`` made standalone against ``history`` (oldest turn first).

    A follow-up that names a filter and has ``min_own_words`` content words of its own
    (``Settings.followup``) carries no words from the previous question.
    """
    if min_own_words is None:
        min_own_words = FollowupSettings().min_own_words
    countries, submitters = list(countries), list(submitters)
    previous = ""
    for turn in history:  # resolve the chain, so a follow-up of a follow-up keeps the topic
        asked = turn_question(turn).strip()
        if asked:
            previous = resolve(
                asked,
                [previous] if previous else [],
                countries=countries,
                submitters=submitters,
                min_own_words=min_own_words,
            ).question
    if not previous or not is_followup(question):
        return Resolved(question, None, False, previous=previous)
    groups_named = named_groups(question)
    languages = [g for g in groups_named if g.filters.language]  # "in French"
    # "And NGOs?" after "Which States …": the earlier group's word is not part of the topic
    replaced = {w for g in groups() for w in g.words} if groups_named else set()
    new = entities(without_groups(question, languages), countries, submitters)
    filters = Filters(**{k: (v,) for k, v in new.items()}) if new else None
    own = _content_words(question)
    own_folded = {fold(w) for w in own}
    old = entities(previous, countries, submitters)
    # "How does that compare with Malaysia?" keeps the earlier country: it is the other side
    comparing = bool(find(cue("compare"), fold(question)))
    if comparing:
        new = {}
    dropped = {fold(v) for k, v in old.items() if k in new and new[k] != v}
    carried = []
    for word in _content_words(previous):
        folded = re.sub(r"'s$", "", fold(word))  # "Kenya's" names Kenya
        if folded in own_folded or folded in dropped or folded in replaced:
            continue
        named = country_named(folded, countries) if new else ""
        if named and named != new.get("country"):
            continue  # the follow-up replaces the earlier country
        if new and DOCUMENT_NUMBER.fullmatch(folded):
            continue  # ... and the earlier document ("Ley 30714", then "¿Y en Kenia?")
        carried.append(word)
    if filters is not None and len(own) >= min_own_words + len(new) and not comparing:
        carried = []
    text = question if not carried else f"{question.rstrip()} ({' '.join(carried)})"
    logger.debug("follow-up %r resolved to %r with %s", question, text, filters)
    return Resolved(text, filters, True, tuple(carried), previous)


def merge_filters(base: Filters | None, extra: Filters | None) -> Filters | None:
    """Return ``base`` with the fields of ``extra`` that ``base`` leaves open."""
    if extra is None or extra.is_empty():
        return base
    if base is None or base.is_empty():
        return extra
    values = {name: getattr(base, name) or getattr(extra, name) for name in Filters.__slots__}
    return Filters(**values)
