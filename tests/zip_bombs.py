"""Hostile .docx packages built from a real one: zip bombs and patched zip directories.

Used by tests/test_limits.py and benchmarks/fuzz.py. Everything is written in a streaming way,
so building a 1 GB bomb costs a few MB of memory.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

_PARAGRAPH = (
    b'<w:p><w:r><w:t xml:space="preserve">junk junk junk junk junk junk junk</w:t></w:r></w:p>'
)
_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body>"
)
_TAIL = b"</w:body></w:document>"


def bomb(source: Path, target: Path, unpacked_mb: int, part: str = "word/document.xml") -> Path:
    """Copy ``source`` with ``part`` replaced by ``unpacked_mb`` MB of repeated paragraphs."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as out:
        for info in original.infolist():
            if info.filename == part:
                continue
            out.writestr(info, original.read(info.filename), zipfile.ZIP_DEFLATED)
        block = _PARAGRAPH * (2**20 // len(_PARAGRAPH))
        entry = zipfile.ZipInfo(part)
        entry.compress_type = zipfile.ZIP_DEFLATED
        with out.open(entry, "w", force_zip64=unpacked_mb >= 2048) as stream:
            stream.write(_HEAD)
            for _ in range(unpacked_mb):
                stream.write(block)
            stream.write(_TAIL)
    return target


def paragraphs(source: Path, target: Path, count: int) -> Path:
    """Copy ``source`` with a main part holding ``count`` short paragraphs."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as out:
        for info in original.infolist():
            if info.filename == "word/document.xml":
                continue
            out.writestr(info, original.read(info.filename), zipfile.ZIP_DEFLATED)
        line = b"<w:p><w:r><w:t>Paragraph %d on police oversight.</w:t></w:r></w:p>"
        body = b"".join(line % i for i in range(count))
        out.writestr("word/document.xml", _HEAD + body + _TAIL, zipfile.ZIP_DEFLATED)
    return target


def patch_declared_size(path: Path, part: str, size: int) -> Path:
    """Rewrite the uncompressed size that the zip declares for ``part`` (local and central)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(part)
    name = part.encode()
    offset = info.header_offset  # local file header: size at +22
    assert data[offset : offset + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, offset + 22, size)
    central = 0
    while True:
        central = data.find(b"PK\x01\x02", central)
        if central < 0:
            break
        length = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + length]) == name:
            struct.pack_into("<I", data, central + 24, size)  # central header: size at +24
        central += 4
    path.write_bytes(bytes(data))
    return path


def varied(
    source: Path, target: Path, unpacked_mb: int, seed: int = 0, words: tuple[int, int] = (20, 120)
) -> Path:
    """Copy ``source`` with ``unpacked_mb`` MB of paragraphs of random words (compresses ~3x).

    Not a bomb: the largest document the caps let through, to measure its cost.
    """
    import random

    rng = random.Random(seed)
    vocabulary = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 11)))
        for _ in range(20000)
    ]
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as out:
        for info in original.infolist():
            if info.filename == "word/document.xml":
                continue
            out.writestr(info, original.read(info.filename), zipfile.ZIP_DEFLATED)
        entry = zipfile.ZipInfo("word/document.xml")
        entry.compress_type = zipfile.ZIP_DEFLATED
        with out.open(entry, "w") as stream:
            stream.write(_HEAD)
            written = 0
            while written < unpacked_mb * 2**20:
                text = " ".join(rng.choices(vocabulary, k=rng.randint(*words)))
                paragraph = b"<w:p><w:r><w:t>" + text.encode() + b".</w:t></w:r></w:p>"
                stream.write(paragraph)
                written += len(paragraph)
            stream.write(_TAIL)
    return target
