"""HTML for the document view: a whole submission rendered from its stored blocks.

Rendering from our own blocks (not from the Word file) keeps the highlight exact: a citation's
``char_start``/``char_end`` index the same canonical text the blocks tile. Every piece of
document text is escaped here; nothing from a submission reaches the page as markup.
"""

from __future__ import annotations

import html
import itertools
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.types import HEADING, NOTE_KINDS, TABLE_ROW, Block, Document, Link, Submission

logger = logging.getLogger(__name__)

CELL_SEPARATOR = " | "
ANCHOR_PREFIX = "sa-doc-"

LANGUAGE_NAMES = {
    "en": "English",
    "fr": "French",
    "es": "Spanish",
    "ar": "Arabic",
    "ru": "Russian",
    "zh": "Chinese",
    "pt": "Portuguese",
    "de": "German",
}


def language_name(code: str) -> str:
    """Return "French" for "fr"; unknown codes come back upper-cased."""
    return LANGUAGE_NAMES.get(code.lower(), code.upper()) if code else ""


@dataclass(frozen=True, slots=True)
class Highlight:
    """A span of the canonical text to mark; ``anchor`` becomes the id of its first piece."""

    char_start: int
    char_end: int
    anchor: str
    label: str = ""
    primary: bool = False


def anchor_id(turn: int, n: int) -> str:
    """Return the element id of citation [n] of conversation turn ``turn``."""
    return f"{ANCHOR_PREFIX}q-{turn}-{n}"


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


class _Painter:
    """Turns ranges of the canonical text into escaped HTML with marks and links."""

    def __init__(self, text: str, highlights: Sequence[Highlight]) -> None:
        self.text = text
        self.highlights = [h for h in highlights if 0 <= h.char_start < h.char_end <= len(text)]
        self.opened: set[str] = set()

    def paint(self, start: int, end: int, links: Sequence[Link] = ()) -> str:
        """Return HTML for ``text[start:end]``."""
        cuts = {start, end}
        for h in self.highlights:
            cuts.update(x for x in (h.char_start, h.char_end) if start < x < end)
        good_links = [
            ln for ln in links if ln.url.lower().startswith(("http://", "https://", "mailto:"))
        ]
        for ln in good_links:
            cuts.update(x for x in (ln.char_start, ln.char_end) if start < x < end)
        points = sorted(cuts)
        out: list[str] = []
        for a, b in itertools.pairwise(points):
            piece = _esc(self.text[a:b]).replace("\n", "<br>")
            for h in self.highlights:
                if h.char_start <= a and b <= h.char_end:
                    piece = self._mark(h, piece)
            link = next((ln for ln in good_links if ln.char_start <= a and b <= ln.char_end), None)
            if link is not None:
                piece = (
                    f'<a href="{_esc(link.url)}" target="_blank" rel="noopener noreferrer">'
                    f"{piece}</a>"
                )
            out.append(piece)
        return "".join(out)

    def _mark(self, h: Highlight, inner: str) -> str:
        classes = "sa-hl sa-hl-primary" if h.primary else "sa-hl"
        attrs = f' class="{classes}" data-anchor="{_esc(h.anchor)}"'
        if h.anchor not in self.opened:
            self.opened.add(h.anchor)
            attrs += f' id="{_esc(h.anchor)}" tabindex="-1"'
            if h.label:
                attrs += f' title="{_esc(h.label)}"'
        return f"<mark{attrs}>{inner}</mark>"


def _label_is_printed(block: Block) -> bool:
    """Return True when the paragraph's text already starts with its number ("12.", "(a)")."""
    if not block.label:
        return True
    words = block.text.split(None, 1)
    if not words:
        return False
    first = words[0].strip("().:;-–")
    label = block.label.strip("().")
    tail = block.label[block.label.rfind("(") :].strip("()") if "(" in block.label else label
    return first in (label, tail) or first.startswith(label + ".")


def _note_refs(block: Block) -> str:
    refs = [
        f'<sup class="sa-fnref"><a href="#{ANCHOR_PREFIX}note-{_esc(label)}" '
        f'data-scroll-to="{ANCHOR_PREFIX}note-{_esc(label)}">{_esc(label)}</a></sup>'
        for label in block.footnotes
    ]
    return "".join(refs)


def _paragraph(block: Block, painter: _Painter) -> str:
    body = painter.paint(block.char_start, block.char_end, block.links) + _note_refs(block)
    if block.label and not _label_is_printed(block):
        label = f'<span class="sa-para-label" aria-hidden="true">{_esc(block.label)}.</span>'
        return f'<p class="sa-para sa-numbered" data-label="{_esc(block.label)}">{label}{body}</p>'
    return f'<p class="sa-para">{body}</p>'


def _heading(block: Block, painter: _Painter) -> str:
    level = min(max(block.level, 1) + 2, 6)
    return f"<h{level}>{painter.paint(block.char_start, block.char_end)}</h{level}>"


def _cells(block: Block) -> list[tuple[int, int]]:
    """Return the (start, end) offsets of each cell of a table row."""
    spans, pos = [], block.char_start
    for part in block.text.split(CELL_SEPARATOR):
        spans.append((pos, pos + len(part)))
        pos += len(part) + len(CELL_SEPARATOR)
    return spans


def _table(rows: list[Block], painter: _Painter) -> str:
    header = rows[0].header
    first_cells = [painter.text[a:b].strip() for a, b in _cells(rows[0])]
    body_rows = rows
    head_html = ""
    if header and [h.strip() for h in header] == first_cells:
        cells = "".join(f'<th scope="col">{painter.paint(a, b)}</th>' for a, b in _cells(rows[0]))
        head_html, body_rows = f"<thead><tr>{cells}</tr></thead>", rows[1:]
    elif header:
        cells = "".join(f'<th scope="col">{_esc(h)}</th>' for h in header)
        head_html = f"<thead><tr>{cells}</tr></thead>"
    lines = []
    for row in body_rows:
        cells = "".join(f"<td>{painter.paint(a, b)}</td>" for a, b in _cells(row))
        lines.append(f'<tr data-row="{row.row}">{cells}{_note_refs(row)}</tr>')
    caption = f'<caption class="sa-visually-hidden">Table {rows[0].table}</caption>'
    return (
        f'<div class="sa-table-wrap"><table class="sa-table">{caption}{head_html}'
        f"<tbody>{''.join(lines)}</tbody></table></div>"
    )


def _notes(notes: list[Block], painter: _Painter) -> str:
    if not notes:
        return ""
    items = "".join(
        f'<li id="{ANCHOR_PREFIX}note-{_esc(b.label)}"><span class="sa-note-label">'
        f"{_esc(b.label)}</span> {painter.paint(b.char_start, b.char_end, b.links)}</li>"
        for b in notes
    )
    return (
        f'<section class="sa-doc-notes" aria-label="Notes"><h3>Notes</h3><ol>{items}</ol></section>'
    )


def describe_submission(submission: Submission | None) -> str:
    """Return "Submitter (type) · country · language" for a header line."""
    if submission is None:
        return ""
    parts = [submission.submitter_label]
    if submission.country and submission.country != submission.submitter:
        parts.append(submission.country)
    if submission.language:
        parts.append(language_name(submission.language))
    if submission.date:
        parts.append(submission.date)
    return " · ".join(parts)


def render_document(
    document: Document,
    submission: Submission | None = None,
    highlights: Sequence[Highlight] = (),
) -> str:
    """Return the whole submission as HTML with ``highlights`` wrapped in <mark> elements."""
    painter = _Painter(document.text, highlights)
    body: list[str] = []
    notes: list[Block] = []
    table_rows: list[Block] = []

    def flush_table() -> None:
        if table_rows:
            body.append(_table(list(table_rows), painter))
            table_rows.clear()

    for block in document.blocks:
        if block.kind == TABLE_ROW:
            if table_rows and table_rows[0].table != block.table:
                flush_table()
            table_rows.append(block)
            continue
        flush_table()
        if block.kind in NOTE_KINDS:
            notes.append(block)
        elif block.kind == HEADING:
            body.append(_heading(block, painter))
        else:
            body.append(_paragraph(block, painter))
    flush_table()
    title = (submission.title or submission.file) if submission else ""
    lang = f' lang="{_esc(submission.language)}"' if submission and submission.language else ""
    head = ""
    if submission is not None:
        head = (
            f'<header class="sa-doc-head"><h2>{_esc(title)}</h2>'
            f'<p class="sa-meta">{_esc(describe_submission(submission))}</p>'
            f'<p class="sa-meta sa-file">{_esc(submission.file)}</p></header>'
        )
    return (
        f'<article class="sa-doc" aria-label="Submission text"{lang}>{head}'
        f'<div class="sa-doc-body">{"".join(body)}</div>'
        f"{_notes(notes, painter)}</article>"
    )


def render_cited_list(items: Sequence[tuple[Highlight, str]], current: str = "") -> str:
    """Return the side list of passages of this submission cited in the conversation.

    ``items`` pairs each highlight with its short description ("[2] para. 14 — first words").
    """
    if not items:
        return '<p class="sa-muted">No passage of this submission is cited yet.</p>'
    lines = []
    for h, text in items:
        current_attr = ' aria-current="true"' if h.anchor == current else ""
        lines.append(
            f'<li><a href="#{_esc(h.anchor)}" data-scroll-to="{_esc(h.anchor)}"{current_attr}>'
            f"{_esc(text)}</a></li>"
        )
    return (
        '<nav class="sa-cited" aria-label="Passages cited in this conversation">'
        f"<h3>Cited in this conversation</h3><ul>{''.join(lines)}</ul></nav>"
    )
