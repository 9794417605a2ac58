"""The sides of a comparison: groups, countries, submitters or single submissions.

A side is a set of submissions with a label. ``resolve_side`` reads one side as the CLI takes it
(a submission key or file, ``type=NGO``, ``country=Kenya``, a submitter, a country, or words of a
title: "IPCMC 2019"). ``detect_sides`` finds the sides a question names: the question is cut at
its conjunctions ("and", "vs", "compared with", "et", "y", commas), and each piece that names
something becomes a side, narrowed from its group or country down to the submissions whose title,
file name or year it names ("the 2019 and the 2020 Malaysian bills" are two submissions). Words
that name things are never taken from a question set: they are the index's own metadata, the
group words of :data:`GROUP_WORDS` and the countries' names in English, French and Spanish.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from assistant.analyses.names import country_aliases, name_tokens, question_tokens
from assistant.errors import ConfigError
from ingest.analysis import fold
from ingest.types import Submission

# Group words (folded) -> a word that the stored submitter_type value holds ("NGO/civil society").
GROUP_WORDS = {
    "state": "state",
    "states": "state",
    "etat": "state",
    "etats": "state",
    "estado": "state",
    "estados": "state",
    "ngo": "ngo",
    "ngos": "ngo",
    "ong": "ngo",
    "ongs": "ngo",
    "civil society": "civil society",
    "societe civile": "civil society",
    "sociedad civil": "civil society",
    "nhri": "nhri",
    "nhris": "nhri",
    "national human rights institution": "nhri",
    "national human rights institutions": "nhri",
    "institutions nationales des droits de l'homme": "nhri",
    "instituciones nacionales de derechos humanos": "nhri",
    "un": "un",
    "united nations": "un",
    "nations unies": "un",
    "naciones unidas": "un",
    "intergovernmental": "intergovernmental",
    "government": "state",
    "governments": "state",
    "gouvernement": "state",
    "gouvernements": "state",
    "gobierno": "state",
    "gobiernos": "state",
}
_JOINS = re.compile(r"^\s*(?:and|et|y|e|vs\.?|versus|with|avec|con|compared|than)\b")
# Where a question is cut into the pieces that may each name one side.
_SEPARATORS = re.compile(
    r"\s*(?:[,;]|\(|\)|\s(?:and|or|vs\.?|versus|with|against|compared\s+(?:with|to)|than|unlike|"
    r"(?:differs?|different|distinct|diff[eè]re(?:nt)?|distint[oa]s?)\s+(?:from|de|del)|"
    r"a\s+diferencia\s+de|contrairement\s+(?:a|à)|"
    r"as\s+opposed\s+to|et|ou|avec|par\s+rapport\s+(?:a|à)|face\s+(?:a|à)|y|e|o|con|"
    r"frente\s+a|respecto\s+(?:a|de))\s)\s*",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a comparison: a label and the submissions it holds."""

    label: str
    keys: tuple[str, ...]
    kind: str = "submissions"  # "type" | "country" | "submitter" | "submission" | "submissions"
    named_by: tuple[str, ...] = ()  # the words of the question (or CLI) that named it
    strong: bool = True  # named by a group, country, submitter, acronym, number or two words
    joined: bool = False  # its piece of the question opens with "and", "vs", "compared with"…
    entity_keys: frozenset[str] = frozenset()  # (while detecting) what its group/country holds


class UnknownSideError(ConfigError):
    """A side names nothing in the index."""


def type_values(word: str, submissions: Iterable[Submission]) -> list[str]:
    """Return the stored submitter_type values a group word names ("NGO" -> "NGO/civil society")."""
    stored = sorted({s.submitter_type for s in submissions if s.submitter_type})
    key = fold(word).strip()
    exact = [t for t in stored if fold(t) == key]
    if exact:
        return exact
    key = GROUP_WORDS.get(key, key)
    return [t for t in stored if re.search(rf"(?<![a-z]){re.escape(key)}(?![a-z])", fold(t))]


def submission_label(sub: Submission) -> str:
    """Return a short name of one submission: its title (shortened) and year."""
    title = sub.title or sub.file
    words = title.split()
    short = title if len(words) <= 8 else " ".join(words[:8]) + " …"
    year = sub.date[:4]
    return f"{short} ({year})" if year and year not in short else short


def resolve_side(spec: str, submissions: Sequence[Submission]) -> Side:
    """Return the side ``spec`` names, or raise UnknownSideError saying what exists."""
    subs = list(submissions)
    text = spec.strip()
    key, sep, value = text.partition("=")
    if sep:
        return _resolve_pair(key.strip().lower().replace("-", "_"), value.strip(), subs, text)
    for sub in subs:
        if text in (sub.key, sub.file):
            return Side(text, (sub.key,), "submission", (text,))
    folded = fold(text)
    for kind in ("submitter", "country"):
        keys = tuple(s.key for s in subs if fold(getattr(s, kind)) == folded)
        if keys:
            return Side(text, keys, kind, (text,))
    countries = {s.country for s in subs if s.country}
    for country in countries:
        if folded in country_aliases(country):
            return Side(
                text, tuple(s.key for s in subs if s.country == country), "country", (text,)
            )
    types = type_values(text, subs)
    if types and folded in GROUP_WORDS:
        return Side(text, tuple(s.key for s in subs if s.submitter_type in types), "type", (text,))
    keys = best_named(question_tokens(text, skip_first=False, every_word=True), subs)
    if keys:
        return Side(text, keys, "submission" if len(keys) == 1 else "submissions", (text,))
    raise UnknownSideError(_unknown(text, subs))


def _resolve_pair(key: str, value: str, subs: list[Submission], spec: str) -> Side:
    if key in ("type", "submitter_type"):
        types = type_values(value, subs)
        keys = tuple(s.key for s in subs if s.submitter_type in types)
        kind = "type"
    elif key in ("country", "submitter", "language", "file", "submission_key", "key"):
        field = {"key": "key", "submission_key": "key"}.get(key, key)
        keys = tuple(s.key for s in subs if fold(getattr(s, field)) == fold(value))
        if not keys and key == "country":
            keys = tuple(
                s.key for s in subs if s.country and fold(value) in country_aliases(s.country)
            )
        kind = {"file": "submission", "key": "submission", "submission_key": "submission"}.get(
            key, key
        )
    else:
        raise UnknownSideError(
            f"bad side {spec!r}: use type=, country=, submitter=, language=, file= or a "
            "submission key, submitter, country or title words"
        )
    if not keys:
        raise UnknownSideError(_unknown(spec, subs))
    return Side(spec, keys, kind, (spec,))


def _unknown(spec: str, subs: list[Submission]) -> str:
    types = ", ".join(sorted({s.submitter_type for s in subs if s.submitter_type}))
    countries = ", ".join(sorted({s.country for s in subs if s.country}))
    return (
        f"side {spec!r} names no submission in the index: give a submission key (see "
        f"`submissions status`), a submitter, a country ({countries}) or type=… ({types})"
    )


def best_named(tokens: Sequence[str], subs: Sequence[Submission]) -> tuple[str, ...]:
    """Return the submissions whose names hold most of ``tokens`` (idf-weighted), or ()."""
    if not tokens or not subs:
        return ()
    names = {s.key: name_tokens(s) for s in subs}
    df: dict[str, int] = {}
    for held in names.values():
        for token in held:
            df[token] = df.get(token, 0) + 1
    n = len(subs)
    scores = {
        key: sum(math.log((n + 1) / df[t]) for t in set(tokens) if t in held)
        for key, held in names.items()
    }
    best = max(scores.values())
    if best <= 0:
        return ()
    chosen = tuple(k for k, v in scores.items() if v >= best - 1e-9)
    return chosen if len(chosen) < n else ()


@dataclass(frozen=True, slots=True)
class Detected:
    """The sides a question names and the words that named them."""

    sides: tuple[Side, ...]
    names: tuple[str, ...]  # words to drop from the question to get its topic
    entity_keys: frozenset[str] = (
        frozenset()
    )  # submissions of the groups/countries/submitters named

    def sure(self, asks_to_compare: bool) -> tuple[Side, ...]:
        """Return the sides to compare, or () when the question is not clearly a comparison.

        A question that asks to compare may name a side by a year or one title word, if that
        side lies inside a group, country or submitter it names ("the 2019 and 2020 Malaysian
        bills"). Without a comparison word, every side must be named firmly and one of them
        joined to another ("Peru's Law 30714 and Malaysia's 2019 bill"), so that "… in 2019?"
        or "… among US states" is no comparison.
        """
        if asks_to_compare:
            kept = tuple(s for s in self.sides if s.strong or set(s.keys) <= self.entity_keys)
        else:
            kept = self.sides if all(s.strong for s in self.sides) else ()
            if not any(s.joined for s in kept[1:]):
                kept = ()
        return kept if len(kept) >= 2 else ()


def detect_sides(question: str, submissions: Sequence[Submission]) -> Detected:
    """Return the distinct sides the pieces of ``question`` name, in order."""
    subs = list(submissions)
    sides: list[Side] = []
    names: list[str] = []
    entity_keys: set[str] = set()
    pieces, separators, pos = [], [""], 0
    for m in _SEPARATORS.finditer(question):
        pieces.append(question[pos : m.start()])
        separators.append(m.group().strip().lower())
        pos = m.end()
    pieces.append(question[pos:])
    for i, (piece, separator) in enumerate(zip(pieces, separators, strict=True)):
        side = _piece_side(piece, subs, first=i == 0)
        if side is None:
            continue
        if side.kind in ("type", "country", "submitter") or side.entity_keys:
            entity_keys.update(side.entity_keys or side.keys)
        opens = separator not in ("", ",", ";", "(", ")") or bool(_JOINS.match(fold(piece)))
        side = replace(side, joined=opens, entity_keys=frozenset())
        names.extend(side.named_by)
        last = set(sides[-1].keys) if sides else set()
        new = set(side.keys)
        if sides and (new <= last or last <= new):
            if separator in ("(", ")"):  # "Peru (Law 30714)": the law, not all of Peru
                if len(new) < len(last):
                    sides[-1] = replace(side, strong=side.strong or sides[-1].strong)
            elif new < last:  # "Executive Order 14074 and the 2024 fact sheet": two documents
                sides[-1] = _without(sides[-1], new, subs)
                sides.append(side)
            continue
        if all(new != set(s.keys) for s in sides):
            sides.append(side)
    return Detected(tuple(sides), tuple(dict.fromkeys(names)), frozenset(entity_keys))


def _without(side: Side, keys: set[str], subs: list[Submission]) -> Side:
    """Return ``side`` less the submissions ``keys`` (named on their own after it)."""
    rest = tuple(k for k in side.keys if k not in keys)
    if len(rest) == 1:
        sub = next(s for s in subs if s.key == rest[0])
        return replace(side, label=submission_label(sub), keys=rest, kind="submission")
    return replace(side, keys=rest)


def _piece_side(piece: str, subs: list[Submission], *, first: bool) -> Side | None:
    folded = fold(piece)
    keys = {s.key for s in subs}
    named: list[str] = []
    kind, label = "submissions", ""
    groups = [g for g in GROUP_WORDS if re.search(rf"(?<![\w']){re.escape(g)}(?!\w)", folded)]
    group_words = [g for g in groups if not any(g != o and g in o for o in groups)]
    if group_words:
        types = {t for g in group_words for t in type_values(g, subs)}
        if types:
            keys &= {s.key for s in subs if s.submitter_type in types}
            named.extend(_original_words(piece, group_words))
            kind, label = "type", " / ".join(sorted(types))
    countries = {s.country for s in subs if s.country}
    hit_countries = [c for c in countries if _names_country(folded, c)]
    if hit_countries:
        keys &= {s.key for s in subs if s.country in hit_countries}
        named.extend(a for c in hit_countries for a in _original_words(piece, country_aliases(c)))
        kind, label = "country", ", ".join(sorted(hit_countries))
    submitters = {s.submitter for s in subs if s.submitter and s.submitter not in countries}
    hit_submitters = [
        n for n in submitters if re.search(rf"(?<!\w){re.escape(fold(n))}(?!\w)", folded)
    ]
    if hit_submitters:
        keys &= {s.key for s in subs if s.submitter in hit_submitters}
        named.extend(hit_submitters)
        kind, label = "submitter", ", ".join(sorted(hit_submitters))
    entity = frozenset(keys) if named else frozenset()
    tokens = [t for t in question_tokens(piece, skip_first=first) if not _is_named(t, named)]
    inside = [s for s in subs if s.key in keys]
    matched: set[str] = set()
    narrowed = best_named(tokens, inside) if tokens else ()
    if narrowed:
        matched = {
            t for t in tokens if any(t in name_tokens(s) for s in inside if s.key in narrowed)
        }
        if not named and not any(t.isdigit() or _df(t, subs) == 1 for t in matched):
            return None  # only words that several titles share ("Enforcement"): names nothing
        named.extend(_original_words(piece, matched))
        keys = set(narrowed)
    if not named or not keys or (len(keys) == len(subs) and kind == "submissions"):
        return None
    ordered = tuple(s.key for s in subs if s.key in keys)
    if len(ordered) == 1 and (narrowed or kind in ("submitter", "country")):
        sub = next(s for s in subs if s.key == ordered[0])
        if narrowed or (sum(s.country == sub.country for s in subs) > 1 and kind == "country"):
            kind, label = "submission", submission_label(sub)
        label = label or submission_label(sub)
    elif narrowed:
        kind = "submissions"
        label = "; ".join(submission_label(s) for s in subs if s.key in keys)
    strong = bool(entity) or len(matched) >= 2 or any(_firm(t, piece) for t in matched)
    return Side(
        label, ordered, kind, tuple(dict.fromkeys(named)), strong=strong, entity_keys=entity
    )


def _firm(token: str, piece: str) -> bool:
    """Return True for a token that names a document on its own: an acronym, a number (not a
    year: "1186", "30714", "IPCMC")."""
    if token.isdigit():
        return not 1900 <= int(token) <= 2100
    return bool(re.search(rf"(?<![\w]){re.escape(token.upper())}(?![\w])", piece))


def _df(token: str, subs: list[Submission]) -> int:
    return sum(token in name_tokens(s) for s in subs)


def _names_country(folded: str, country: str) -> bool:
    return any(
        re.search(rf"(?<!\w){re.escape(alias)}(?:'s)?(?!\w)", folded)
        for alias in country_aliases(country)
    )


def _is_named(token: str, named: list[str]) -> bool:
    return any(token in fold(n).split() for n in named)


def _original_words(piece: str, folded_names: Iterable[str]) -> list[str]:
    """Return the spellings in ``piece`` of the folded names (for removing them later)."""
    out = []
    folded = fold(piece)
    for name in folded_names:
        for m in re.finditer(rf"(?<!\w){re.escape(fold(name))}(?!\w)", folded):
            out.append(piece[m.start() : m.end()])
    return out
