"""What a file is, by its content (not its name), and LibreOffice conversion of .odt/.doc/.rtf.

:func:`sniff` reads the first bytes: a PDF, a zip package (Word, or OpenDocument by its
``mimetype`` entry), a legacy OLE2 file (.doc), or RTF. :func:`to_docx` converts with
LibreOffice headless, from a copy inside a temporary folder (the original is never touched),
with its own user profile and a time limit, so that converted files take the Word path and get
the same provenance (headings, printed numbers, footnotes).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import zipfile
from pathlib import Path

from ingest.errors import TimeLimitError, UnsupportedFileError

logger = logging.getLogger(__name__)

PDF, WORD, ODT, OLE2, RTF, OTHER = "pdf", "word", "odt", "ole2", "rtf", "other"
_NAMES = {ODT: "OpenDocument text (.odt)", OLE2: "legacy Word (.doc)", RTF: "RTF"}


def sniff(path: Path) -> str:
    """Return PDF, WORD, ODT, OLE2, RTF or OTHER from the file's first bytes."""
    with path.open("rb") as handle:
        head = handle.read(1024)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n\x00")
    if stripped.startswith(b"%PDF") or b"%PDF-" in head:
        return PDF
    if stripped.lower().startswith(b"{\\rtf"):
        return RTF
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE2
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                if "mimetype" in names:
                    kind = archive.read("mimetype")[:100]
                    if b"opendocument.text" in kind:
                        return ODT
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError):
            return WORD  # the Word reader says what is wrong with the package
        return WORD
    return OTHER


def soffice() -> str | None:
    """Return the LibreOffice command, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_docx(path: Path, kind: str, workdir: Path, timeout_s: float) -> Path:
    """Convert ``path`` (ODT, OLE2 or RTF) to .docx inside ``workdir``; return the new file."""
    what = _NAMES.get(kind, "this format")
    binary = soffice()
    if binary is None:
        raise UnsupportedFileError(
            path,
            f"is {what}; install LibreOffice to read it (Debian: apt-get install "
            "libreoffice-writer-nogui), or save it as .docx in your word processor.",
        )
    source = workdir / f"source{_suffix(kind)}"
    shutil.copyfile(path, source)
    command = [
        binary,
        f"-env:UserInstallation={(workdir / 'profile').as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        "docx:MS Word 2007 XML",
        "--outdir",
        str(workdir / "out"),
        str(source),
    ]
    logger.info("converting %s (%s) with LibreOffice", path, what)
    try:
        _run(command, timeout_s)
    except subprocess.TimeoutExpired as exc:
        raise TimeLimitError(
            path,
            f"LibreOffice took over {timeout_s:.0f} s to convert this {what} file; raise "
            "convert_timeout_s (SUBMISSIONS_CONVERT_TIMEOUT_S) or save it as .docx.",
        ) from exc
    except OSError as exc:
        raise UnsupportedFileError(
            path, f"LibreOffice could not run ({exc}); save the file as .docx instead."
        ) from exc
    converted = workdir / "out" / "source.docx"
    if not converted.is_file():
        raise UnsupportedFileError(
            path,
            f"LibreOffice could not convert this {what} file (it may be damaged or "
            "password-protected); open it and save it as .docx.",
        )
    return converted


def _run(command: list[str], timeout_s: float) -> None:
    """Run LibreOffice in its own process group, and end the whole group at the time limit."""
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise


def _suffix(kind: str) -> str:
    return {ODT: ".odt", OLE2: ".doc", RTF: ".rtf"}.get(kind, ".bin")
