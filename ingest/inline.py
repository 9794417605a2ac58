"""Visible text of paragraphs, walked over the raw XML of the runs.

python-docx's ``paragraph.text`` keeps deleted text and field codes and misses content
controls, so the runs are walked here: insertions and moved-to text are kept, deletions and
moved-from text dropped, field codes dropped and field results kept, hidden (w:vanish) runs
dropped. Hyperlinks (w:hyperlink and HYPERLINK fields) are recorded as spans, note references
as (kind, id) pairs, and text boxes are handed back so that the caller emits them right after
their anchor paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from ingest.ooxml import M_NS, MC_NS, R_NS, Relationship, w

_W_ANCHOR = w("anchor")
_W_CHAR = w("char")
_W_CUSTOM_MARK_FOLLOWS = w("customMarkFollows")
_W_DRAWING = w("drawing")
_W_FLD_CHAR = w("fldChar")
_W_FLD_CHAR_TYPE = w("fldCharType")
_W_FLD_SIMPLE = w("fldSimple")
_W_HYPERLINK = w("hyperlink")
_W_ID = w("id")
_W_INSTR = w("instr")
_W_INSTR_TEXT = w("instrText")
_W_NO_BREAK_HYPHEN = w("noBreakHyphen")
_W_OBJECT = w("object")
_W_PICT = w("pict")
_W_R_PR = w("rPr")
_W_RUBY = w("ruby")
_W_RUBY_BASE = w("rubyBase")
_W_SOFT_HYPHEN = w("softHyphen")
_W_SYM = w("sym")
_W_VAL = w("val")
_W_VANISH = w("vanish")
_T, _R, _P = w("t"), w("r"), w("p")
_FIELD_TAGS = frozenset({_W_FLD_CHAR, _W_INSTR_TEXT})
_TXBX = w("txbxContent")
_SKIP = frozenset(
    w(name)
    for name in (
        "pPr", "rPr", "del", "moveFrom", "delText", "instrText", "delInstrText",
        "commentRangeStart", "commentRangeEnd", "commentReference", "bookmarkStart",
        "bookmarkEnd", "proofErr", "permStart", "permEnd", "sectPr", "footnoteRef",
        "endnoteRef", "annotationRef", "lastRenderedPageBreak", "sdtPr", "sdtEndPr",
        "fldData", "rt", "customXmlPr", "moveFromRangeStart", "moveFromRangeEnd",
    )
)  # fmt: skip
_TEXT_CHARS = {w("tab"): "\t", w("ptab"): "\t", w("br"): "\n", w("cr"): "\n",
               _W_NO_BREAK_HYPHEN: "-", _W_SOFT_HYPHEN: ""}  # fmt: skip
_NOTE_REFS = {w("footnoteReference"): "footnote", w("endnoteReference"): "endnote"}
_M_T = f"{{{M_NS}}}t"
_MATH = frozenset({f"{{{M_NS}}}oMath", f"{{{M_NS}}}oMathPara"})
_ALTERNATE = f"{{{MC_NS}}}AlternateContent"
_CHOICE = f"{{{MC_NS}}}Choice"
_FALLBACK = f"{{{MC_NS}}}Fallback"
_RID = f"{{{R_NS}}}id"
_HYPERLINK_FIELD = re.compile(r'^\s*HYPERLINK\s+(?:"([^"]*)"|(\S+))?(.*)$', re.DOTALL)
_ANCHOR_SWITCH = re.compile(r'\\l\s+"?([^"\s]+)"?')
_FALSE = frozenset({"0", "false", "off"})


@dataclass(slots=True)
class NoteRef:
    """A reference to a footnote or endnote; ``mark`` is the custom mark text, if any."""

    kind: str
    note_id: str
    mark: str = ""


@dataclass(slots=True)
class Inline:
    """Text being assembled, with link spans and note references found in it."""

    parts: list[str] = field(default_factory=list)
    size: int = 0
    links: list[tuple[int, int, str]] = field(default_factory=list)
    notes: list[NoteRef] = field(default_factory=list)
    boxes: list[etree._Element] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Return the text assembled so far."""
        return self.parts[0] if len(self.parts) == 1 else "".join(self.parts)

    def add(self, text: str) -> None:
        """Append text."""
        if text:
            self.parts.append(text)
            self.size += len(text)

    def extend(self, other: Inline, separator: str) -> None:
        """Append another inline (links shifted), preceded by ``separator`` if both have text."""
        if self.size and other.size:
            self.add(separator)
        shift = self.size
        self.parts.extend(other.parts)
        self.size += other.size
        self.links.extend((s + shift, e + shift, url) for s, e, url in other.links)
        self.notes.extend(other.notes)
        self.boxes.extend(other.boxes)


def normalized(inline: Inline) -> Inline:
    """Return the inline with outer whitespace stripped and blank lines collapsed (spans kept)."""
    text = inline.text
    if not text or (text == text.strip() and "\n\n" not in text):
        inline.parts = [text] if text else []  # joined once; later reads are cheap
        return inline
    begin = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    kept: list[str] = []
    new_pos = [0] * (len(text) + 1)  # position in the new text of each old position
    count = 0
    for index, char in enumerate(text):
        new_pos[index] = count
        if begin <= index < end and not (char == "\n" and kept and kept[-1] == "\n"):
            kept.append(char)
            count += 1
    new_pos[len(text)] = count
    out = Inline(notes=inline.notes, boxes=inline.boxes)
    out.add("".join(kept))
    for start, stop, url in inline.links:
        new_start, new_stop = new_pos[start], new_pos[stop]
        if new_stop > new_start:
            out.links.append((new_start, new_stop, url))
    return out


@dataclass(slots=True)
class _Field:
    instr: list[str] = field(default_factory=list)
    in_result: bool = False
    url: str = ""
    owner: Inline | None = None
    start: int = 0


class InlineWalker:
    """Turns paragraphs of one part into :class:`Inline` text; field state spans paragraphs."""

    def __init__(self, rels: dict[str, Relationship]) -> None:
        self._rels = rels
        self._fields: list[_Field] = []
        self._codes = 0  # fields currently in their code part: text there is not shown
        self._pending_mark: NoteRef | None = None

    def paragraph(self, p: etree._Element) -> Inline:
        """Return the visible text of one w:p."""
        out = Inline()
        self._walk(p, out)
        # A field code never legitimately outlives its paragraph; drop any left open.
        while self._fields and not self._fields[-1].in_result:
            self._fields.pop()
            self._codes -= 1
        self._pending_mark = None
        return out

    def _walk(self, element: etree._Element, out: Inline) -> None:
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag == _R:
                self._run(child, out)
            elif tag == _W_HYPERLINK:
                start = out.size
                self._walk(child, out)
                url = self._link_url(child)
                if url and out.size > start:
                    out.links.append((start, out.size, url))
            elif tag == _W_FLD_SIMPLE:
                start = out.size
                self._walk(child, out)
                url = _field_url(child.get(_W_INSTR, ""))
                if url and out.size > start:
                    out.links.append((start, out.size, url))
            elif tag in _MATH:
                if not self._codes:
                    out.add("".join(node.text or "" for node in child.iter(_M_T)))
            elif tag == _ALTERNATE:
                self._alternate(child, out)
            elif tag == _TXBX:
                out.boxes.append(child)
            elif tag == _P:
                # A paragraph nested inline (seen in odd producers): keep its text on a new line.
                out.add("\n")
                self._walk(child, out)
            else:
                self._walk(child, out)  # ins, moveTo, sdt content, smartTag, customXml, ...

    def _alternate(self, element: etree._Element, out: Inline) -> None:
        # Markup compatibility: read one branch only, or text boxes would appear twice.
        branch = element.find(_CHOICE)
        if branch is None:
            branch = element.find(_FALLBACK)
        if branch is not None:
            self._walk(branch, out)

    def _run(self, run: etree._Element, out: Inline) -> None:
        rpr = run.find(_W_R_PR)
        vanish = rpr.find(_W_VANISH) if rpr is not None else None
        hidden = vanish is not None and vanish.get(_W_VAL, "1") not in _FALSE
        for child in run:
            tag = child.tag
            if hidden and tag not in _FIELD_TAGS:
                continue  # hidden text is not visible, but its field marks still count
            if tag == _T:
                if not self._codes:
                    self._text(_element_text(child), out)
            elif tag in _TEXT_CHARS:
                if not self._codes:
                    out.add(_TEXT_CHARS[tag])
            elif tag == _W_FLD_CHAR:
                self._field_char(child.get(_W_FLD_CHAR_TYPE, ""), out)
            elif tag == _W_INSTR_TEXT:
                if self._fields and not self._fields[-1].in_result:
                    self._fields[-1].instr.append(child.text or "")
            elif tag in _NOTE_REFS:
                ref = NoteRef(_NOTE_REFS[tag], child.get(_W_ID, ""))
                out.notes.append(ref)
                if child.get(_W_CUSTOM_MARK_FOLLOWS, "0") not in _FALSE:
                    self._pending_mark = ref
            elif tag == _W_SYM:
                if not self._codes:
                    out.add(_symbol(child.get(_W_CHAR, "")))
            elif tag == _ALTERNATE:
                self._alternate(child, out)
            elif tag in (_W_DRAWING, _W_PICT, _W_OBJECT):
                out.boxes.extend(_text_boxes(child))
            elif tag == _W_RUBY:
                base = child.find(_W_RUBY_BASE)
                if base is not None:
                    self._walk(base, out)

    def _text(self, text: str, out: Inline) -> None:
        if self._pending_mark is not None and text.strip():
            self._pending_mark.mark = text.strip()
            self._pending_mark = None
        out.add(text)

    def _field_char(self, kind: str, out: Inline) -> None:
        if kind == "begin":
            self._fields.append(_Field())
            self._codes += 1
        elif kind == "separate" and self._fields and not self._fields[-1].in_result:
            current = self._fields[-1]
            current.in_result = True
            self._codes -= 1
            current.url = _field_url("".join(current.instr))
            current.owner, current.start = out, out.size
        elif kind == "end" and self._fields:
            current = self._fields.pop()
            if not current.in_result:
                self._codes -= 1
            elif current.url and current.owner is out and out.size > current.start:
                out.links.append((current.start, out.size, current.url))

    def _link_url(self, link: etree._Element) -> str:
        rid = link.get(_RID)
        anchor = link.get(_W_ANCHOR, "")
        url = ""
        if rid and rid in self._rels:
            url = self._rels[rid].target
        if anchor:
            url = f"{url}#{anchor}"
        return url


def _element_text(node: etree._Element) -> str:
    # Unresolved entity references are child nodes: keep the text around them, never theirs.
    if len(node) == 0:
        return node.text or ""
    return (node.text or "") + "".join(child.tail or "" for child in node)


def _field_url(instr: str) -> str:
    match = _HYPERLINK_FIELD.match(instr)
    if match is None:
        return ""
    url = match.group(1) or match.group(2) or ""
    anchor = _ANCHOR_SWITCH.search(match.group(3) or "")
    if url.startswith("\\"):
        url = ""
    if anchor:
        url = f"{url}#{anchor.group(1)}"
    return url


def _symbol(code: str) -> str:
    try:
        value = int(code, 16)
    except ValueError:
        return ""
    if 0xF000 <= value <= 0xF0FF:
        return ""  # a glyph of a symbol font (Wingdings, Symbol): no reliable character
    if value < 0x20 or 0xD800 <= value <= 0xDFFF or value > 0x10FFFF:
        return ""
    return chr(value)


def _text_boxes(element: etree._Element) -> list[etree._Element]:
    """Return the outermost w:txbxContent inside a drawing, reading one markup branch only."""
    found: list[etree._Element] = []

    def visit(node: etree._Element) -> None:
        for child in node:
            tag = child.tag
            if tag == _TXBX:
                found.append(child)
            elif tag == _ALTERNATE:
                branch = child.find(_CHOICE)
                if branch is None:
                    branch = child.find(_FALLBACK)
                if branch is not None:
                    visit(branch)
            elif isinstance(tag, str):
                visit(child)

    visit(element)
    return found
