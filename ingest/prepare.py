"""One file in, everything the index needs out: Submission, Document and Passages.

The format is decided by the file's content (:func:`ingest.convert.sniff`), not its name: Word
packages are read directly, PDFs by :mod:`ingest.pdf` (OCR for scans), and .odt/.doc/.rtf are
converted to .docx by LibreOffice in a temporary folder and then read as Word.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ingest.chunking import chunk
from ingest.convert import ODT, OLE2, PDF, RTF, sniff, to_docx
from ingest.docx import read_converted, read_docx
from ingest.errors import FileTooLargeError, MissingFileError, UnsupportedFileError
from ingest.filecheck import Limits, check_passage_count, check_text_size
from ingest.fingerprint import fingerprint
from ingest.formats import FormatOptions
from ingest.hashing import file_hash
from ingest.metadata import describe, detect_language
from ingest.types import Document, Passage, Submission

__all__ = ["FormatOptions", "Prepared", "file_hash", "prepare", "read_document"]


@dataclass(frozen=True, slots=True)
class Prepared:
    """A parsed, described and chunked submission, ready to embed and store."""

    submission: Submission
    document: Document
    passages: tuple[Passage, ...]


def read_document(
    path: str | Path,
    *,
    max_file_mb: int = 50,
    formats: FormatOptions | None = None,
    limits: Limits | None = None,
) -> Document:
    """Return the canonical Document of a Word, PDF, .odt, .doc or .rtf file."""
    path = Path(path)
    formats = formats or FormatOptions()
    kind = _kind(path, max_file_mb)
    if kind == PDF:
        from ingest.pdf import read_pdf

        return read_pdf(path, max_file_mb=max_file_mb, options=formats)
    if kind in (ODT, OLE2, RTF):
        with tempfile.TemporaryDirectory(prefix="submissions-convert-") as workdir:
            converted = to_docx(path, kind, Path(workdir), formats.convert_timeout_s)
            return read_converted(converted, path, max_file_mb=max_file_mb, limits=limits)
    return read_docx(path, max_file_mb=max_file_mb, limits=limits)


def _kind(path: Path, max_file_mb: int) -> str:
    try:
        if not path.is_file():
            return ""  # the Word reader reports missing files and folders
        size = path.stat().st_size
        if size == 0:
            raise UnsupportedFileError(
                path, "the file is empty (0 bytes); ask the sender for the file again."
            )
        if size > max_file_mb * 2**20:
            raise FileTooLargeError(
                path,
                f"the file is {size / 2**20:.1f} MB, over the {max_file_mb} MB limit; "
                "raise max_file_mb (SUBMISSIONS_MAX_FILE_MB) or split the document.",
            )
        return sniff(path)
    except OSError as exc:
        raise MissingFileError(
            path, f"the file cannot be read ({exc.strerror or exc}); check its permissions."
        ) from exc


def prepare(
    path: str | Path,
    key: str,
    *,
    content_hash: str | None = None,
    manifest: Mapping[str, Mapping[str, str]] | None = None,
    chunk_tokens: int = 250,
    overlap_tokens: int = 30,
    max_file_mb: int = 50,
    limits: Limits | None = None,
    formats: FormatOptions | None = None,
) -> Prepared:
    """Read, describe and chunk one submission. Raises an IngestError leaf on bad input.

    ``limits`` are the input caps (zip inflation, paragraphs, passages); ``max_file_mb`` wins
    over its field of the same name. ``formats`` holds the PDF, OCR and conversion limits.
    """
    content_hash = content_hash or file_hash(path)
    limits = limits or Limits()
    document = read_document(path, max_file_mb=max_file_mb, formats=formats, limits=limits)
    check_text_size(Path(path), len(document.text), chunk_tokens, limits)
    document = Document(
        document.text,
        document.blocks,
        {**document.properties, "text_signature": fingerprint(document.text)},
    )
    body = " ".join(b.text for b in document.blocks[:40])
    doc_language = detect_language(body) or "en"

    def language_of(text: str) -> str:
        return detect_language(text, default=doc_language)

    passages = chunk(
        document,
        key,
        chunk_tokens=chunk_tokens,
        overlap_tokens=overlap_tokens,
        language_of=language_of,
    )
    check_passage_count(Path(path), len(passages), limits)
    weights: Counter[str] = Counter()
    for passage in passages:
        weights[passage.language] += len(passage.text)
    language = weights.most_common(1)[0][0] if weights else doc_language
    submission = describe(key, content_hash, document, language=language, manifest=manifest)
    return Prepared(submission, document, tuple(passages))
