"""Chroma metadata of a passage: scalar fields for filtering, and the way back to a Passage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ingest.types import Passage, Submission
from vectorstore.types import Filters

# Scalar metadata copied onto every passage in Chroma, for filtering. Theme tags will join as
# "theme_<tag>": True booleans, which Chroma can filter on.
SUBMISSION_FIELDS = ("file", "submitter", "submitter_type", "country")
_LIST_FIELDS = ("heading_path", "paragraphs", "footnotes")


def passage_metadata(passage: Passage, submission: Submission) -> dict[str, Any]:
    """Return the scalar-only Chroma metadata of a passage (lists flattened to JSON strings)."""
    meta: dict[str, Any] = {
        "submission_key": passage.submission_key,
        "language": passage.language,
        "ordinal": passage.ordinal,
        "kind": passage.kind,
        "locator": passage.locator,
        "char_start": passage.char_start,
        "char_end": passage.char_end,
        "page": passage.page,
        "page_end": passage.page_end,
        "page_label": passage.page_label,
    }
    meta.update({name: getattr(submission, name) for name in SUBMISSION_FIELDS})
    for name in _LIST_FIELDS:
        meta[name] = json.dumps(list(getattr(passage, name)), ensure_ascii=False)
    return meta


def page_fields(passage: Passage) -> dict[str, Any]:
    """Return the page of a passage for JSON output: ``page``/``page_end`` (None without pages)."""
    return {
        "page": passage.page or None,
        "page_end": passage.page_end or None,
        "page_label": passage.page_label,
    }


def passage_from_metadata(passage_id: str, text: str, meta: dict[str, Any]) -> Passage:
    """Rebuild a Passage from Chroma metadata and its text (texts live in the registry only)."""
    lists = {name: tuple(json.loads(meta.get(name) or "[]")) for name in _LIST_FIELDS}
    return Passage(
        id=passage_id,
        submission_key=meta["submission_key"],
        locator=meta.get("locator", ""),
        language=meta.get("language", ""),
        char_start=int(meta["char_start"]),
        char_end=int(meta["char_end"]),
        text=text,
        embed_text=text,
        ordinal=int(meta.get("ordinal", 0)),
        kind=meta.get("kind", "paragraph"),
        page=int(meta.get("page", 0) or 0),
        page_end=int(meta.get("page_end", 0) or 0),
        page_label=meta.get("page_label", "") or "",
        **lists,
    )


def chroma_where(filters: Filters | None) -> dict[str, Any] | None:
    """Return a Chroma ``where`` clause for ``filters`` (None when there is nothing to filter)."""
    if filters is None or filters.is_empty():
        return None
    clauses = [
        {name: {"$in": list(getattr(filters, name))}}
        for name in filters.__slots__
        if getattr(filters, name) and name != "theme"  # theme: exact search in dense_search
    ]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def release_client(client: Any, identifier: str) -> None:
    """Close an embedded Chroma client and stop its shared system, so a new one reloads.

    Chroma shares one in-memory system per folder within a process; another client object on
    the same folder would otherwise keep the stale HNSW graph alive.
    """
    import logging

    from chromadb.api.shared_system_client import SharedSystemClient

    logger = logging.getLogger(__name__)
    try:
        client.close()
    except Exception:
        logger.debug("closing the Chroma client of %s failed", identifier, exc_info=True)
    system = SharedSystemClient._identifier_to_system.pop(identifier, None)
    SharedSystemClient._identifier_to_refcount.pop(identifier, None)
    if system is not None:
        try:
            system.stop()
        except Exception:
            logger.debug("stopping Chroma for %s failed", identifier, exc_info=True)


def open_client(path: Path, url: str = "") -> Any:
    """Return a Chroma client: HTTP to ``url`` when given, else embedded in ``path``."""
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if url:
        from urllib.parse import urlparse

        parsed = urlparse(url)
        return chromadb.HttpClient(
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or 8000,
            ssl=parsed.scheme == "https",
            settings=settings,
        )
    return chromadb.PersistentClient(path=str(path), settings=settings)
