"""The typed Query: a question analysed once, from the question and the conversation.

``analyse(question, history, submissions=..., glossary=..., filters=...)`` resolves a follow-up,
detects the language, analyses the content words, finds the glossary concepts, the scopes it
names (submitters, countries, single documents), the group it names ("Which States", "NGOs"),
its kind (answer, who, compare) and the sides of a comparison. Retrieval, the refusal check and
the answerers read the Query; none of them analyses the raw string again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from assistant.config import FollowupSettings
from assistant.query.cues import cue
from assistant.query.followup import Turn, merge_filters, resolve
from assistant.query.groups import Named, group_named, named_groups, without_groups
from assistant.query.kinds import question_kind
from assistant.query.names import acronyms_in, names_in
from assistant.query.scopes import Scope, remove_words, scopes, text_scopes, without_names
from assistant.query.terms import Terms, query_language, question_terms
from assistant.retrieval.glossary import Concept, Glossary
from ingest.types import Submission
from vectorstore.types import Filters


@dataclass(frozen=True)
class Query:
    """One question, analysed once (see the module docstring)."""

    text: str  # as asked
    resolved: str  # standalone after follow-up resolution (== text without history)
    language: str  # "en" | "fr" | "es"
    topic: str  # resolved text minus the names / group words that chose scopes or filters
    terms: Terms  # analysed content words, stems per language, glossary bridges
    concepts: tuple[Concept, ...]  # glossary concepts matched
    scopes: tuple[Scope, ...]  # named submitters / countries / acronyms / single documents
    group: Filters | None  # the group named: "Which States" -> submitter_type=State
    group_label: str  # "States", "NGOs", "French" ("" when none)
    filters: Filters | None  # the user's filters ∧ follow-up filters ∧ group
    kind: str  # "answer" | "who" | "compare"
    sides: tuple[str, ...]  # for compare: the sides named ("type=State", "type=NGO/...")
    is_followup: bool = False
    carried: tuple[str, ...] = ()  # words a follow-up carried over from the previous turn
    names: tuple[str, ...] = ()  # capitalised words, acronyms and years ("UK", "2023")

    @property
    def scope_filters(self) -> tuple[Filters, ...]:
        """Return the filters of the scopes, in the order named."""
        return tuple(s.filters for s in self.scopes)


def analyse(
    question: str,
    history: Sequence[Turn] = (),
    *,
    submissions: Iterable[Submission],
    glossary: Glossary | None,
    filters: Filters | None = None,
    followup: FollowupSettings | None = None,
    acronyms: Callable[[], Mapping[str, Sequence[str]]] | None = None,
) -> Query:
    """Return the Query of ``question`` asked after ``history`` (oldest turn first).

    ``acronyms``: returns the acronyms the submissions' texts use, with the submissions using
    them (see ``Snapshot.acronyms``), called only for a question asking for an answer that
    names one and no other scope; an acronym only some submissions use scopes it ("Qui dirige
    l'IGP ?")."""
    subs = list(submissions)
    resolved_text, follow_filters, is_followup, carried = question, None, False, ()
    previous = ""
    if history:
        done = resolve(
            question,
            history,
            countries={s.country for s in subs if s.country},
            submitters={s.submitter for s in subs if s.submitter},
            min_own_words=(followup or FollowupSettings()).min_own_words,
        )
        resolved_text, follow_filters = done.question, done.filters
        is_followup, carried, previous = done.is_followup, done.carried, done.previous
    language = query_language(resolved_text)
    everywhere = named_groups(resolved_text, anywhere=True)
    # a word that named a group names no scope too: "submissions in French" is no France scope
    named = scopes(without_groups(resolved_text, everywhere), subs)
    kind = question_kind(resolved_text, sides=max(len(everywhere), len(named)))
    if kind != "compare" and is_followup:  # "And NGOs?" asks what the earlier question asked
        kind = _narrowed_kind(question, subs, previous) or kind
    unscoped = without_groups(resolved_text, everywhere)
    if kind == "answer" and not named and acronyms and acronyms_in(unscoped):  # not who
        named = text_scopes(unscoped, acronyms(), len(subs))
    group = group_named(resolved_text) if kind != "compare" else None
    compared = everywhere if kind == "compare" else []
    sides: tuple[str, ...] = ()
    if kind == "compare":
        if len(compared) >= 2:
            sides = tuple(g.side() for g in compared)
        elif len(named) >= 2:
            sides = tuple(s.side() for s in named)
    topic = _topic(resolved_text, subs, named, [group] if group else compared)
    merged = merge_filters(filters, follow_filters)
    if group is not None:
        merged = merge_filters(merged, group.filters)
    return Query(
        text=question,
        resolved=resolved_text,
        language=language,
        topic=topic,
        terms=question_terms(resolved_text, language, glossary),
        concepts=tuple(glossary.matches(resolved_text, language)) if glossary else (),
        scopes=tuple(named),
        group=group.filters if group else None,
        group_label=group.label if group else "",
        filters=merged,
        kind=kind,
        sides=sides,
        is_followup=is_followup,
        carried=tuple(carried),
        names=tuple(names_in(resolved_text)),
    )


def _narrowed_kind(question: str, subs: list[Submission], previous: str) -> str | None:
    """Return the earlier question's kind (answer or who) when a follow-up only narrows it: it
    names a group or a scope and no words of its own ("And among NGOs?", "What about Kenya?",
    "Seulement les contributions espagnoles ?"); None otherwise. So "What about civil
    society?" after "How do States describe …" asks an answer, after "Which States …" who."""
    earlier = question_kind(previous) if previous else "compare"
    if earlier == "compare":
        return None
    found = named_groups(question)
    own = without_groups(question, found)
    if not found and not scopes(own, subs):
        return None
    frame = cue("documents") + cue("opening") + cue("filler")
    rest = remove_words(without_names(own, subs, countries=True), frame)
    return None if question_terms(rest, query_language(rest)).words else earlier


def _topic(text: str, subs: list[Submission], named: list[Scope], found: Sequence[Named]) -> str:
    """Return ``text`` without the words naming its groups and the names choosing its scopes."""
    topic = without_groups(text, found)
    if named:
        documents = all(s.kind == "document" for s in named)
        topic = without_names(topic, subs, countries=documents)
    return topic
