"""Decide what a file is before parsing it: .docx zip, legacy .doc, encrypted, or other.

Checks run on the first bytes only, so a renamed PDF or an oversized file is refused before
anything is unpacked. Legacy .doc files are converted with LibreOffice when it is installed,
always from a copy inside a temporary folder so that the original is never touched.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

from ingest.errors import (
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
