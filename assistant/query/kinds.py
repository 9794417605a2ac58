"""The kind of a question: an answer, "who" (which submissions say it) or a comparison.

- ``compare``: a comparison word ("compare", "differ", "diffèrent-ils", "difieren", ...) that
  opens the question or names two sides, or two sides (groups, countries, submitters,
  documents) named together.
- ``who``: the question opens with "which"/"what"/"quels"/"qué"... followed by a word for
  submissions or a group ("Which submissions ...", "Which States ...", "¿Qué ONG ..."), or
  with "who"/"qui"/"quién" and a verb of saying ("Who mentions ...", "Qui parle de ...");
  "Who investigates complaints in Kenya?" asks an answer.
- ``answer``: anything else.

Words are data: see :mod:`assistant.query.cues`.
"""

from __future__ import annotations

import re

from assistant.query.cues import AFTER_LEAD, cue, find, groups, phrase_pattern
from ingest.analysis import fold

KINDS = ("answer", "who", "compare")
# "What do submissions say about X?" asks for an answer, "Which submissions say X?" asks who
# nor does "What must States do?" (a modal between the opener and the group word)
_AUXILIARIES = (
    *("do", "does", "did", "is", "are", "was", "were", "have", "has", "must", "should", "can"),
    *("could", "may", "might", "shall", "will", "would"),
)


def question_kind(question: str, sides: int = 0) -> str:
    """Return "compare", "who" or "answer" for ``question`` (in English, French or Spanish).

    ``sides`` is how many groups or scopes the question names. In order: a comparison verb
    opening the question ("Compare ...") or a comparison word with two sides or more is a
    comparison; a "which submissions / which States" opening asks who; two sides or more
    without a comparison word ("How do Kenya's Constitution and France's code address ...")
    are a comparison too; anything else asks for an answer. A comparison word with fewer sides
    ("how does that compare with their share of the population") is not a comparison.
    """
    folded = fold(question).strip().lstrip("¿¡\"'« ")
    request = cue("request")  # "Give me every State that …", "Dime qué contribuciones …"
    if request:
        folded = re.sub(rf"^{phrase_pattern(request)}[\s,:]+", "", folded).lstrip("¿¡\"'« ")
    compared = find(cue("compare"), folded)
    if any(m.start() == 0 for m in compared) or (compared and sides >= 2):
        return "compare"
    openers = cue("who")
    nouns = cue("documents") + tuple(w for g in groups() for w in g.words)
    verbs = cue("reporting_verb")
    if openers and nouns:
        # "¿Qué dicen las contribuciones …?" asks what they say, as "What do submissions say"
        helper = phrase_pattern((*_AUXILIARIES, *verbs))
        partitive = r"(?:of\s+(?:the|these|those)\s+)?"  # "Which of the English-language …"
        between = rf"{partitive}(?:(?!{helper}\b)[\w'-]+\s+){{0,2}}?"
        # "Which States' laws …" asks which States ("Which country's constitution …" does not)
        noun = rf"{phrase_pattern(nouns)}(?:'(?!\w))?(?![\w'’])"
        opening = rf"^{phrase_pattern(openers)}{AFTER_LEAD}(?P<between>{between}){noun}"
        found = re.match(opening, folded)
        if found and not _subject_after_noun(found.group("between").split()):
            return "who"
    partitive, which = cue("partitive"), cue("partitive_which")
    among = rf"^{phrase_pattern(partitive)}\s[^,?]+,\s*{phrase_pattern(which)}(?!\w)"
    if partitive and which and re.match(among, folded):  # "Parmi les ONG, lesquelles …"
        return "who"
    pronouns = cue("who_pronoun")
    if pronouns and verbs:  # "Who mentions …?", "Qui parle de …", "¿Quién menciona …?"
        speaking = rf"^{phrase_pattern(pronouns)}\s+(?:else\s+|also\s+|autre\s+|mas\s+)?"
        if re.match(speaking + rf"{phrase_pattern(verbs)}(?![\w'’])", folded):
            return "who"
    return "compare" if sides >= 2 else "answer"


def _subject_after_noun(between: list[str]) -> bool:
    """Return True when the words between the opener and the group word are a noun and an
    article: the group is then the subject of what follows ("Quelles obligations les États
    ont-ils …", "¿Qué obligaciones tienen los Estados …?"), not the thing asked for; with a
    copula ("Quelles sont les ONG …", "¿Cuáles son los Estados …?") it is."""
    articles, copulas = set(cue("article")), set(cue("copula"))
    return len(between) >= 2 and between[-1] in articles and not copulas & set(between)


def asks_full_list(question: str) -> bool:
    """Return True when a short follow-up asks for the full list behind an earlier answer."""
    folded = fold(question)
    return len(folded.split()) <= 7 and bool(find(cue("full_list"), folded))
