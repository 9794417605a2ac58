"""Data that flows out of the ingest stage: frozen, framework-free dataclasses.

A :class:`Document` is one submission's canonical text (the visible text in reading order)
and the :class:`Block` objects that tile it. Every block's ``text`` equals
``document.text[block.char_start:block.char_end]``; passages are verbatim slices of the same
text, so a quote can always be located and highlighted in its document.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Block kinds.
HEADING = "heading"
PARAGRAPH = "paragraph"
TABLE_ROW = "table_row"
FOOTNOTE = "footnote"
ENDNOTE = "endnote"
NOTE_KINDS = (FOOTNOTE, ENDNOTE)

SUBMITTER_TYPES = (
    "State",
    "NHRI",
    "NGO/civil society",
    "UN/intergovernmental",
    "academic",
    "individual",
    "other",
)


@dataclass(frozen=True, slots=True)
class Link:
    """A hyperlink: its visible text, its target, and its offsets in the canonical text."""

    text: str
    url: str
    char_start: int
    char_end: int


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph, heading, table row, footnote or endnote of the canonical text.

    ``label`` is the number as printed: "12", "12(a)" for paragraphs, "7" for footnote 7.
    ``footnotes`` lists the labels of the notes this block refers to. Table rows carry their
    1-based ``table`` and ``row`` numbers and the table's ``header`` cells. ``page`` is the
    1-based physical page where the block starts in a PDF (0 when the format has no pages),
    ``page_end`` where it ends. ``attached`` is, for a footnote or endnote, the printed label of
    the paragraph that refers to it ("7" for "para. 7, fn. 4").
    """

    kind: str
    text: str
    char_start: int
    char_end: int
    heading_path: tuple[str, ...] = ()
    level: int = 0
    label: str = ""
    footnotes: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    table: int = 0
    row: int = 0
    header: tuple[str, ...] = ()
    style: str = ""
    page: int = 0
    page_end: int = 0
    attached: str = ""


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed submission: canonical text, the blocks that tile it, and core properties."""

    text: str
    blocks: tuple[Block, ...]
    properties: dict[str, str] = field(default_factory=dict)

    def notes(self) -> dict[str, Block]:
        """Return footnote and endnote blocks by printed label ("7", or "e3" for endnotes)."""
        return {b.label: b for b in self.blocks if b.kind in NOTE_KINDS}


@dataclass(frozen=True, slots=True)
class Passage:
    """A retrievable slice of one submission, with its provenance.

    ``text`` is a verbatim slice ``canonical_text[char_start:char_end]``. ``embed_text`` is what
    the embedder sees: it may prepend the heading path or table headers for context.
    ``page``/``page_end`` are the 1-based physical pages where the passage starts and ends (0
    when the format has no pages); ``page_label`` is the printed label of ``page`` when the PDF
    gives one that differs from the page number (shown beside it, never instead of it).
    """

    id: str
    submission_key: str
    heading_path: tuple[str, ...]
    paragraphs: tuple[str, ...]
    locator: str
    footnotes: tuple[str, ...]
    language: str
    char_start: int
    char_end: int
    text: str
    embed_text: str
    ordinal: int = 0
    kind: str = PARAGRAPH
    page: int = 0
    page_end: int = 0
    page_label: str = ""


@dataclass(frozen=True, slots=True)
class Submission:
    """One submission in the registry: identity, content hash and descriptive metadata."""

    key: str
    content_hash: str
    file: str
    title: str = ""
    submitter: str = ""
    submitter_type: str = "other"
    country: str = ""
    language: str = ""
    date: str = ""
    confidential: bool = False
    passages: int = 0
    ingested_at: str = ""

    @property
    def submitter_label(self) -> str:
        """Return "Name (Type)", the key that answers group by."""
        return f"{self.submitter or self.file} ({self.submitter_type})"
