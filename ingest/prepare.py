"""One file in, everything the index needs out: Submission, Document and Passages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ingest.chunking import chunk
from ingest.docx import read_docx
from ingest.filecheck import Limits, check_passage_count, check_text_size
from ingest.hashing import file_hash
from ingest.metadata import describe, detect_language
from ingest.types import Document, Passage, Submission

__all__ = ["Prepared", "file_hash", "prepare"]


@dataclass(frozen=True, slots=True)
class Prepared:
    """A parsed, described and chunked submission, ready to embed and store."""

    submission: Submission
    document: Document
    passages: tuple[Passage, ...]


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
) -> Prepared:
    """Read, describe and chunk one submission. Raises an IngestError leaf on bad input.

    ``limits`` are the input caps (zip inflation, paragraphs, passages); ``max_file_mb`` wins
    over its field of the same name.
    """
    content_hash = content_hash or file_hash(path)
    limits = limits or Limits()
    document = read_docx(path, max_file_mb=max_file_mb, limits=limits)
    check_text_size(Path(path), len(document.text), chunk_tokens, limits)
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
