"""Printed paragraph labels computed from Word auto-numbering (numbering.xml).

Word does not store the numbers it prints; they are computed while reading the document in
order. Counters are kept per abstract list, as Word does: list instances (w:num) that share
an abstract list continue one another unless an instance overrides a start value, in which
case it restarts the first time it is used. A deeper level restarts after a shallower one
unless w:lvlRestart says otherwise. Labels are metadata only: they are never put in the text.

Nested levels are cited under their parent, the way UN documents are: item (a) under
paragraph 12 is "12(a)", item (i) under it "12(a)(i)". Typed numbers are read in
:mod:`ingest.labels`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace

from lxml import etree

from ingest.ooxml import w

logger = logging.getLogger(__name__)

_PLACEHOLDER = re.compile(r"%([1-9])")
_LABEL_PUNCT = " \t.:;,)(][\u00a0\u3001\u3002\uff08\uff09\uff0e\uff1a-\u2013\u2014"
_NO_LABEL_FORMATS = frozenset({"bullet", "none"})
_CHICAGO = ("*", "\u2020", "\u2021", "\u00a7")  # footnote symbols: * † ‡ §


@dataclass(slots=True)
class Level:
    """One level of a list definition."""

    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    restart: int | None = None  # w:lvlRestart; None means "after any shallower level"
    legal: bool = False  # w:isLgl: show all levels as decimal numbers
    pstyle: str | None = None


@dataclass(slots=True)
class _Num:
    abstract_id: str
    starts: dict[int, int] = field(default_factory=dict)
    levels: dict[int, Level] = field(default_factory=dict)


def format_number(value: int, fmt: str) -> str:
    """Return ``value`` written in a Word number format (decimal, lowerLetter, upperRoman...)."""
    if fmt in ("lowerLetter", "upperLetter"):
        text = _letters(value)
        return text.upper() if fmt == "upperLetter" else text
    if fmt in ("lowerRoman", "upperRoman"):
        text = _roman(value)
        return text.upper() if fmt == "upperRoman" else text
    if fmt == "decimalZero":
        return f"{value:02d}"
    if fmt == "chicago" and value > 0:
        return _CHICAGO[(value - 1) % 4] * ((value - 1) // 4 + 1)
    if fmt in _NO_LABEL_FORMATS:
        return ""
    return str(value)


def _letters(value: int) -> str:
    # Word repeats the letter: a..z, aa..zz, aaa...
    if value <= 0:
        return str(value)
    letter = chr(ord("a") + (value - 1) % 26)
    return letter * ((value - 1) // 26 + 1)


def _roman(value: int) -> str:
    if not 0 < value < 4000:
        return str(value)
    out = []
    for number, symbol in (
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
        (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    ):  # fmt: skip
        while value >= number:
            out.append(symbol)
            value -= number
    return "".join(out)


def _int(node: etree._Element | None, default: int) -> int:
    if node is None:
        return default
    try:
        return int(node.get(w("val"), ""))
    except ValueError:
        return default


def _level(node: etree._Element, base: Level | None = None) -> Level:
    level = replace(base) if base is not None else Level()
    start = node.find(w("start"))
    if start is not None:
        level.start = _int(start, 1)
    fmt = node.find(w("numFmt"))
    if fmt is not None:
        level.fmt = fmt.get(w("val"), "decimal")
    text = node.find(w("lvlText"))
    if text is not None:
        level.text = text.get(w("val"), "")
    restart = node.find(w("lvlRestart"))
    if restart is not None:
        level.restart = _int(restart, 0)
    legal = node.find(w("isLgl"))
    if legal is not None:
        level.legal = legal.get(w("val"), "1") not in ("0", "false", "off")
    pstyle = node.find(w("pStyle"))
    if pstyle is not None:
        level.pstyle = pstyle.get(w("val"))
    return level


class Numbering:
    """List definitions of one document and the running counters while it is read in order."""

    def __init__(
        self, root: etree._Element | None, style_num_ids: dict[str, str] | None = None
    ) -> None:
        self._abstract: dict[str, dict[int, Level]] = {}
        self._nums: dict[str, _Num] = {}
        self._counters: dict[str, dict[int, int]] = {}
        self._used: set[str] = set()
        self._style_levels: dict[str, tuple[str, int]] = {}
        if root is None:
            return
        links: dict[str, str] = {}
        for node in root.iter(w("abstractNum")):
            abstract_id = node.get(w("abstractNumId"), "")
            self._abstract[abstract_id] = {
                _int_attr(lvl, "ilvl"): _level(lvl) for lvl in node.iter(w("lvl"))
            }
            link = node.find(w("numStyleLink"))
            if link is not None and link.get(w("val")):
                links[abstract_id] = link.get(w("val"), "")
        for node in root.iter(w("num")):
            ref = node.find(w("abstractNumId"))
            if ref is None:
                continue
            num = _Num(ref.get(w("val"), ""))
            for override in node.iter(w("lvlOverride")):
                ilvl = _int_attr(override, "ilvl")
                start = override.find(w("startOverride"))
                if start is not None:
                    num.starts[ilvl] = _int(start, 1)
                lvl = override.find(w("lvl"))
                if lvl is not None:
                    num.levels[ilvl] = _level(
                        lvl, self._abstract.get(num.abstract_id, {}).get(ilvl)
                    )
            self._nums[node.get(w("numId"), "")] = num
        self._follow_style_links(links, style_num_ids or {})
        for abstract_id, levels in self._abstract.items():
            for ilvl, level in levels.items():
                if level.pstyle:
                    self._style_levels.setdefault(level.pstyle, (abstract_id, ilvl))

    def _follow_style_links(self, links: dict[str, str], style_num_ids: dict[str, str]) -> None:
        # An abstract list with w:numStyleLink borrows the levels of a numbering style's list.
        for abstract_id, style_id in links.items():
            num = self._nums.get(style_num_ids.get(style_id, ""))
            target = self._abstract.get(num.abstract_id) if num else None
            if target and not self._abstract.get(abstract_id):
                for other in self._nums.values():
                    if other.abstract_id == abstract_id:
                        other.abstract_id = num.abstract_id  # type: ignore[union-attr]

    def level_for_style(self, style_id: str | None) -> int | None:
        """Return the list level whose w:pStyle names this style, if any."""
        found = self._style_levels.get(style_id or "")
        return found[1] if found else None

    def _level(self, num: _Num, ilvl: int) -> Level | None:
        return num.levels.get(ilvl) or self._abstract.get(num.abstract_id, {}).get(ilvl)

    def next_label(self, num_id: str, ilvl: int) -> str:
        """Advance the counter of (list, level) and return the cited label, "" for bullets."""
        num = self._nums.get(num_id)
        if num is None or num_id == "0":
            return ""
        level = self._level(num, ilvl)
        if level is None:
            return ""
        counters = self._counters.setdefault(num.abstract_id, {})
        if num_id not in self._used:
            self._used.add(num_id)
            for lvl, start in num.starts.items():
                counters[lvl] = start - 1
                for deeper in [d for d in counters if d > lvl]:
                    del counters[deeper]
        current = counters.get(ilvl)
        counters[ilvl] = level.start if current is None else current + 1
        for deeper in [d for d in counters if d > ilvl]:
            deeper_level = self._level(num, deeper)
            restart = deeper_level.restart if deeper_level is not None else None
            if restart is None or (restart != 0 and ilvl < restart):
                del counters[deeper]
        return self._cited(num, counters, ilvl)

    def _render(self, num: _Num, counters: dict[int, int], ilvl: int) -> str:
        level = self._level(num, ilvl)
        if level is None or level.fmt in _NO_LABEL_FORMATS:
            return ""

        def value(match: re.Match[str]) -> str:
            ref = int(match.group(1)) - 1
            ref_level = self._level(num, ref) or Level()
            count = counters.get(ref, ref_level.start)
            fmt = "decimal" if level.legal and ref_level.fmt not in _NO_LABEL_FORMATS else None
            return format_number(count, fmt or ref_level.fmt)

        return _PLACEHOLDER.sub(value, level.text).strip(_LABEL_PUNCT)

    def _cited(self, num: _Num, counters: dict[int, int], ilvl: int) -> str:
        own = self._render(num, counters, ilvl)
        if not own or ilvl == 0:
            return own
        level = self._level(num, ilvl)
        if level is not None and f"%{ilvl}" in level.text:
            return own  # "1.2" already shows its parent
        if ilvl - 1 not in counters:
            return own
        parent = self._cited(num, counters, ilvl - 1)
        return f"{parent}({own})" if parent else own


def _int_attr(node: etree._Element, name: str) -> int:
    try:
        return int(node.get(w(name), "0"))
    except ValueError:
        return 0
