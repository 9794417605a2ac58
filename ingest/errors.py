"""Errors raised while reading submissions.

    IngestError
    ├── MissingFileError       no such file, or not a regular file
    ├── UnsupportedFileError   not a .docx (a renamed PDF, a legacy .doc without soffice, ...)
    ├── CorruptFileError       a broken or truncated zip, unreadable XML
    ├── EncryptedFileError     password-protected Word file
    ├── EmptyDocumentError     no visible text
    ├── FileTooLargeError      over the ``max_file_mb`` setting (or the PDF/OCR page caps)
    ├── NoTextLayerError       a scanned PDF and no OCR (Tesseract missing or turned off)
    └── TimeLimitError         reading, OCR or conversion of one file ran over its time limit

Every message names the file and says what to do next.
"""

from __future__ import annotations

from pathlib import Path


class IngestError(Exception):
    """A submission could not be read. ``path`` names the file, ``reason`` says why."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{Path(path).name}: {reason}")


class MissingFileError(IngestError):
    pass


class UnsupportedFileError(IngestError):
    pass


class CorruptFileError(IngestError):
    pass


class EncryptedFileError(IngestError):
    pass


class EmptyDocumentError(IngestError):
    pass


class FileTooLargeError(IngestError):
    pass


class NoTextLayerError(IngestError):
    pass


class TimeLimitError(IngestError):
    pass
