"""Possible tension between the cells of a comparison row, without an LLM.

Only differences in **comparable values** are flagged, each as a hint ("possible tension"),
never as a finding:

- ``time limit``: both quotes set a limit ("within six months" / "within one year"), or one
  fixes it and the other leaves it open ("within fourteen days" / "within the time specified");
- ``number``: the same counted thing with different numbers ("ten members" / "seven members";
  enumerators such as "(3)" or "41." and years are not values);
- ``body``: the bodies that act or receive ("by the Minister" / "by the Commission", "to
  Parliament" / "au ministre") share none; across countries only institutions every State has
  (minister, parliament, government, courts, prosecutors) compare, not named bodies;
- ``must vs may``: one side obliges, the other permits or forbids ("ne peuvent être nommés que
  des policiers" / "No person shall be appointed if he is … a member of the police force");
- ``condition``: one side attaches a condition (prior notice, consent, "subject to") that the
  other does not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import combinations

from ingest.analysis import fold, stop_words

_NUMBER_WORDS = {
    **dict.fromkeys(("two", "deux", "dos"), 2),
    **dict.fromkeys(("three", "trois", "tres"), 3),
    **dict.fromkeys(("four", "quatre", "cuatro"), 4),
    **dict.fromkeys(("five", "cinq", "cinco"), 5),
    **dict.fromkeys(("six", "seis"), 6),
    **dict.fromkeys(("seven", "sept", "siete"), 7),
    **dict.fromkeys(("eight", "huit", "ocho"), 8),
    **dict.fromkeys(("nine", "neuf", "nueve"), 9),
    **dict.fromkeys(("ten", "dix", "diez"), 10),
    **dict.fromkeys(("eleven", "onze", "once"), 11),
    **dict.fromkeys(("twelve", "douze", "doce"), 12),
    **dict.fromkeys(("fourteen", "quatorze", "catorce"), 14),
    **dict.fromkeys(("fifteen", "quinze", "quince"), 15),
    **dict.fromkeys(("twenty", "vingt", "veinte"), 20),
    **dict.fromkeys(("thirty", "trente", "treinta"), 30),
    **dict.fromkeys(("sixty", "soixante", "sesenta"), 60),
    **dict.fromkeys(("ninety", "quatre-vingt-dix", "noventa"), 90),
}
_ONE = {"one", "un", "une", "uno", "una", "a", "an"}  # a number only before a time unit
_TIME_UNITS = {
    **dict.fromkeys(("hour", "hours", "heure", "heures", "hora", "horas"), 1 / 24),
    **dict.fromkeys(("day", "days", "jour", "jours", "dia", "dias"), 1.0),
    **dict.fromkeys(("week", "weeks", "semaine", "semaines", "semana", "semanas"), 7.0),
    **dict.fromkeys(("month", "months", "mois", "mes", "meses"), 30.0),
    **dict.fromkeys(("year", "years", "an", "ans", "annee", "annees", "ano", "anos"), 365.0),
}
_LIMIT = re.compile(
    r"(?<!\w)(?:within|not later than|no later than|not exceeding|not more than|at the latest|"
    r"dans un delai d|dans les|au plus tard|endeans|en un plazo d|dentro de|a mas tardar|"
    r"no mayor de|en el plazo)"
)
_WORD = re.compile(r"[\w.,%-]+")
_ENUMERATOR = re.compile(r"^\s*(?:\(?\w{1,4}\)|\d+(?:\.\d+)*\.)(?:\s*\(\w{1,4}\))*\s*")
_REFERENCE = {"article", "articles", "art", "section", "subsection", "paragraph", "para"}
_REFERENCE |= {"chapter", "rule", "articulo", "l'article", "n", "no", "nº", "n°", "order", "act"}
# Generic institutions (folded stems of their names in en/fr/es) -> one key across languages.
_GENERIC = {
    "minist": "minister",
    "parliament": "parliament",
    "parlement": "parliament",
    "parlamento": "parliament",
    "congress": "parliament",
    "congreso": "parliament",
    "government": "government",
    "gouvernement": "government",
    "gobierno": "government",
    "court": "court",
    "cour": "court",
    "tribunal": "court",
    "judge": "court",
    "juge": "court",
    "juez": "court",
    "prosecutor": "prosecutor",
    "procureur": "prosecutor",
    "fiscal": "prosecutor",
    "attorney general": "prosecutor",
}
_HEADS = (
    r"(?:(?i:commission|commissioner|board|council|committee|minister|ministry|ministre|"
    r"minist[eè]re|ministro|ministerio|parliament|parlement|parlamento|congress|congreso|"
    r"assembly|assembl[ée]e|asamblea|government|gouvernement|gobierno|court|cour|tribunal|"
    r"judge|juge|juez|prosecutor|procureur|fiscal|fiscal[ií]a|inspector|inspectorate|"
    r"inspection|inspecteur|ombudsman|defensor|defensor[ií]a|m[ée]diateur|attorney general|"
    r"department|secretary|president|director|directeur|authority|autorit[ée]|autoridad|"
    r"agency|agence)|[A-Z]{2,6})"
)
_NAME = rf"(?P<GROUP>(?:[A-Z][\w-]*\s+)*{_HEADS})(?!\w)"
_ARTICLE = r"(?:(?i:the|le|la|el)\s+|[lL]['’])?"
_ACTS = r"(?i:shall|must|may|decides|doit|peut|debe|puede|decide)\b"
_TO = r"(?i:to|au|aux|à la|auprès de|aupres de|ante|al)"
_AGENT = re.compile(
    rf"(?<!\w)(?i:by|par|por)\s+{_ARTICLE}{_NAME.replace('GROUP', 'by')}"
    rf"|{_NAME.replace('GROUP', 'subj')}\s*,?\s+{_ACTS}"
    rf"|(?<!\w){_TO}\s+{_ARTICLE}{_NAME.replace('GROUP', 'to')}"
)
_MODAL = (
    ("must", re.compile(r"(?<!\w)ne\s+(?:peut|peuvent|pourra|pourront)\b[^.;]{0,80}?\bqu[e']")),
    (
        "must",
        re.compile(
            r"(?<!\w)only\b[^.;]{0,60}?\bmay\b|(?<!\w)(?:solo|solamente|unicamente)\s+(?:puede|pueden|podra|podran)\b"
        ),
    ),
    (
        "must not",
        re.compile(
            r"(?<!\w)(?:shall not(?! later| exceed| be later| more| less)|must not|may not|"
            r"cannot|no person shall|no one shall|(?:is|are) prohibited|prohibits|prohibited|"
            r"bans|banned|ne\s+(?:peut|peuvent|doit|doivent)|"
            r"interdit|no\s+(?:puede|pueden|podra|podran|debe|deben|debera)|prohibido|prohibe)\b"
        ),
    ),
    (
        "must",
        re.compile(
            r"(?<!\w)(?:shall|must|is required to|are required to|has to|have to|doit|doivent|"
            r"est tenu|sont tenus|debe|deben|debera|deberan|esta obligado|estan obligados)\b"
        ),
    ),
    ("may", re.compile(r"(?<!\w)(?:may|can|peut|peuvent|pourra|puede|pueden|podra|podran)\b")),
)
_CONDITION = re.compile(
    r"(?<!\w)(?:subject to|provided that|on condition|only if|only after|by giving|after giving|"
    r"notice|consent|approval|authori[sz]ation|sous reserve|a condition|preavis|accord prealable|"
    r"autorisation|previa|siempre que|autorizacion|consentimiento)(?!\w)"
)


@dataclass(frozen=True, slots=True)
class Tension:
    """Why a row may show a tension: the kind of value and the two values, as quoted."""

    kind: str  # "time limit" | "number" | "body" | "must vs may" | "condition"
    sides: tuple[int, int]  # the two cells (indexes of the sides)
    values: tuple[str, str]

    def describe(self, labels: Sequence[str]) -> str:
        a, b = self.sides
        return (
            f"possible tension ({self.kind}): {labels[a]}: {self.values[0]}; "
            f"{labels[b]}: {self.values[1]}"
        )


def possible_tension(quotes: Sequence[str | None], countries: Sequence[str] = ()) -> Tension | None:
    """Return the first pair of cells whose quotes give different comparable values, or None."""
    countries = list(countries) + [""] * (len(quotes) - len(countries))
    for i, j in combinations(range(len(quotes)), 2):
        a, b = quotes[i], quotes[j]
        if not a or not b or fold(a) == fold(b):
            continue
        same_country = bool(countries[i]) and countries[i] == countries[j]
        found = compare_values(a, b, same_country=same_country)
        if found:
            kind, va, vb = found
            return Tension(kind, (i, j), (va, vb))
    return None


def compare_values(a: str, b: str, *, same_country: bool = True) -> tuple[str, str, str] | None:
    """Return (kind, value of a, value of b) for the first kind of value that differs."""
    la, lb = time_limits(a), time_limits(b)
    if la is not None and lb is not None and la != lb:
        return "time limit", _show(la), _show(lb)
    na, nb = numbers(a), numbers(b)
    for unit in set(na) & set(nb):
        if na[unit] != nb[unit]:
            return "number", _show(na[unit], unit), _show(nb[unit], unit)
    ba, bb = bodies(a, generic_only=not same_country), bodies(b, generic_only=not same_country)
    if ba and bb and not ba & bb:
        return "body", ", ".join(sorted(ba)), ", ".join(sorted(bb))
    ma, mb = modality(a), modality(b)
    if ma and mb and ma != mb:
        return "must vs may", ma, mb
    ca, cb = _CONDITION.search(fold(a)), _CONDITION.search(fold(b))
    if bool(ca) != bool(cb):
        return "condition", ca.group() if ca else "none", cb.group() if cb else "none"
    return None


@cache
def _stops() -> frozenset[str]:
    return stop_words("en") | stop_words("fr") | stop_words("es")


def _show(values: frozenset[float] | frozenset[str], unit: str = "") -> str:
    shown = ", ".join(sorted(f"{v:g}" if isinstance(v, float) else str(v) for v in values))
    return f"{shown} {unit}".strip() if shown else "not fixed"


def _tokens(text: str) -> list[str]:
    body = _ENUMERATOR.sub("", text)
    return [w.strip(".,") for w in _WORD.findall(fold(body))]


def _number(word: str) -> float | None:
    if word in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[word])
    plain = word.replace(",", "")
    if plain.replace(".", "", 1).isdigit():
        value = float(plain)
        if "." not in plain and 1900 <= value <= 2100:
            return None  # a year dates the text; it is not the rule's value
        return value
    return None


def time_limits(text: str) -> frozenset[float] | None:
    """Return the time limits a text sets, in days (empty: a limit with no number), or None."""
    folded = fold(_ENUMERATOR.sub("", text))
    found, limited = set(), False
    for m in _LIMIT.finditer(folded):
        limited = True
        words = _tokens(folded[m.end() : m.end() + 40])
        for k, word in enumerate(words[:-1]):
            value = 1.0 if word in _ONE else _number(word)
            unit = _TIME_UNITS.get(words[k + 1])
            if value is not None and unit is not None:
                found.add(round(value * unit, 3))
                break
    return frozenset(found) if limited else None


def numbers(text: str) -> dict[str, frozenset[float]]:
    """Return {counted thing: values}: "ten members" -> {"member": {10}}; time units excluded."""
    words = _tokens(text)
    out: dict[str, set[float]] = {}
    for k, word in enumerate(words):
        value = _number(word)
        if value is None or (k and words[k - 1] in _REFERENCE) or "%" in word:
            continue
        after = words[k + 1] if k + 1 < len(words) else ""
        if after in _TIME_UNITS:
            continue
        unit = after if after and after not in _stops() and after.isalpha() else ""
        if not unit:
            before = [w for w in words[:k] if w.isalpha() and w not in _stops() and len(w) > 2]
            unit = before[-1] if before else ""
        unit = re.sub(r"(?:es|s)$", "", unit) if len(unit) > 4 else unit
        out.setdefault(unit, set()).add(value)
    return {u: frozenset(v) for u, v in out.items()}


def bodies(text: str, *, generic_only: bool = False) -> set[str]:
    """Return the bodies that act ("by X", "X shall") or receive ("to X") in ``text``."""
    out = set()
    for m in _AGENT.finditer(text):
        name = next(g for g in m.group("by", "subj", "to") if g)
        key = fold(name).strip()
        key = re.sub(r"^(?:the|le|la|el|l')\s+", "", key)
        if key in ("police", "state", "etat", "estado"):
            continue
        generic = next((v for k, v in _GENERIC.items() if k in key), "")
        if generic_only and not generic:
            continue
        out.add(generic if generic and (generic_only or key.split()[-1:] == [key]) else key)
    return out


def modality(text: str) -> str:
    """Return "must", "must not" or "may" for the first modal of ``text`` ("" if none)."""
    folded = fold(text)
    for kind, pattern in _MODAL:
        if pattern.search(folded):
            return kind
    return ""
