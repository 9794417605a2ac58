"""Possible duplicates: a file whose text matches another submission's (a .docx and its PDF).

Both stay indexed; the ingest report and the Library say "possible duplicate of …" and staff
decide what to remove. The fingerprints are computed at ingest (:mod:`ingest.fingerprint`) and
kept in each document's properties.
"""

from __future__ import annotations

import dataclasses

from ingest.fingerprint import duplicates_of
from vectorstore.registry import Registry
from vectorstore.store import PassageStore
from vectorstore.writer import IngestReport


def signatures(registry: Registry) -> dict[str, str]:
    """Return {key: text fingerprint} of every stored document."""
    rows = registry.query("SELECT key, json_extract(properties, '$.text_signature') FROM documents")
    return {key: sig or "" for key, sig in rows}


def twins_of(registry: Registry) -> dict[str, list[str]]:
    """Return {key: other keys with the same text} for every submission that has any."""
    found = signatures(registry)
    return {key: twins for key in found if (twins := duplicates_of(key, found))}


def note_duplicates(store: PassageStore, report: IngestReport) -> None:
    """Mark added/updated files whose text matches another submission's (still indexed)."""
    found = signatures(store.registry)
    for index, outcome in enumerate(report.outcomes):
        if outcome.action in ("added", "updated") and not outcome.detail:
            twins = duplicates_of(outcome.key, found)
            if twins:
                detail = "possible duplicate of " + ", ".join(twins[:3])
                report.outcomes[index] = dataclasses.replace(outcome, detail=detail)
