"""Walk a document body in reading order and turn it into draft blocks.

Paragraphs, tables, content controls and text boxes are visited in document order (text boxes
right after the paragraph that anchors them). Each draft keeps its text as an
:class:`~ingest.inline.Inline` so that link spans and note references travel with it; offsets
into the canonical text are assigned later, when the drafts are joined.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from ingest.inline import Inline, InlineWalker, NoteRef, normalized
from ingest.labels import LabelCiter, typed_label
from ingest.numbering import Numbering
from ingest.ooxml import MC_NS, w
from ingest.styles import Styles, heading_level, num_pr
from ingest.types import HEADING, PARAGRAPH, TABLE_ROW

_W_P_PR = w("pPr")
_W_P_STYLE = w("pStyle")
_W_TBL_HEADER = w("tblHeader")
_W_TR_PR = w("trPr")
_W_VAL = w("val")
_W_R_PR = w("rPr")
_W_DEL = w("del")
_W_MOVE_FROM = w("moveFrom")
_W_TC_PR = w("tcPr")
_W_V_MERGE = w("vMerge")
_P, _TBL, _TR, _TC = w("p"), w("tbl"), w("tr"), w("tc")
_SDT, _SDT_CONTENT = w("sdt"), w("sdtContent")
_WRAPPERS = frozenset({w("customXml"), w("ins"), w("moveTo"), w("smartTag")})
_ALTERNATE = f"{{{MC_NS}}}AlternateContent"
_CHOICE = f"{{{MC_NS}}}Choice"
_FALLBACK = f"{{{MC_NS}}}Fallback"
_CELL_SEPARATOR = " | "


@dataclass(slots=True)
class Draft:
    """A block before offsets are known."""

    kind: str
    inline: Inline
    heading_path: tuple[str, ...] = ()
    level: int = 0
    label: str = ""
    table: int = 0
    row: int = 0
    header: tuple[str, ...] = ()
    style: str = ""
    note_refs: list[NoteRef] = field(default_factory=list)


def children(element: etree._Element) -> Iterator[etree._Element]:
    """Yield the block-level children of a container, looking through wrappers."""
    for child in element:
        tag = child.tag
        if tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from children(content)
        elif tag in _WRAPPERS:
            yield from children(child)
        elif tag == _ALTERNATE:
            branch = child.find(_CHOICE)
            if branch is None:
                branch = child.find(_FALLBACK)
            if branch is not None:
                yield from children(branch)
        elif isinstance(tag, str):
            yield child


def flatten(element: etree._Element, walker: InlineWalker) -> Inline:
    """Return the text of a cell, note or text box: paragraphs on lines, nested rows as lines."""
    out = Inline()
    for child in children(element):
        if child.tag == _P:
            inline = normalized(walker.paragraph(child))
            boxes, inline.boxes = inline.boxes, []
            out.extend(inline, "\n")
            for box in boxes:
                out.extend(normalized(flatten(box, walker)), "\n")
        elif child.tag == _TBL:
            for line, _ in _rows(child, walker):
                out.extend(line, "\n")
    return out


def _rows(table: etree._Element, walker: InlineWalker) -> list[tuple[Inline, tuple[str, ...]]]:
    """Return each row as one inline (non-empty cells joined by " | ") and its cell texts."""
    rows = []
    for row in children(table):
        if row.tag != _TR:
            continue
        line = Inline()
        cells = []
        for cell in children(row):
            if cell.tag != _TC or _continues_merge(cell):
                continue
            inline = normalized(flatten(cell, walker))
            line.extend(inline, _CELL_SEPARATOR)
            if inline.size:
                cells.append(inline.text)
        rows.append((line, tuple(cells)))
    return rows


def _continues_merge(cell: etree._Element) -> bool:
    props = cell.find(_W_TC_PR)
    merge = props.find(_W_V_MERGE) if props is not None else None
    return merge is not None and merge.get(_W_VAL, "continue") == "continue"


def _mark_deleted(ppr: etree._Element | None) -> bool:
    """Return True when the paragraph mark is a tracked deletion (or moved away)."""
    rpr = ppr.find(_W_R_PR) if ppr is not None else None
    return rpr is not None and (rpr.find(_W_DEL) is not None or rpr.find(_W_MOVE_FROM) is not None)


def _header_rows(table: etree._Element, count: int) -> int:
    """Return how many leading rows are the header: marked ones, else the first of several."""
    marked = 0
    for row in children(table):
        if row.tag != _TR:
            continue
        props = row.find(_W_TR_PR)
        flag = props.find(_W_TBL_HEADER) if props is not None else None
        if flag is None or flag.get(_W_VAL, "1") in ("0", "false", "off"):
            break
        marked += 1
    if marked:
        return min(marked, count)
    return 1 if count >= 2 else 0


class BodyReader:
    """Collects drafts from the body (and text boxes) while tracking headings and numbering."""

    def __init__(self, styles: Styles, numbering: Numbering, walker: InlineWalker) -> None:
        self.drafts: list[Draft] = []
        # Every note reference in reading order, with the heading path where it occurs; kept
        # even when the referencing paragraph has no text, so the note is still numbered.
        self.note_refs: list[tuple[NoteRef, tuple[str, ...]]] = []
        self._styles = styles
        self._numbering = numbering
        self._walker = walker
        self._headings: list[tuple[int, str]] = []
        self._path: tuple[str, ...] = ()
        self._citer = LabelCiter()
        self._tables = 0
        self._carry: Inline | None = None  # text of a paragraph whose mark was deleted

    def container(self, element: etree._Element) -> None:
        """Read every paragraph and table of a body, text box or content control."""
        outer, self._carry = self._carry, None
        for child in children(element):
            if child.tag == _P:
                self.paragraph(child)
            elif child.tag == _TBL:
                self._flush_carry()
                self.table(child)
        self._flush_carry()
        self._carry = outer

    def _flush_carry(self) -> None:
        if self._carry is not None:
            carry, self._carry = self._carry, None
            self._add_paragraph(carry, None, None, "")

    def paragraph(self, p: etree._Element) -> None:
        """Read one paragraph, then the text boxes anchored in it."""
        ppr = p.find(_W_P_PR)
        style_node = ppr.find(_W_P_STYLE) if ppr is not None else None
        style_id = style_node.get(_W_VAL) if style_node is not None else None
        raw = self._walker.paragraph(p)
        if self._carry is not None:
            carry, self._carry = self._carry, None
            carry.extend(raw, "")
            raw = carry
        if _mark_deleted(ppr):
            # Accepting the deletion of a paragraph mark joins this text to the next paragraph.
            self._carry = raw
            return
        self._add_paragraph(raw, ppr, style_id, self._auto_label(ppr, style_id))

    def _add_paragraph(
        self, raw: Inline, ppr: etree._Element | None, style_id: str | None, auto: str
    ) -> None:
        inline = normalized(raw)
        boxes, inline.boxes = inline.boxes, []
        if inline.size:
            level = heading_level(self._styles, style_id, ppr)
            text = inline.text
            typed, parenthesized = typed_label(text)
            label = auto or typed
            if level is not None:
                self._enter_heading(level, text)
                self._citer.reset(label)
                kind = HEADING
            else:
                label = self._citer.cite(label, parenthesized=parenthesized and not auto)
                kind = PARAGRAPH
            self.drafts.append(
                Draft(
                    kind,
                    inline,
                    heading_path=self._path,
                    level=level or 0,
                    label=label,
                    style=self._styles.display_name(style_id),
                    note_refs=inline.notes,
                )
            )
        self.note_refs.extend((ref, self._path) for ref in inline.notes)
        for box in boxes:
            self.container(box)

    def _auto_label(self, ppr: etree._Element | None, style_id: str | None) -> str:
        own = num_pr(ppr)
        from_style = self._styles.numbering(style_id)
        num_id = ""
        ilvl: int | None = None
        if own is not None and own.num_id:
            num_id, ilvl = own.num_id, own.ilvl
        elif from_style is not None:
            num_id = from_style.num_id
            ilvl = own.ilvl if own is not None and own.ilvl is not None else from_style.ilvl
        if not num_id or num_id == "0":
            return ""
        if ilvl is None:
            ilvl = self._numbering.level_for_style(style_id) or 0
        return self._numbering.next_label(num_id, ilvl)

    def _enter_heading(self, level: int, text: str) -> None:
        while self._headings and self._headings[-1][0] >= level:
            self._headings.pop()
        self._headings.append((level, " ".join(text.split())))
        self._path = tuple(heading for _, heading in self._headings)

    def table(self, table: etree._Element) -> None:
        """Read one top-level table: one draft per row, the header row as row 0."""
        self._tables += 1
        rows = _rows(table, self._walker)
        header_count = _header_rows(table, len(rows))
        header: tuple[str, ...] = ()
        for _, cells in rows[:header_count]:
            header = cells or header
        for index, (line, _) in enumerate(rows):
            self.note_refs.extend((ref, self._path) for ref in line.notes)
            if not line.size:
                continue
            self.drafts.append(
                Draft(
                    TABLE_ROW,
                    line,
                    heading_path=self._path,
                    table=self._tables,
                    row=max(0, index - header_count + 1) if index >= header_count else 0,
                    header=header,
                    note_refs=line.notes,
                )
            )
