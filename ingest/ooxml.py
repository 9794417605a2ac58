"""Open a .docx package safely: sniff the bytes, read parts, follow relationships.

python-docx is not used to read submissions: reading the zip and parsing each part with one
hardened lxml parser lets us refuse external entities, accept Strict OOXML and relocated main
parts, and keep parsing fast. Every failure becomes an :mod:`ingest.errors` leaf.
"""

from __future__ import annotations

import logging
import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from ingest.errors import CorruptFileError, FileTooLargeError
from ingest.filecheck import Inflater, Limits

logger = logging.getLogger(__name__)

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
M_NS = "http://schemas.openxmlformats.org/officeDocument/2006/math"

# Strict OOXML (ISO/IEC 29500 Strict) uses other namespace URIs for the same vocabulary.
# Mapping them to the transitional ones before parsing lets one walker read both.
_STRICT_TO_TRANSITIONAL = (
    (b"http://purl.oclc.org/ooxml/wordprocessingml/main", W_NS.encode()),
    (b"http://purl.oclc.org/ooxml/officeDocument/relationships", R_NS.encode()),
    (b"http://purl.oclc.org/ooxml/officeDocument/math", M_NS.encode()),
)
_MAIN_CONTENT_TYPES = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
)


def w(name: str) -> str:
    """Return the Clark name ``{w-namespace}name`` of a WordprocessingML element or attribute."""
    return f"{{{W_NS}}}{name}"


def new_parser() -> etree.XMLParser:
    """Return an XML parser that never loads DTDs, resolves entities or touches the network."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


@dataclass(frozen=True, slots=True)
class Relationship:
    """One package relationship: its type URI, resolved target part (or URL) and mode."""

    type: str
    target: str
    external: bool


class Package:
    """A .docx zip opened read-only; parts are parsed on demand with the safe parser."""

    def __init__(
        self,
        path: Path,
        archive: zipfile.ZipFile,
        *,
        max_part_bytes: int = 0,
        limits: Limits | None = None,
    ) -> None:
        self.path = path
        self._zip = archive
        self._names = {info.filename: info for info in archive.infolist()}
        self._lower = {name.lower(): name for name in self._names}
        self._max_part_bytes = max_part_bytes
        self.limits = limits or Limits()
        self._inflater = Inflater(path, self.limits)
        self._parser = new_parser()
        self._rels: dict[str, dict[str, Relationship]] = {}

    def close(self) -> None:
        """Close the underlying zip file."""
        self._zip.close()

    def has(self, name: str) -> bool:
        """Return True when the package holds a part of that name (case-insensitive)."""
        return name.lstrip("/").lower() in self._lower

    def read(self, name: str) -> bytes | None:
        """Return the raw bytes of a part, or None when it is absent."""
        real = self._lower.get(name.lstrip("/").lower())
        if real is None:
            return None
        info = self._names[real]
        if self._max_part_bytes and info.file_size > self._max_part_bytes:
            raise FileTooLargeError(
                self.path,
                f"the part {real} unpacks to {info.file_size // 2**20} MB, over the limit; "
                "this looks like a zip bomb or an unusually large document. "
                "Raise max_file_mb if the file is genuine.",
            )
        return self._inflater.read(self._zip, info)  # streamed, capped as it inflates

    def checksum(self, name: str) -> tuple[int, int] | None:
        """Return (CRC-32, size) of a part from the zip directory, without unpacking it."""
        real = self._lower.get(name.lstrip("/").lower())
        if real is None:
            return None
        info = self._names[real]
        return info.CRC, info.file_size

    def xml(self, name: str) -> etree._Element | None:
        """Return the parsed root element of a part, or None when it is absent."""
        data = self.read(name)
        if data is None:
            return None
        return self.parse_bytes(data, name)

    def parse_bytes(self, data: bytes, name: str) -> etree._Element:
        """Parse the bytes of a part with the safe parser (Strict namespaces mapped)."""
        if b"purl.oclc.org/ooxml" in data:
            for strict, transitional in _STRICT_TO_TRANSITIONAL:
                data = data.replace(strict, transitional)
        try:
            return etree.fromstring(data, self._parser)
        except etree.XMLSyntaxError as exc:
            raise CorruptFileError(
                self.path,
                f"the part {name} is not well-formed XML ({exc}); the file is damaged. "
                "Open it in Word and save it again.",
            ) from exc

    def rels(self, source: str) -> dict[str, Relationship]:
        """Return the relationships of a part ("" for the package) by relationship id."""
        if source in self._rels:
            return self._rels[source]
        folder, base = posixpath.split(source.lstrip("/"))
        rels_name = posixpath.join(folder, "_rels", f"{base}.rels")
        root = self.xml(rels_name)
        found: dict[str, Relationship] = {}
        if root is not None:
            for rel in root.iter(f"{{{REL_NS}}}Relationship"):
                rid, target = rel.get("Id"), rel.get("Target")
                if not rid or target is None:
                    continue
                external = rel.get("TargetMode", "").lower() == "external"
                if not external:
                    target = _resolve(folder, unquote(target))
                found[rid] = Relationship(rel.get("Type", ""), target, external)
        self._rels[source] = found
        return found

    def related(self, source: str, type_suffix: str) -> str | None:
        """Return the first internal part related to ``source`` with a type ending so."""
        for rel in self.rels(source).values():
            if not rel.external and rel.type.endswith(type_suffix) and self.has(rel.target):
                return rel.target
        return None

    def main_part(self) -> str | None:
        """Return the name of the main document part, following the package relationships."""
        found = self.related("", "/officeDocument")
        if found:
            return found
        types = self.xml("[Content_Types].xml")
        if types is not None:
            for override in types.iter(f"{{{CT_NS}}}Override"):
                if override.get("ContentType") in _MAIN_CONTENT_TYPES:
                    name = override.get("PartName", "").lstrip("/")
                    if self.has(name):
                        return name
        return "word/document.xml" if self.has("word/document.xml") else None


def _resolve(folder: str, target: str) -> str:
    """Resolve a relationship target against the folder of its source part."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(folder, target))
