"""Read a Word submission into a :class:`~ingest.types.Document`: canonical text plus blocks.

The canonical text is the visible text in reading order: body paragraphs, table rows (cells
joined by " | "), text boxes and content controls at their anchor, then one block per
footnote and endnote. Blocks are joined by a blank line ("\\n\\n") and never contain one, so
``document.text[b.char_start:b.char_end] == b.text`` holds for every block. Note reference
marks are not copied into the text (a custom mark such as "*" is typed text and stays).

The parts are read with one hardened lxml parser (see :mod:`ingest.ooxml`), never with DTDs
or external entities. Anything unexpected while parsing becomes a ``CorruptFileError``.
"""

from __future__ import annotations

import dataclasses
import logging
import tempfile
import zipfile
from pathlib import Path

from lxml import etree

from ingest.body import BodyReader, Draft, flatten
from ingest.errors import (
    CorruptFileError,
    EmptyDocumentError,
    IngestError,
    UnsupportedFileError,
)
from ingest.filecheck import OLE2, Limits, check_file, check_paragraph_markup, convert_legacy
from ingest.inline import InlineWalker, normalized
from ingest.notes import FOOTNOTE, NoteNumbers, note_formats, read_notes
from ingest.numbering import Numbering
from ingest.ooxml import Package, w
from ingest.properties import read_properties
from ingest.styles import read_styles
from ingest.types import ENDNOTE, Block, Document, Link

logger = logging.getLogger(__name__)

BLOCK_SEPARATOR = "\n\n"
FIRST_PAGE_CHARS = 1500
_UNPACK_FACTOR = 20  # a part may unpack to this many times max_file_mb before we call it a bomb


def read_docx(path: str | Path, *, max_file_mb: int = 50, limits: Limits | None = None) -> Document:
    """Return the canonical text and blocks of a .docx file, or raise an IngestError leaf.

    ``limits`` caps what the file may cost (see :class:`ingest.filecheck.Limits`); its
    ``max_file_mb`` is taken from the argument.
    """
    path = Path(path)
    limits = dataclasses.replace(limits or Limits(), max_file_mb=max_file_mb)
    if check_file(path, max_file_mb) == OLE2:
        with tempfile.TemporaryDirectory(prefix="submissions-doc-") as workdir:
            converted = convert_legacy(path, Path(workdir))
            return _read_zip(converted, path, limits)
    return _read_zip(path, path, limits)


def read_converted(
    converted: Path, original: Path, *, max_file_mb: int = 50, limits: Limits | None = None
) -> Document:
    """Read a .docx that LibreOffice made from ``original``; errors name the original."""
    limits = dataclasses.replace(limits or Limits(), max_file_mb=max_file_mb)
    return _read_zip(converted, original, limits)


def _read_zip(source: Path, path: Path, limits: Limits) -> Document:
    try:
        archive = zipfile.ZipFile(source, "r")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise CorruptFileError(
            path,
            f"the file is a damaged or truncated zip package ({exc}); open it in Word "
            "(which can often repair it) and save it again as .docx.",
        ) from exc
    max_part = max(limits.max_file_mb, 10) * _UNPACK_FACTOR * 2**20
    package = Package(path, archive, max_part_bytes=max_part, limits=limits)
    try:
        return _parse(package)
    except IngestError:
        raise
    except Exception as exc:
        logger.debug("unexpected error while parsing %s", path, exc_info=True)
        raise CorruptFileError(
            path,
            f"the document could not be parsed ({type(exc).__name__}: {exc}); open it in Word "
            "and save it again as .docx.",
        ) from exc
    finally:
        package.close()


def _parse(package: Package) -> Document:
    main = package.main_part()
    data = package.read(main) if main else None
    if data is not None:
        check_paragraph_markup(package.path, data, package.limits)
    root = package.parse_bytes(data, main) if data is not None else None
    if root is None or root.tag != w("document") or root.find(w("body")) is None:
        raise _not_word(package)
    styles_name = package.related(main, "/styles")
    styles = read_styles(package, styles_name)
    numbering_name = package.related(main, "/numbering")
    numbering = Numbering(package.xml(numbering_name) if numbering_name else None, styles.num_ids())
    reader = BodyReader(styles, numbering, InlineWalker(package.rels(main)))
    bodies = root.findall(w("body"))  # some producers write several bodies; keep them all
    for body in bodies:
        reader.container(body)
    drafts = reader.drafts

    numbers = NoteNumbers()
    body_count = len(drafts)
    if reader.note_refs:
        drafts.extend(_note_drafts(package, main, reader, numbers, bodies[-1]))
    document = _assemble(drafts, numbers, body_count, read_properties(package))
    if not document.blocks:
        raise EmptyDocumentError(
            package.path,
            "the document has no visible text (only empty paragraphs, images, or page "
            "headers and footers); check that this is the right file.",
        )
    return document


def _not_word(package: Package) -> IngestError:
    """Return the error for a zip package without a Word main part: another format, or damage."""
    other = None
    mimetype = package.read("mimetype") or b""
    if b"opendocument" in mimetype:
        other = "an OpenDocument (LibreOffice/OpenOffice) file"
    elif package.has("xl/workbook.xml"):
        other = "an Excel workbook"
    elif package.has("ppt/presentation.xml"):
        other = "a PowerPoint presentation"
    elif not package.has("[Content_Types].xml"):
        other = "a zip archive"
    if other:
        return UnsupportedFileError(
            package.path, f"is {other}, not a Word document; save it as .docx from Word."
        )
    return CorruptFileError(
        package.path,
        "the package has no Word main document part (word/document.xml); it is not a "
        "Word document or it is damaged. Open it in Word and save it again as .docx.",
    )


def _note_drafts(
    package: Package,
    main: str,
    reader: BodyReader,
    numbers: NoteNumbers,
    body: etree._Element,
) -> list[Draft]:
    """Number the referenced notes and return one draft per note, footnotes first."""
    note_paths: dict[tuple[str, str], tuple[str, ...]] = {}
    for ref, path in reader.note_refs:
        numbers.register(ref)
        note_paths.setdefault((ref.kind, ref.note_id), path)
    settings_name = package.related(main, "/settings")
    settings = package.xml(settings_name) if settings_name else None
    numbers.finish(note_formats(settings, body.find(w("sectPr"))))
    drafts: list[Draft] = []
    for kind in (FOOTNOTE, ENDNOTE):
        referenced = numbers.referenced(kind)
        part = read_notes(package, main, kind) if referenced else None
        if part is None or not part.notes:
            continue
        walker = InlineWalker(part.rels)
        for note_id in referenced:
            element = part.notes.get(note_id)
            if element is None:
                continue
            inline = normalized(flatten(element, walker))
            path = note_paths.get((kind, note_id), ())
            drafts.append(
                Draft(kind, inline, heading_path=path, label=numbers.label(kind, note_id))
            )
    return drafts


def _assemble(
    drafts: list[Draft], numbers: NoteNumbers, body_count: int, properties: dict[str, str]
) -> Document:
    texts: list[str] = []
    blocks: list[Block] = []
    position = 0
    body_end = 0
    callers: dict[str, str] = {}  # note label -> printed label of the paragraph citing it
    for index, draft in enumerate(drafts):
        text = draft.inline.text
        if not text:
            continue
        if texts:
            position += len(BLOCK_SEPARATOR)
        start, end = position, position + len(text)
        links = tuple(
            Link(text[s:e], url, start + s, start + e) for s, e, url in draft.inline.links
        )
        labels: list[str] = []
        for ref in draft.note_refs:
            label = numbers.label(ref.kind, ref.note_id)
            if label and label not in labels:
                labels.append(label)
        if index < body_count:
            for label in labels:
                callers.setdefault(label, draft.label)
        blocks.append(
            Block(
                kind=draft.kind,
                text=text,
                char_start=start,
                char_end=end,
                heading_path=draft.heading_path,
                level=draft.level,
                label=draft.label,
                footnotes=tuple(labels),
                links=links,
                table=draft.table,
                row=draft.row,
                header=draft.header,
                style=draft.style,
                attached=callers.get(draft.label, "") if index >= body_count else "",
            )
        )
        texts.append(text)
        position = end
        if index < body_count:
            body_end = end
    text = BLOCK_SEPARATOR.join(texts)
    properties = dict(properties)
    properties["first_page_text"] = text[: min(body_end, FIRST_PAGE_CHARS)]
    return Document(text=text, blocks=tuple(blocks), properties=properties)
