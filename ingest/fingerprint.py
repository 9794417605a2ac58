"""Text fingerprints: is this file the same submission as one already indexed (a .docx and its PDF)?

A fingerprint is a bottom-k sketch of the document's word 5-grams (lower-cased words, so line
breaks, hyphen joins at line ends and note numbers barely move it). Two documents whose sketches
agree on most of their shared smallest hashes hold nearly the same text, whatever the format.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

SKETCH = 128  # hashes kept per document
SHINGLE = 5  # words per shingle
DUPLICATE_AT = 0.6  # estimated Jaccard similarity from which a file is a possible duplicate
MIN_SHINGLES = 20  # shorter texts are not compared (too little text to tell)

_WORD = re.compile(r"\w+")


def fingerprint(text: str) -> str:
    """Return the text's sketch as space-separated hex hashes ("" when the text is too short)."""
    words = _WORD.findall(text.lower())
    shingles = {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}
    if len(shingles) < MIN_SHINGLES:
        return ""
    hashes = sorted(
        int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest(), "big")
        for s in shingles
    )
    return " ".join(f"{h:016x}" for h in hashes[:SKETCH])


def similarity(a: str, b: str) -> float:
    """Return the estimated Jaccard similarity of two sketches (0 when either is empty)."""
    sa, sb = set(a.split()), set(b.split())
    if not sa or not sb:
        return 0.0
    union = sorted(sa | sb)[:SKETCH]
    return sum(1 for h in union if h in sa and h in sb) / len(union)


def duplicates_of(key: str, signatures: Mapping[str, str]) -> list[str]:
    """Return the other keys whose text matches ``key``'s (best match first)."""
    own = signatures.get(key, "")
    scored = [
        (similarity(own, sig), other) for other, sig in signatures.items() if other != key and sig
    ]
    return [other for score, other in sorted(scored, reverse=True) if score >= DUPLICATE_AT]
