"""The group of submitters a question names: "Which States ...", "Quelles ONG ...", "NGOs".

A group word counts when a lead word stands right before it ("which", "among", "according to",
"quels", "selon", "qué", "entre", and the auxiliaries of "What do NGOs say"), maybe with a
determiner between ("among the NGOs", "do any States", "parmi les ONG"), or when it follows the
opening words of a follow-up ("And NGOs?", "Only the States?"), or anywhere in a comparison
("How do States and NGOs differ"): "the obligations of States" names no group. A language is a
group too ("submissions in French"). Words are data: see :mod:`assistant.query.cues`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.query.cues import AFTER_LEAD, Group, coded, cue, find, groups, phrase_pattern
from assistant.query.names import country_spans
from ingest.analysis import LANGUAGES, fold_map
from vectorstore.types import Filters


@dataclass(frozen=True, slots=True)
class Named:
    """A group found in a question: its filter, its label and where its words sit."""

    filters: Filters
    label: str
    spans: tuple[tuple[int, int], ...]  # offsets of the naming words in the question

    def side(self) -> str:
        """Return the group as a ``key=value`` filter string ("type=State")."""
        if self.filters.language:
            return "language=" + ",".join(self.filters.language)
        return "type=" + ",".join(self.filters.submitter_type)


def _of(group: Group, spans: list[tuple[int, int]]) -> Named:
    return Named(Filters(submitter_type=group.types), group.label, tuple(spans))


def named_groups(question: str, *, anywhere: bool = False) -> list[Named]:
    """Return the groups ``question`` names, in order of first mention.

    A group word counts after a lead word ("Which States", "parmi les ONG"), opening a
    follow-up ("And NGOs?"), after "do"/"did" that open the question or come before a verb of
    saying ("Do any States …", "What do NGOs say …"), after a verb of saying that follows "what"
    ("¿Qué dicen los Estados …?"; in "Which submissions mention NGOs" they are its object), or
    joined by "and"/"or" to a group word that counts ("Which States and NGOs").
    With ``anywhere`` (comparisons) a group word needs no lead word before it.
    """
    folded, offsets = fold_map(question)
    offsets.append(len(question))

    def back(span: tuple[int, int]) -> tuple[int, int]:
        return offsets[span[0]], offsets[span[1] - 1] + 1 if span[1] > span[0] else offsets[span[0]]

    leads = set(cue("lead"))
    dets = cue("determiner")
    det = rf"(?:{phrase_pattern(dets)}\s+)?" if dets else ""
    lead_end = rf"(?:^|(?<!\w)){phrase_pattern(tuple(leads))}{AFTER_LEAD}{det}$" if leads else r"^$"
    opening = cue("opening")
    if opening:  # "And NGOs?", "Only the States?": a follow-up's first words
        lead_end += rf"|^[¿¡\"'«\s]*{phrase_pattern(opening)}\s+{det}$"
    initial = cue("lead_initial")  # "Do States …" (not "What obligations do States have")
    first = rf"^[¿¡\"'«\s]*{phrase_pattern(initial)}\s+{det}$" if initial else r"^\b$"
    verbs = cue("reporting_verb")  # "What do NGOs say …", "¿Qué dicen los Estados …?"
    aux = rf"(?<!\w){phrase_pattern(initial)}\s+{det}$" if initial else r"^\b$"
    inverted = cue("inverted_lead")  # "Que disent les ONG", not "Which submissions mention NGOs"
    said_before = (
        rf"(?<!\w){phrase_pattern(inverted)}\s*{phrase_pattern(verbs)}\s+{det}$"
        if verbs and inverted
        else r"^\b$"
    )
    said_after = rf"^\s+{phrase_pattern(verbs)}(?!\w)" if verbs else r"^\b$"
    joined = rf"(?:\s*,|\s+(?:and|or|et|ou|y|o))\s+{det}$"  # "Which States and NGOs"
    found: dict[str, tuple[int, Group, list[tuple[int, int]]]] = {}
    countries = country_spans(folded)
    led_ends: set[int] = set()
    pending = []
    for group in groups():
        spans = []
        for match in find(group.words, folded):
            if any(a <= match.start() and match.end() <= b for a, b in countries):
                continue  # "states" in "United States" names a country, not the States
            before = folded[: match.start()]
            spoken = re.search(said_before, before[-40:]) or (
                re.search(aux, before[-40:]) and re.match(said_after, folded[match.end() :])
            )
            if anywhere or re.search(lead_end, before[-40:]) or re.search(first, before) or spoken:
                spans.append(back(match.span()))
                led_ends.add(match.end())
            else:
                pending.append((group, match))
        if spans:
            found[group.label] = (spans[0][0], group, spans)
    grown = True
    while grown:  # a group joined to a led one is led too ("States, NGOs or NHRIs")
        grown = False
        for group, match in pending:
            tie = re.search(joined, folded[: match.start()])
            if tie and tie.start() in led_ends and group.label not in found:
                found[group.label] = (back(match.span())[0], group, [back(match.span())])
                led_ends.add(match.end())
                grown = True
    out = [_of(g, spans) for _, g, spans in sorted(found.values(), key=lambda item: item[0])]
    out = _without_overlaps(out)
    spoken = [(m.span(), t) for t in LANGUAGES for m in find(_language_phrases(t), folded)]
    taken = [span for span, _ in spoken]
    spoken += [(s, t) for s, t in _adjective_languages(folded) if not _overlaps(s, taken)]
    for span, target in sorted(spoken):
        out.append(Named(Filters(language=(target,)), LANGUAGE_LABELS[target], (back(span),)))
    return out


def _adjective_languages(folded: str) -> list[tuple[tuple[int, int], str]]:
    """Return (span, language) of each language adjective before plural document nouns:
    "French submissions", "the French and Spanish documents" (not "the French submission",
    which may be France's); in French and Spanish, after them ("les contributions
    espagnoles")."""
    codes = coded("language_adjective")
    nouns = cue("language_noun")
    if not codes or not nouns:
        return []
    adjective = phrase_pattern(tuple(codes))
    run = re.compile(
        rf"(?<!\w){adjective}(?:\s*(?:,|and|or)\s*{adjective})*\s+{phrase_pattern(nouns)}(?!\w)"
    )
    found = _adjectives_in(run, folded, adjective, codes)
    after = coded("language_adjective_after")  # "les contributions espagnoles"
    if after:
        adjective = phrase_pattern(tuple(after))
        run = re.compile(
            rf"(?<!\w){phrase_pattern(nouns)}\s+{adjective}(?:\s*(?:,|et|ou|y|o)\s*{adjective})*(?!\w)"
        )
        found += _adjectives_in(run, folded, adjective, after)
    return found


def _adjectives_in(
    run: re.Pattern, folded: str, adjective: str, codes: dict[str, str]
) -> list[tuple[tuple[int, int], str]]:
    found = []
    for match in run.finditer(folded):
        for word in re.finditer(rf"(?<!\w){adjective}(?!\w)", match.group()):
            start = match.start() + word.start()
            found.append(((start, start + len(word.group())), codes[word.group()]))
    return found


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(span[0] < e and s < span[1] for s, e in spans)


LANGUAGE_LABELS = {"en": "English", "fr": "French", "es": "Spanish"}


def _language_phrases(target: str) -> tuple[str, ...]:
    return tuple(p for p, code in coded("language").items() if code == target)


def _without_overlaps(found: list[Named]) -> list[Named]:
    """Drop a group whose words all sit inside another's ("civil society organisations")."""
    out = []
    for named in found:
        inside = all(
            any(o is not named and a <= s and e <= b for o in found for a, b in o.spans)
            for s, e in named.spans
        )
        if not inside:
            out.append(named)
    return out


def without_groups(text: str, found: Sequence[Named]) -> str:
    """Return ``text`` without the words that named the groups ``found`` (spaces tidied)."""
    spans = sorted({span for g in found for span in g.spans}, reverse=True)
    out = text
    for start, end in spans:
        out = out[:start] + " " + out[end:]
    out = " ".join(out.split())
    return out if any(c.isalnum() for c in out) else text


def group_named(question: str) -> Named | None:
    """Return the group ``question`` is about, or None (none, or a language and a type).

    Several types of submitter ("Which States and NGOs …") are one group that takes either.
    """
    found = named_groups(question)
    if len(found) == 1:
        return found[0]
    if len(found) < 2 or any(g.filters.language for g in found):
        return None
    types = tuple(t for g in found for t in g.filters.submitter_type)
    label = ", ".join(g.label for g in found[:-1]) + " and " + found[-1].label
    return Named(Filters(submitter_type=types), label, tuple(s for g in found for s in g.spans))
