"""JSON rows of retrieved passages, shared by `search --json` and `ask --json`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vectorstore.types import Hit

if TYPE_CHECKING:
    from vectorstore.store import PassageStore


def hit_record(store: PassageStore, rank: int, hit: Hit) -> dict[str, Any]:
    """Return the JSON row of ``search --json`` for one hit (``ask --json`` reuses it)."""
    p = hit.passage
    sub = store.registry.submission(p.submission_key)
    return {
        "rank": rank,
        "score": round(float(hit.score), 6),
        "passage_id": p.id,
        "submission_key": p.submission_key,
        "file": sub.file if sub else "",
        "title": sub.title if sub else "",
        "submitter": sub.submitter if sub else "",
        "submitter_type": sub.submitter_type if sub else "",
        "country": sub.country if sub else "",
        "language": p.language,
        "heading_path": list(p.heading_path),
        "paragraphs": list(p.paragraphs),
        "locator": p.locator,
        "footnotes": list(p.footnotes),
        "char_start": p.char_start,
        "char_end": p.char_end,
        "text": p.text,
    }
