"""Core and extended document properties (docProps/core.xml, docProps/app.xml) as strings."""

from __future__ import annotations

from ingest.ooxml import Package

_CORE = {
    "{http://purl.org/dc/elements/1.1/}title": "title",
    "{http://purl.org/dc/elements/1.1/}creator": "author",
    "{http://purl.org/dc/elements/1.1/}subject": "subject",
    "{http://purl.org/dc/elements/1.1/}description": "comments",
    "{http://purl.org/dc/elements/1.1/}language": "language",
    "{http://purl.org/dc/terms/}created": "created",
    "{http://purl.org/dc/terms/}modified": "modified",
    "keywords": "keywords",
    "lastModifiedBy": "last_modified_by",
    "category": "category",
}
_APP = {"Company": "company", "Application": "application"}


def read_properties(package: Package) -> dict[str, str]:
    """Return title, author, created, modified, ... (ISO dates as stored); absent ones omitted."""
    found: dict[str, str] = {}
    for suffix, names in (("/core-properties", _CORE), ("/extended-properties", _APP)):
        name = package.related("", suffix)
        root = package.xml(name) if name else None
        if root is None:
            continue
        for node in root:
            if not isinstance(node.tag, str):
                continue
            key = names.get(node.tag) or names.get(node.tag.rsplit("}", 1)[-1])
            value = " ".join((node.text or "").split())
            if key and value:
                found.setdefault(key, value)
    return found
