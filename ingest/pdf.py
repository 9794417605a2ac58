"""Read a PDF submission into a :class:`~ingest.types.Document`, with the page of every line.

pypdfium2 (PDFium, BSD/Apache) gives each character with its box, size and weight; see
:mod:`ingest.pdfchars` for lines and :mod:`ingest.pdflayout` for reading order, running
headers, footnotes, paragraphs and headings. The canonical text is built here, block by block,
exactly as for Word ("\\n\\n" between blocks), so quotes are slices of it. A PDF without a text
layer goes to OCR (:mod:`ingest.ocr`) when Tesseract is installed, else it is refused with the
next step. Footnote callouts are not copied into the text; they become the block's footnotes.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from ingest.errors import (
    CorruptFileError,
    EmptyDocumentError,
    FileTooLargeError,
    IngestError,
    NoTextLayerError,
    TimeLimitError,
)
from ingest.formats import OCR_LAYER, TEXT_LAYER, FormatOptions
from ingest.labels import LabelCiter, typed_label
from ingest.pdfchars import PDFIUM, Line, group_lines, open_pdf, page_glyphs, unmapped_share
from ingest.pdflayout import (
    PageInfo,
    Para,
    body_size,
    drop_running,
    note_text,
    paragraphs,
    pitches,
    reading_order,
    split_notes,
    sub_number,
)
from ingest.types import FOOTNOTE, HEADING, PARAGRAPH, Block, Document

logger = logging.getLogger(__name__)

BLOCK_SEPARATOR = "\n\n"
FIRST_PAGE_CHARS = 1500
_MIN_PAGE_CHARS = 12  # fewer drawn characters than this on every page: no text layer
_METADATA = {"Title": "title", "Author": "author", "Subject": "subject", "Keywords": "keywords"}


def read_pdf(
    path: str | Path, *, max_file_mb: int = 50, options: FormatOptions | None = None
) -> Document:
    """Return the canonical text and blocks of a PDF, or raise an IngestError leaf."""
    path = Path(path)
    options = options or FormatOptions()
    try:
        with PDFIUM:  # pdfium is not thread-safe: one call into it at a time per process
            pdf = open_pdf(path, max_file_mb)
            try:
                result = _read(pdf, path, options)
            finally:
                pdf.close()
        if isinstance(result, str):
            return _ocr_or_refuse(path, result, options)  # renders under the lock, OCRs outside
        return result
    except IngestError:
        raise
    except Exception as exc:
        logger.debug("unexpected error while reading %s", path, exc_info=True)
        raise CorruptFileError(
            path,
            f"the PDF could not be read ({type(exc).__name__}: {exc}); open it in a PDF viewer "
            "and save it again, or ask the sender for a new copy.",
        ) from exc


def _read(pdf, path: Path, options: FormatOptions) -> Document | str:  # type: ignore[no-untyped-def]
    """Return the Document, or why the text layer is unusable (the caller then tries OCR)."""
    count = len(pdf)
    if count > options.max_pages:
        raise FileTooLargeError(
            path,
            f"the PDF has {count} pages, over the {options.max_pages}-page limit; raise "
            "pdf_max_pages (SUBMISSIONS_PDF_MAX_PAGES) or split the document.",
        )
    started = time.monotonic()
    infos: list[PageInfo] = []
    lines_by_page: list[list[Line]] = []
    drawn = 0
    unmapped = 0.0
    invisible = False
    for index in range(count):
        if time.monotonic() - started > options.file_timeout_s:
            raise TimeLimitError(
                path,
                f"reading the PDF took over {options.file_timeout_s:.0f} s (page {index + 1} of "
                f"{count}); raise pdf_timeout_s (SUBMISSIONS_PDF_TIMEOUT_S) or split the file.",
            )
        page = pdf[index]
        textpage = page.get_textpage()
        try:
            glyphs = page_glyphs(textpage)
            if not drawn and glyphs:
                invisible = _invisible(textpage)
        finally:
            textpage.close()
        width, height = page.get_size()
        page.close()
        inked = sum(1 for g in glyphs if g.text.strip() and not g.generated)
        drawn += inked
        unmapped += unmapped_share(glyphs) * inked
        infos.append(PageInfo(index + 1, width, height, _label(pdf, index)))
        lines_by_page.append(group_lines(glyphs, index + 1))
    if drawn < _MIN_PAGE_CHARS * max(count, 1) // 4 or (drawn and unmapped / drawn > 0.5):
        reason = "has no text layer (it is a scan or a picture of text)"
        if drawn:
            reason = "has text whose font has no Unicode map (it reads as garbage)"
        return reason
    properties = _metadata(pdf)
    if invisible:
        properties["text_source"] = OCR_LAYER
    return assemble(infos, lines_by_page, properties, path)


def _ocr_or_refuse(path: Path, reason: str, options: FormatOptions) -> Document:
    from ingest import ocr

    if not options.ocr:
        raise NoTextLayerError(path, f"the PDF {reason}; OCR is off (ocr = false), turn it on.")
    if not ocr.available(options.ocr_languages):
        raise NoTextLayerError(
            path,
            f"the PDF {reason}; install Tesseract OCR to read it (Debian: apt-get install "
            "tesseract-ocr tesseract-ocr-fra tesseract-ocr-spa), or ask the sender for a PDF "
            "with text.",
        )
    infos, lines_by_page = ocr.read_scan(path, options)
    document = assemble(infos, lines_by_page, {}, path)
    return Document(document.text, document.blocks, {**document.properties, "text_source": "ocr"})


def _invisible(textpage) -> bool:  # type: ignore[no-untyped-def]
    """Return True when the page's first characters are drawn invisibly (an OCR layer)."""
    import pypdfium2.raw as raw

    handle = textpage.raw
    total = min(raw.FPDFText_CountChars(handle), 40)
    hidden = 0
    for index in range(total):
        obj = raw.FPDFText_GetTextObject(handle, index)
        if obj and raw.FPDFTextObj_GetTextRenderMode(obj) == raw.FPDF_TEXTRENDERMODE_INVISIBLE:
            hidden += 1
    return total > 0 and hidden >= 0.8 * total


def _label(pdf, index: int) -> str:  # type: ignore[no-untyped-def]
    try:
        label = pdf.get_page_label(index) or ""
    except Exception:  # a damaged /PageLabels tree: no labels, not a failed file
        return ""
    return "" if label == str(index + 1) else label


def _metadata(pdf) -> dict[str, str]:  # type: ignore[no-untyped-def]
    found: dict[str, str] = {"format": "pdf"}
    try:
        meta = pdf.get_metadata_dict(skip_empty=True)
    except Exception:
        return found
    for name, key in _METADATA.items():
        value = " ".join(str(meta.get(name, "")).split())
        if value:
            found[key] = value
    return found


def assemble(
    infos: list[PageInfo], lines_by_page: list[list[Line]], properties: dict[str, str], path: Path
) -> Document:
    """Lay out the lines of every page and return the Document with page records."""
    kept, _apart = drop_running(infos, lines_by_page)
    ordered = [reading_order(lines, info) for lines, info in zip(kept, infos, strict=True)]
    size = body_size([ln for page in ordered for ln in page])
    bodies: list[list[Line]] = []
    notes: list[Para] = []
    for lines, info in zip(ordered, infos, strict=True):
        body, page_notes = split_notes(lines, size, info)
        bodies.append(body)
        notes.extend(page_notes)
    paras = paragraphs(bodies, size, pitches(bodies))
    builder = _Builder({(n.lines[0].page, n.label) for n in notes})
    builder.body(paras)
    builder.notes(notes)
    if not builder.blocks:
        raise EmptyDocumentError(
            path, "the PDF has no readable text on its pages; check that this is the right file."
        )
    text = BLOCK_SEPARATOR.join(b.text for b in builder.blocks)
    properties = {**properties, "format": "pdf"}
    properties.setdefault("text_source", TEXT_LAYER)
    properties["first_page_text"] = text[: min(builder.body_end, FIRST_PAGE_CHARS)]
    properties["pdf_lines"] = json.dumps(builder.records, separators=(",", ":"))
    properties["pdf_page_labels"] = json.dumps([i.label for i in infos], ensure_ascii=False)
    properties["pdf_page_sizes"] = json.dumps([[i.width, i.height] for i in infos])
    return Document(text=text, blocks=tuple(builder.blocks), properties=properties)


class _Builder:
    """Turns paragraphs and notes into Blocks with offsets, labels, heading paths and pages."""

    def __init__(self, note_keys: set[tuple[int, str]]) -> None:
        self.note_keys = note_keys
        self.blocks: list[Block] = []
        self.records: list[list[float]] = []
        self.position = 0
        self.body_end = 0
        self.callers: dict[str, tuple[tuple[str, ...], str]] = {}
        self._headings: list[tuple[int, str]] = []
        self._citer = LabelCiter()

    def _spell(self, lines: list[Line], skip_first: int = 0) -> tuple[str, list[str], list]:
        """Return (text, callouts, per-line (start, end, line)) for lines joined as one block."""
        out = ""
        callouts: list[str] = []
        spans = []
        for number, line in enumerate(lines):
            text, found = self._clean(line, skip_first if number == 0 else 0)
            callouts.extend(found)
            text = text.strip()
            if not text:
                continue
            if out.endswith("\u00ad"):
                out = out[:-1]
            elif out and not (out.endswith(("-", "‐")) and text[:1].isalpha()):
                out += " "
            spans.append((len(out), len(out) + len(text), line))
            out += text
        return out.replace("\u00ad", ""), callouts, spans

    def _clean(self, line: Line, skip: int) -> tuple[str, list[str]]:
        text = line.text
        found: list[str] = []
        for start, end in reversed(line.superscripts):
            label = text[start:end]
            if start >= skip and (line.page, label) in self.note_keys:
                found.insert(0, label)
                text = text[:start] + text[end:]
        return text[skip:], found

    def _add(self, kind: str, text: str, spans: list, **fields) -> Block | None:  # type: ignore[no-untyped-def]
        if not text:
            return None
        if self.blocks:
            self.position += len(BLOCK_SEPARATOR)
        start = self.position
        pages = [line.page for _, _, line in spans]
        block = Block(
            kind=kind, text=text, char_start=start, char_end=start + len(text),
            page=pages[0], page_end=pages[-1], **fields,
        )  # fmt: skip
        for a, b, line in spans:
            self.records.append(
                [start + a, start + b, line.page,
                 round(line.x0, 1), round(line.y0 - 0.25 * line.size, 1),
                 round(line.x1, 1), round(line.y1, 1)]
            )  # fmt: skip
        self.blocks.append(block)
        self.position = block.char_end
        return block

    def body(self, paras: list[Para]) -> None:
        for para in paras:
            text, callouts, spans = self._spell(para.lines)
            if para.kind == "heading":
                label = typed_label(text)[0]
                while self._headings and self._headings[-1][0] >= para.level:
                    self._headings.pop()
                self._headings.append((para.level, " ".join(text.split())))
                self._citer.reset(label)
                path = tuple(h for _, h in self._headings)
                self._add(HEADING, text, spans, heading_path=path, level=para.level, label=label)
                continue
            sub = sub_number(text)
            typed, paren = typed_label(text)
            label = sub or self._citer.cite(typed, parenthesized=paren)
            path = tuple(h for _, h in self._headings)
            labels = tuple(dict.fromkeys(callouts))
            for note in labels:
                self.callers.setdefault(note, (path, label))
            self._add(PARAGRAPH, text, spans, heading_path=path, label=label, footnotes=labels)
        self.body_end = self.position

    def notes(self, notes: list[Para]) -> None:
        for note in notes:
            _first, skip = note_text(note)
            text, _callouts, spans = self._spell(note.lines, skip_first=skip)
            path, attached = self.callers.get(note.label, ((), ""))
            self._add(FOOTNOTE, text, spans, heading_path=path, label=note.label, attached=attached)
