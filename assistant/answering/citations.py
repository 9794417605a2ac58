"""Citations: build numbered cards from verbatim spans, parse [S3] markers, check quotes.

Every card's quote is asserted to be ``canonical_text[char_start:char_end]``; an LLM answer's
labels are validated against the passages it was shown (unknown labels are dropped and flagged),
sentences without a label are flagged as unsupported, and quoted text is checked verbatim.
"""

from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass

from assistant.errors import QuoteMismatchError
from assistant.types import Citation, Claim
from ingest.analysis import fold, normalize_space
from ingest.chunking import note_labels
from ingest.formats import is_from_ocr
from ingest.pages import PageMap
from ingest.types import NOTE_KINDS, TABLE_ROW, Block, Document, Submission
from vectorstore.types import Hit

logger = logging.getLogger(__name__)

LABEL = re.compile(r"\[S(\d+)\]")
# A run of several labels, with optional separators: "[S1][S2]", "[S1], [S3]".
_LABEL_RUN = re.compile(r"(?:\s*\[S\d+\](?:\s*[,;]?\s*)?)+")
_QUOTED = re.compile(r"[“\"«]\s*([^”\"»]{12,}?)\s*[”\"»]")
_CLAIM_END = re.compile(r"(?<=[.!?])(?:\s*\[S\d+\])*\s+(?=[A-Z0-9“\"«(•\-*¿¡])|\n+")
_SPACE_PUNCT = re.compile(r"\s+([.,;:!?])")
CONTEXT_CHARS = 400
CELL_SEPARATOR = " | "  # between the cells of a table row in the canonical text (ingest.body)


def check_verbatim(document: Document, start: int, end: int, quote: str, where: str) -> None:
    """Raise QuoteMismatchError unless ``document.text[start:end] == quote``."""
    if document.text[start:end] != quote:
        raise QuoteMismatchError(f"quote at {where} [{start}:{end}] is not verbatim: {quote!r}")


def build_citation(
    n: int, hit: Hit, submission: Submission, document: Document, start: int, end: int
) -> Citation:
    """Return card [n] for the span ``start:end`` (offsets in the canonical text) of ``hit``."""
    passage = hit.passage
    if not passage.char_start <= start < end <= passage.char_end:
        raise QuoteMismatchError(f"span {start}:{end} lies outside passage {passage.id}")
    if submission.key != passage.submission_key:
        raise QuoteMismatchError(f"passage {passage.id} is not from {submission.key}")
    quote = passage.text[start - passage.char_start : end - passage.char_start]
    check_verbatim(document, start, end, quote, passage.submission_key)
    start, end = _one_cell(document, start, end)
    quote = document.text[start:end]
    blocks = _blocks_over(document, start, end)
    paragraphs, locator = _locate(passage, blocks)
    page, page_end, page_label = PageMap(document).span(start, end)
    footnotes = tuple(dict.fromkeys(note_labels(blocks))) or passage.footnotes
    from_ocr = is_from_ocr(document.properties)
    first, last = (blocks[0], blocks[-1]) if blocks else (None, None)
    ctx_start = max(first.char_start if first else start, start - CONTEXT_CHARS)
    ctx_end = min(last.char_end if last else end, end + CONTEXT_CHARS)
    return Citation(
        n=n,
        passage_id=passage.id,
        submission_key=passage.submission_key,
        file=submission.file,
        title=submission.title,
        submitter=submission.submitter or submission.file,
        submitter_type=submission.submitter_type,
        country=submission.country,
        language=passage.language or submission.language,
        heading_path=passage.heading_path,
        paragraphs=paragraphs,
        locator=locator,
        footnotes=footnotes,
        quote=quote,
        char_start=start,
        char_end=end,
        verified=not from_ocr,
        confidential=submission.confidential,
        context_before=document.text[ctx_start:start],
        context_after=document.text[end:ctx_end],
        page=page,
        page_end=page_end,
        page_label=page_label,
        from_ocr=from_ocr,
    )


def _one_cell(document: Document, start: int, end: int) -> tuple[int, int]:
    """Shrink a span that crosses table cells to the largest cell part it covers.

    The canonical text joins a row's cells with " | ", characters the document does not have:
    a quote never contains them.
    """
    if CELL_SEPARATOR not in document.text[start:end]:
        return start, end
    rows = [b for b in _blocks_over(document, start, end) if b.kind == TABLE_ROW]
    if not rows:
        return start, end
    pieces: list[tuple[int, int]] = []
    for row in rows:
        pos = row.char_start
        for cell in row.text.split(CELL_SEPARATOR):
            a, b = max(start, pos), min(end, pos + len(cell))
            if a < b:
                pieces.append((a, b))
            pos += len(cell) + len(CELL_SEPARATOR)
    outside = [(start, rows[0].char_start), (rows[-1].char_end, end)]
    pieces.extend((a, b) for a, b in outside if a < b and CELL_SEPARATOR not in document.text[a:b])
    a, b = max(pieces, key=lambda p: p[1] - p[0]) if pieces else (start, end)
    while a < b and document.text[a].isspace():
        a += 1
    while b > a and document.text[b - 1].isspace():
        b -= 1
    return (a, b) if a < b else (start, end)


def _blocks_over(document: Document, start: int, end: int) -> list[Block]:
    blocks = document.blocks
    starts = [b.char_start for b in blocks]
    i = max(bisect.bisect_right(starts, start) - 1, 0)
    out = []
    while i < len(blocks) and blocks[i].char_start < end:
        if blocks[i].char_end > start:
            out.append(blocks[i])
        i += 1
    return out


def _locate(passage, blocks: list[Block]) -> tuple[tuple[str, ...], str]:
    """Return the printed labels and locator of the quote itself, else the passage's."""
    rows = [b for b in blocks if b.kind == TABLE_ROW and b.table]
    if rows:
        row = rows[0]
        return passage.paragraphs, f"table {row.table}, row {row.row}"
    labels = tuple(dict.fromkeys(b.label for b in blocks if b.label and b.kind not in NOTE_KINDS))
    if labels and len(passage.paragraphs) > 1:
        shown = labels[0] if len(labels) == 1 else f"{labels[0]}–{labels[-1]}"
        return labels, f"para. {shown}"
    return passage.paragraphs, passage.locator


# ---- LLM answers: labels, claims, quotes -------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParsedAnswer:
    """An LLM answer split into claims whose labels are 1-based indexes into the shown sources."""

    claims: tuple[tuple[str, tuple[int, ...]], ...]
    unknown_labels: tuple[int, ...]


def parse_labels(text: str, shown: int) -> ParsedAnswer:
    """Split ``text`` into sentences with the [S#] labels each carries; 1..shown are valid."""
    claims: list[tuple[str, tuple[int, ...]]] = []
    unknown: list[int] = []
    pos = 0
    pieces = []
    for match in _CLAIM_END.finditer(text):
        pieces.append(text[pos : match.start()] + _labels_only(match.group()))
        pos = match.end()
    pieces.append(text[pos:])
    for piece in pieces:
        labels = [int(m) for m in LABEL.findall(piece)]
        sentence = _SPACE_PUNCT.sub(r"\1", normalize_space(LABEL.sub("", piece)).strip())
        if not sentence:
            if labels and claims:  # labels alone on a line belong to the sentence before
                prev_text, prev = claims[-1]
                claims[-1] = (prev_text, _merge(prev, _valid(labels, shown, unknown)))
            continue
        claims.append((sentence, _valid(labels, shown, unknown)))
    return ParsedAnswer(tuple(claims), tuple(dict.fromkeys(unknown)))


def _labels_only(separator: str) -> str:
    return "".join(f"[S{n}]" for n in LABEL.findall(separator))


def _valid(labels: list[int], shown: int, unknown: list[int]) -> tuple[int, ...]:
    ok = []
    for label in labels:
        if 1 <= label <= shown:
            ok.append(label)
        else:
            unknown.append(label)
    return tuple(dict.fromkeys(ok))


def _merge(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(dict.fromkeys((*a, *b)))


def quoted_spans(text: str) -> list[str]:
    """Return the text inside quotation marks in ``text`` (quotes of at least 12 characters)."""
    return [m.group(1) for m in _QUOTED.finditer(LABEL.sub("", text))]


def quote_found(quote: str, source: str) -> bool:
    """Return True when ``quote`` occurs in ``source`` up to whitespace, case-sensitive.

    An ellipsis ("…" or "...") inside the quote marks an omission: each part must occur, in order.
    """
    haystack = normalize_space(source)
    pos = 0
    for part in re.split(r"\s*(?:…|\.\.\.)\s*", quote):
        part = normalize_space(part).strip()
        if not part:
            continue
        found = haystack.find(part, pos)
        if found == -1:
            found = _fold_find(haystack, part, pos)
        if found == -1:
            return False
        pos = found + len(part)
    return True


def _fold_find(haystack: str, needle: str, pos: int) -> int:
    # Typographic quotes and apostrophes may differ between model output and source.
    def plain(s: str) -> str:
        return s.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')

    return plain(haystack).find(plain(needle), pos)


def validate_claims(parsed: ParsedAnswer, sources: list[Hit]) -> tuple[list[Claim], list[str]]:
    """Return Claims (passage ids, supported flag) and warnings for an LLM answer."""
    warnings = [
        f"dropped citation [S{n}]: no such passage was shown" for n in parsed.unknown_labels
    ]
    claims: list[Claim] = []
    for sentence, labels in parsed.claims:
        ids = tuple(sources[n - 1].passage.id for n in labels)
        supported = bool(labels)
        if not labels and not _is_framing(sentence):
            warnings.append(f"unsupported (no citation): {sentence[:80]}")
        for quote in quoted_spans(sentence):
            cited = [sources[n - 1].passage.text for n in labels] or [
                h.passage.text for h in sources
            ]
            if not any(quote_found(quote, text) for text in cited):
                supported = False
                warnings.append(f"quote not found verbatim in the cited passage: “{quote[:80]}”")
        claims.append(Claim(text=sentence, citations=ids, supported=supported))
    return claims, warnings


def _is_framing(sentence: str) -> bool:
    """A lead-in such as "Three submissions address this:" needs no citation of its own."""
    return sentence.rstrip().endswith(":") and len(sentence) < 120


def overlap_ratio(a: str, b: str) -> float:
    """Return the share of ``a``'s folded words that occur in ``b`` (0..1)."""
    wa = fold(a).split()
    if not wa:
        return 0.0
    wb = set(fold(b).split())
    return sum(w in wb for w in wa) / len(wa)
