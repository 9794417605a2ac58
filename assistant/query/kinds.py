"""The kind of a question: an answer, "who" (which submissions say it) or a comparison.

- ``compare``: a comparison word ("compare", "differ", "diffèrent-ils", "difieren", ...).
- ``who``: the question opens with "which"/"what"/"quels"/"qué"... followed by a word for
  submissions or a group ("Which submissions ...", "Which States ...", "¿Qué ONG ...").
- ``answer``: anything else.

Words are data: see :mod:`assistant.query.cues`.
"""

from __future__ import annotations

import re

from assistant.query.cues import cue, find, groups, phrase_pattern
from ingest.analysis import fold

KINDS = ("answer", "who", "compare")
# "What do submissions say about X?" asks for an answer, "Which submissions say X?" asks who
# nor does "What must States do?" (a modal between the opener and the group word)
_AUXILIARIES = (
    "(?:do|does|did|is|are|was|were|have|has|must|should|can|could|may|might|shall|will|would)"
)


def question_kind(question: str) -> str:
    """Return "compare", "who" or "answer" for ``question`` (in English, French or Spanish)."""
    folded = fold(question).strip().lstrip("¿¡\"'« ")
    if find(cue("compare"), folded):
        return "compare"
    openers = cue("who")
    nouns = cue("documents") + tuple(w for g in groups() for w in g.words)
    if openers and nouns:
        between = rf"(?:(?!{_AUXILIARIES}\b)\w+\s+){{0,2}}?"
        opening = rf"^{phrase_pattern(openers)}\s+{between}{phrase_pattern(nouns)}(?!\w)"
        if re.match(opening, folded):
            return "who"
    return "answer"


def asks_full_list(question: str) -> bool:
    """Return True when a short follow-up asks for the full list behind an earlier answer."""
    folded = fold(question)
    return len(folded.split()) <= 7 and bool(find(cue("full_list"), folded))
