"""Decide what a file is before parsing it: .docx zip, legacy .doc, encrypted, or other.

Checks run on the first bytes only, so a renamed PDF or an oversized file is refused before
anything is unpacked. Legacy .doc files are converted with LibreOffice when it is installed,
always from a copy inside a temporary folder so that the original is never touched.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from ingest.errors import (
    CorruptFileError,
    EncryptedFileError,
    FileTooLargeError,
    MissingFileError,
    UnsupportedFileError,
)

logger = logging.getLogger(__name__)

ZIP = "zip"
OLE2 = "ole2"

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_OTHER_FORMATS = (
    (b"%PDF", "a PDF file"),
    (b"{\\rtf", "an RTF file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"<?xml", "a plain XML file (perhaps Word 2003 XML)"),
    (b"<html", "an HTML page"),
    (b"<!DOCTYPE", "an HTML or XML page"),
)
_CONVERT_TIMEOUT_S = 180


def check_file(path: Path, max_file_mb: int) -> str:
    """Return ZIP or OLE2 for a readable Word file, else raise the IngestError saying why."""
    try:
        return _check(path, max_file_mb)
    except OSError as exc:
        raise MissingFileError(
            path, f"the file cannot be read ({exc.strerror or exc}); check its permissions."
        ) from exc


def _check(path: Path, max_file_mb: int) -> str:
    if not path.exists():
        raise MissingFileError(path, "file not found; check the path and try again.")
    if not path.is_file():
        raise MissingFileError(path, "is not a file; give the path of a .docx file or a folder.")
    size = path.stat().st_size
    if size > max_file_mb * 2**20:
        raise FileTooLargeError(
            path,
            f"the file is {size / 2**20:.1f} MB, over the {max_file_mb} MB limit; "
            "raise max_file_mb (SUBMISSIONS_MAX_FILE_MB) or split the document.",
        )
    if size == 0:
        raise UnsupportedFileError(path, "the file is empty (0 bytes); save it again from Word.")
    with path.open("rb") as handle:
        head = handle.read(512)
    if head.startswith(_ZIP_MAGIC):
        return ZIP
    if head.startswith(_OLE2_MAGIC):
        if _ENCRYPTED_STREAM in path.read_bytes():
            raise EncryptedFileError(
                path,
                "the document is password-protected; open it in Word, remove the password "
                "(File > Info > Protect Document) and save it again.",
            )
        return OLE2
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    for magic, what in _OTHER_FORMATS:
        if stripped.startswith(magic.lower()):
            raise UnsupportedFileError(
                path, f"is {what}, not a Word .docx file; save it as .docx from Word."
            )
    raise UnsupportedFileError(
        path, "is not a Word .docx file (not a zip package); save it as .docx from Word."
    )


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps on what one input file may cost; each is a setting, each refusal names the file.

    ``max_unpacked_mb`` bounds the bytes actually inflated from one file's zip (all parts read,
    counted while streaming, whatever the zip directory declares); ``max_compression_ratio``
    refuses a part that inflates to more than that many times its compressed size (once past
    1 MB); ``max_paragraphs`` and ``max_passages`` bound the document's paragraphs (counted in
    the markup before parsing) and the passages it is cut into. The real corpus peaks at a ratio
    of 38, 15 MB of XML and 16,000 paragraphs in one file.
    """

    max_file_mb: int = 50
    max_unpacked_mb: int = 64
    max_compression_ratio: int = 100
    max_paragraphs: int = 100_000
    max_passages: int = 20_000

    @classmethod
    def from_options(cls, options: Mapping[str, object] | None) -> Limits:
        """Return the limits named in ``options`` (other keys are ignored, missing ones default)."""
        if not options:
            return cls()
        names = {f.name for f in fields(cls)}
        return cls(**{k: int(v) for k, v in options.items() if k in names})  # type: ignore[arg-type]


RATIO_FLOOR_BYTES = 2**20  # below this a part may be as compressible as it likes
_CHUNK = 2**20
_PARAGRAPH_TAG = re.compile(rb"<(?:[A-Za-z0-9_]+:)?p[ >/]")


class Inflater:
    """Reads zip members of one file, streaming, with a hard cap on the bytes inflated."""

    def __init__(self, path: Path, limits: Limits) -> None:
        self.path = path
        self.limits = limits
        self.left = limits.max_unpacked_mb * 2**20
        self.total = 0

    def read(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
        """Return the bytes of ``info``, or raise FileTooLargeError / CorruptFileError."""
        if info.file_size > self.left:  # the declared size already says no: refuse at once
            raise self._too_large(info.filename, info.file_size)
        parts: list[bytes] = []
        inflated = 0
        ratio = self.limits.max_compression_ratio
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    inflated += len(chunk)
                    if inflated > self.left:
                        raise self._too_large(info.filename, inflated)
                    if inflated > RATIO_FLOOR_BYTES and inflated > ratio * max(
                        info.compress_size, 1
                    ):
                        raise FileTooLargeError(
                            self.path,
                            f"the part {info.filename} inflates to more than {ratio} times its "
                            f"compressed size ({info.compress_size:,} bytes); this looks like a "
                            "zip bomb. Raise max_compression_ratio "
                            "(SUBMISSIONS_MAX_COMPRESSION_RATIO) if the file is genuine.",
                        )
                    parts.append(chunk)
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            ValueError,
            NotImplementedError,
        ) as exc:
            raise CorruptFileError(
                self.path,
                f"the part {info.filename} cannot be unpacked ({exc}); the file is damaged. "
                "Open it in Word and save it again.",
            ) from exc
        self.left -= inflated
        self.total += inflated
        return b"".join(parts)

    def _too_large(self, name: str, size: int) -> FileTooLargeError:
        cap = self.limits.max_unpacked_mb
        return FileTooLargeError(
            self.path,
            f"unpacking {name} would take this file past {cap} MB of unpacked content "
            f"({(self.total + size) / 2**20:.0f} MB or more); this looks like a zip bomb or an "
            "unusually large document. Raise max_unpacked_mb (SUBMISSIONS_MAX_UNPACKED_MB) if "
            "the file is genuine.",
        )


def check_paragraph_markup(path: Path, xml: bytes, limits: Limits) -> None:
    """Refuse a main part with more paragraphs than ``max_paragraphs``, before parsing it."""
    count = len(_PARAGRAPH_TAG.findall(xml))
    if count > limits.max_paragraphs:
        raise FileTooLargeError(
            path,
            f"the document has {count:,} paragraphs, over the max_paragraphs limit of "
            f"{limits.max_paragraphs:,}; split it, or raise max_paragraphs "
            "(SUBMISSIONS_MAX_PARAGRAPHS) if the file is genuine.",
        )


CHARS_PER_TOKEN = 4  # a rough average over English, French and Spanish prose


def check_text_size(path: Path, chars: int, chunk_tokens: int, limits: Limits) -> None:
    """Refuse, before chunking, a text that would clearly make more than ``max_passages``."""
    estimate = chars // max(1, chunk_tokens * CHARS_PER_TOKEN)
    if estimate > limits.max_passages:
        raise FileTooLargeError(
            path,
            f"the document's {chars / 2**20:.0f} MB of text would make about {estimate:,} "
            f"passages, over the max_passages limit of {limits.max_passages:,}; split it, or "
            "raise max_passages (SUBMISSIONS_MAX_PASSAGES) if the file is genuine.",
        )


def check_passage_count(path: Path, count: int, limits: Limits) -> None:
    """Refuse a document cut into more passages than ``max_passages``."""
    if count > limits.max_passages:
        raise FileTooLargeError(
            path,
            f"the document makes {count:,} passages, over the max_passages limit of "
            f"{limits.max_passages:,}; split it, or raise max_passages "
            "(SUBMISSIONS_MAX_PASSAGES) if the file is genuine.",
        )


def convert_legacy(path: Path, workdir: Path) -> Path:
    """Convert a legacy .doc to .docx inside ``workdir`` with LibreOffice; return the new file."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise UnsupportedFileError(
            path,
            "is a legacy Word .doc file; re-save it as .docx in Word, or install LibreOffice "
            "(soffice) for automatic conversion.",
        )
    source = workdir / f"source{path.suffix.lower() or '.doc'}"
    shutil.copyfile(path, source)
    command = [
        soffice,
        f"-env:UserInstallation={(workdir / 'profile').as_uri()}",
        "--headless",
        "--convert-to",
        "docx",
        "--outdir",
        str(workdir / "out"),
        str(source),
    ]
    logger.info("converting legacy .doc %s with LibreOffice", path)
    try:
        subprocess.run(command, capture_output=True, timeout=_CONVERT_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UnsupportedFileError(
            path, f"LibreOffice could not convert this legacy .doc ({exc}); re-save it as .docx."
        ) from exc
    converted = workdir / "out" / "source.docx"
    if not converted.is_file():
        raise UnsupportedFileError(
            path,
            "LibreOffice could not convert this legacy .doc (it may be encrypted or damaged); "
            "re-save it as .docx in Word.",
        )
    return converted
