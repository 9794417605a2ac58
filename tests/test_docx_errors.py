"""read_docx on bad input: each problem is one IngestError leaf naming the file and the fix."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import docx_builders as b
import pytest

from ingest.docx import read_docx
from ingest.errors import (
    CorruptFileError,
    EmptyDocumentError,
    EncryptedFileError,
    FileTooLargeError,
    IngestError,
    UnsupportedFileError,
)

# --- bad input -------------------------------------------------------------------------------


def test_missing_file_is_reported_with_its_name(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match=r"nothere\.docx: file not found"):
        read_docx(tmp_path / "nothere.docx")


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = b.build_headings(tmp_path / "big.docx")
    with pytest.raises(FileTooLargeError, match="max_file_mb"):
        read_docx(path, max_file_mb=0)


def test_renamed_pdf_is_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    with pytest.raises(UnsupportedFileError, match="PDF") as caught:
        read_docx(path)
    assert caught.value.path == str(path)


def test_legacy_doc_without_libreoffice_says_how_to_convert(tmp_path: Path) -> None:
    if shutil.which("soffice") or shutil.which("libreoffice"):
        pytest.skip("LibreOffice is installed: legacy .doc files are converted instead")
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000)
    with pytest.raises(UnsupportedFileError, match=r"re-save it as \.docx.*soffice"):
        read_docx(path)


def test_encrypted_word_file_is_reported_as_encrypted(tmp_path: Path) -> None:
    path = tmp_path / "locked.docx"
    stream_name = "EncryptedPackage".encode("utf-16-le")
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + stream_name + b"\x00" * 64
    )
    with pytest.raises(EncryptedFileError, match="password"):
        read_docx(path)


def test_document_without_visible_text_is_empty(tmp_path: Path) -> None:
    with pytest.raises(EmptyDocumentError, match="no visible text"):
        read_docx(b.build_empty(tmp_path / "empty.docx"))


def test_truncated_zip_is_corrupt(tmp_path: Path) -> None:
    whole = b.build_headings(tmp_path / "whole.docx").read_bytes()
    path = tmp_path / "cut.docx"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(CorruptFileError, match="damaged"):
        read_docx(path)


def _rewrite(source: Path, target: Path, replace: dict[str, bytes | None]) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename in replace:
                if replace[info.filename] is not None:
                    new.writestr(info.filename, replace[info.filename])
            else:
                new.writestr(info, old.read(info.filename))
    return target


def test_package_without_main_part_or_with_broken_xml_is_corrupt(tmp_path: Path) -> None:
    source = b.build_headings(tmp_path / "ok.docx")
    no_main = _rewrite(source, tmp_path / "nomain.docx", {"word/document.xml": None})
    with pytest.raises(CorruptFileError, match="main document part"):
        read_docx(no_main)
    broken = _rewrite(source, tmp_path / "broken.docx", {"word/document.xml": b"<w:document"})
    with pytest.raises(CorruptFileError, match="not well-formed"):
        read_docx(broken)


def test_external_entities_are_never_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    source = b.new_document()
    source.add_paragraph("placeholder")
    path = b.save(source, tmp_path / "xxe-source.docx")
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    head, rest = xml.split("<w:document", 1)
    doctype = (
        f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "{secret.as_uri()}">'
        '<!ENTITY lol "LOL"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    )
    xml = head.split("?>", 1)[0] + "?>" + doctype + "<w:document" + rest
    xml = xml.replace(">placeholder<", ">before &xxe; after&lol2;<")
    evil = _rewrite(path, tmp_path / "xxe.docx", {"word/document.xml": xml.encode("utf-8")})
    document = read_docx(evil)
    assert "TOP-SECRET" not in document.text
    assert document.text == "before  after"  # no entity is expanded, internal ones neither


def test_the_original_file_is_never_modified(tmp_path: Path) -> None:
    path = b.build_headings(tmp_path / "keep.docx")
    before = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    read_docx(path)
    assert (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.docx"]


def test_other_zip_formats_are_named(tmp_path: Path) -> None:
    odt = tmp_path / "submission.docx"
    with zipfile.ZipFile(odt, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(UnsupportedFileError, match="OpenDocument"):
        read_docx(odt)
    plain = tmp_path / "archive.docx"
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(UnsupportedFileError, match="zip archive"):
        read_docx(plain)
