"""Footnotes and endnotes: their parts, and the numbers Word prints for them.

Word numbers notes in the order they are referenced, footnotes and endnotes separately, in
the format set by w:footnotePr / w:endnotePr (defaults: footnotes 1, 2, 3; endnotes i, ii,
iii). A reference with w:customMarkFollows prints the mark typed after it ("*") instead, and
takes no number. Endnote labels get an "e" prefix only when they would clash with a footnote
label in the same document, so that ``Document.notes()`` stays unambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from ingest.inline import NoteRef
from ingest.numbering import format_number
from ingest.ooxml import Package, Relationship, w

FOOTNOTE = "footnote"
ENDNOTE = "endnote"
_SEPARATOR_TYPES = frozenset({"separator", "continuationSeparator", "continuationNotice"})
_DEFAULT_FORMATS = {FOOTNOTE: "decimal", ENDNOTE: "lowerRoman"}


@dataclass(frozen=True, slots=True)
class NotePart:
    """The notes of one kind by id, with the relationships of their part (for hyperlinks)."""

    kind: str
    notes: dict[str, etree._Element]
    rels: dict[str, Relationship]


def read_notes(package: Package, main: str, kind: str) -> NotePart:
    """Return the footnotes or endnotes of the document (empty when the part is absent)."""
    name = package.related(main, f"/{kind}s")
    root = package.xml(name) if name else None
    notes: dict[str, etree._Element] = {}
    if root is not None:
        for note in root.iter(w(kind)):
            if note.get(w("type"), "normal") in _SEPARATOR_TYPES:
                continue
            notes.setdefault(note.get(w("id"), ""), note)
    return NotePart(kind, notes, package.rels(name) if name else {})


def note_formats(settings: etree._Element | None, body_sect: etree._Element | None) -> dict:
    """Return {kind: (numFmt, numStart)} from the section properties, else settings, else Word."""
    formats = {kind: (fmt, 1) for kind, fmt in _DEFAULT_FORMATS.items()}
    for source in (settings, body_sect):
        if source is None:
            continue
        for kind in (FOOTNOTE, ENDNOTE):
            props = source.find(w(f"{kind}Pr"))
            if props is None:
                continue
            fmt, start = formats[kind]
            fmt_node, start_node = props.find(w("numFmt")), props.find(w("numStart"))
            if fmt_node is not None:
                fmt = fmt_node.get(w("val"), fmt)
            if start_node is not None:
                try:
                    start = int(start_node.get(w("val"), "1"))
                except ValueError:
                    start = 1
            formats[kind] = (fmt, start)
    return formats


class NoteNumbers:
    """Assigns printed labels to notes in order of first reference."""

    def __init__(self) -> None:
        self._order: dict[tuple[str, str], int | str] = {}
        self._counts = {FOOTNOTE: 0, ENDNOTE: 0}
        self._labels: dict[tuple[str, str], str] = {}

    def register(self, ref: NoteRef) -> None:
        """Record a reference met while reading the body in order."""
        key = (ref.kind, ref.note_id)
        if key in self._order:
            return
        if ref.mark:
            self._order[key] = ref.mark
        else:
            self._order[key] = self._counts[ref.kind]
            self._counts[ref.kind] += 1

    def referenced(self, kind: str) -> list[str]:
        """Return the ids of the notes of one kind, in order of first reference."""
        return [note_id for (k, note_id) in self._order if k == kind]

    def finish(self, formats: dict) -> None:
        """Compute the labels once every reference is known."""
        labels: dict[tuple[str, str], str] = {}
        for key, order in self._order.items():
            if isinstance(order, str):
                labels[key] = order
            else:
                fmt, start = formats[key[0]]
                labels[key] = format_number(start + order, fmt) or str(start + order)
        footnote_labels = {label for (kind, _), label in labels.items() if kind == FOOTNOTE}
        if any(lab in footnote_labels for (k, _), lab in labels.items() if k == ENDNOTE):
            labels = {
                key: f"e{label}" if key[0] == ENDNOTE else label for key, label in labels.items()
            }
        self._labels = labels

    def label(self, kind: str, note_id: str) -> str:
        """Return the printed label of a note (after :meth:`finish`), or ""."""
        return self._labels.get((kind, note_id), "")
