"""Structure-aware, token-bounded chunking into passages that are verbatim slices.

A passage never crosses a heading boundary: each section (a heading and the blocks under it)
is packed on its own. Within a section, sentences are packed greedily up to ``chunk_tokens``;
the next passage starts with the last sentences of the previous one, up to ``overlap_tokens``.
Blocks are preferably kept whole. Offsets are computed here, never by searching for the text,
so repeated boilerplate keeps its own position.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ingest.pages import PageMap
from ingest.types import HEADING, NOTE_KINDS, PARAGRAPH, TABLE_ROW, Block, Document, Passage

# A sentence ends at . ! ? … (optionally followed by closing quotes or brackets) and white space.
# Abbreviations such as "art." or "No." before a digit or lower-case word are not ends.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*\s+(?=[\"'“‘«(\[¿¡]?[A-ZÀ-ÖØ-Þ0-9•\-–])|\n+")
_NOT_AN_END = re.compile(
    r"(?:\b(?:art|arts|no|nos|para|paras|p|pp|fn|e\.g|i\.e|cf|vol|sect|sec|mr|mrs|ms|dr|st|inc|"
    r"u\.s|n°|núm|op|cit|al|etc|v|vs)\.)$",
    re.IGNORECASE,
)
_ARTICLE = re.compile(
    r"^\s*(?:article|artículo|articulo|art\.?)\s+([\w.\-–]+(?:\s+(?:bis|ter))?)", re.IGNORECASE
)
_SECTION = re.compile(r"^\s*(?:section|sección|seccion|sec\.|§)\s*([\w.\-–]+)", re.IGNORECASE)


@lru_cache(maxsize=1)
def _encoding():  # type: ignore[no-untyped-def]
    # The offline module points TIKTOKEN_CACHE_DIR at llama-index's bundled cache, so this
    # loads the cl100k_base file from the wheel (the encoding llama-index's get_tokenizer uses).
    import tiktoken

    import ingest  # noqa: F401  (ensures the cache variable is set)

    return tiktoken.get_encoding("cl100k_base")


def count_tokens(text: str) -> int:
    """Return the number of tokens in ``text`` (llama-index's tokenizer: tiktoken cl100k_base)."""
    return len(_encoding().encode(text, disallowed_special=()))


@dataclass(frozen=True, slots=True)
class _Unit:
    """A sentence (or a piece of an over-long sentence) inside one block."""

    start: int
    end: int
    tokens: int
    block: int  # index into the section's blocks


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Return (start, end) spans of the sentences in ``text``, shifted by ``offset``."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start() + len(match.group(0).rstrip())
        if match.group(0).strip() and _NOT_AN_END.search(text[start : match.start() + 1]):
            continue
        if text[start:end].strip():
            spans.append((start, end))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    result = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        if s < e:
            result.append((s + offset, e + offset))
    return result


def _units(blocks: Sequence[Block], chunk_tokens: int) -> list[_Unit]:
    units: list[_Unit] = []
    for index, block in enumerate(blocks):
        if block.kind in (TABLE_ROW, HEADING):
            whole = count_tokens(block.text)
            if whole <= chunk_tokens:
                units.append(_Unit(block.char_start, block.char_end, whole, index))
                continue
        for start, end in split_sentences(block.text, block.char_start):
            text = block.text[start - block.char_start : end - block.char_start]
            tokens = count_tokens(text)
            if tokens <= chunk_tokens:
                units.append(_Unit(start, end, tokens, index))
            else:
                units.extend(_split_long(text, start, index, chunk_tokens))
    return units


def _split_long(text: str, offset: int, block: int, chunk_tokens: int) -> list[_Unit]:
    """Split an over-long sentence at word boundaries into pieces of at most chunk_tokens."""
    pieces: list[_Unit] = []
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    start_i = 0
    while start_i < len(words):
        end_i = start_i
        # Grow by whole words while the piece fits (tokens per word is about 1.3).
        step = max(1, int(chunk_tokens * 0.6))
        end_i = min(len(words), start_i + step)
        while end_i < len(words):
            tokens = count_tokens(text[words[start_i][0] : words[end_i][1]])
            if tokens > chunk_tokens:
                break
            end_i += 1
        s, e = words[start_i][0], words[end_i - 1][1]
        pieces.append(_Unit(s + offset, e + offset, count_tokens(text[s:e]), block))
        start_i = end_i
    return pieces


def _pack(units: list[_Unit], text: str, chunk_tokens: int, overlap_tokens: int):
    """Yield lists of consecutive units, each at most chunk_tokens, with sentence overlap."""
    i = 0
    block_tokens: dict[int, int] = {}
    for u in units:
        block_tokens[u.block] = block_tokens.get(u.block, 0) + u.tokens
    while i < len(units):
        group = [units[i]]
        total = units[i].tokens
        j = i + 1
        while j < len(units):
            unit = units[j]
            if total + unit.tokens > chunk_tokens:
                break
            starts_block = unit.block != units[j - 1].block
            if (
                starts_block
                and total + block_tokens[unit.block] > chunk_tokens
                and total >= chunk_tokens // 2
            ):
                break  # keep the next block whole in the next passage
            group.append(unit)
            total += unit.tokens
            j += 1
        # Separators between units cost tokens too: trim until the exact slice fits.
        while len(group) > 1 and count_tokens(text[group[0].start : group[-1].end]) > chunk_tokens:
            group.pop()
            j -= 1
        yield group
        if j >= len(units):
            return
        # Sentence-aware overlap: step back over the last sentences that fit overlap_tokens.
        back = j
        carried = 0
        while back - 1 > i and carried + units[back - 1].tokens <= overlap_tokens:
            back -= 1
            carried += units[back].tokens
        i = back if back > i else j


def _sections(blocks: Sequence[Block]) -> list[list[Block]]:
    """Group blocks into sections: a heading starts a new one; notes group by context."""
    sections: list[list[Block]] = []
    current: list[Block] = []
    for block in blocks:
        starts = block.kind == HEADING or (
            current
            and (
                (block.kind in NOTE_KINDS) != (current[-1].kind in NOTE_KINDS)
                or (block.kind in NOTE_KINDS and block.heading_path != current[-1].heading_path)
            )
        )
        if starts and current:
            sections.append(current)
            current = []
        current.append(block)
    if current:
        sections.append(current)
    return sections


def _range(labels: Sequence[str], one: str, many: str) -> str:
    if not labels:
        return ""
    if len(labels) == 1:
        return f"{one} {labels[0]}"
    return f"{many} {labels[0]}–{labels[-1]}"


def heading_locator(heading: str) -> str:
    """Return a citation locator for a heading: "art. R434-16", "sect. 3", or the heading."""
    match = _ARTICLE.match(heading)
    if match:
        return f"art. {match.group(1).rstrip('.:-–')}"
    match = _SECTION.match(heading)
    if match:
        return f"sect. {match.group(1).rstrip('.:-–')}"
    heading = " ".join(heading.split())
    return heading if len(heading) <= 80 else heading[:77].rstrip() + "…"


def locate(blocks: Sequence[Block], heading_path: Sequence[str]) -> tuple[tuple[str, ...], str]:
    """Return (printed paragraph labels, locator) for the blocks a passage covers."""
    labels = tuple(dict.fromkeys(b.label for b in blocks if b.kind == PARAGRAPH and b.label))
    if not labels:  # a note's text: cite the paragraph it hangs on ("para. 7", with fn. 4)
        labels = tuple(
            dict.fromkeys(b.attached for b in blocks if b.kind in NOTE_KINDS and b.attached)
        )
    rows = [b for b in blocks if b.kind == TABLE_ROW and b.row > 0]
    parts: list[str] = []
    if labels:
        parts.append(_range(labels, "para.", "paras."))
    if rows:
        row_numbers = [str(r.row) for r in rows]
        parts.append(f"table {rows[0].table}, " + _range(row_numbers, "row", "rows"))
    if not parts:
        for heading in reversed(heading_path):
            if _ARTICLE.match(heading) or _SECTION.match(heading):
                return labels, heading_locator(heading)
        if heading_path:
            parts.append(heading_locator(heading_path[-1]))
    return labels, ", ".join(parts)


def passage_id(submission_key: str, ordinal: int, text: str) -> str:
    """Return a deterministic passage id from the submission key, ordinal and text."""
    key_hash = hashlib.sha1(submission_key.encode("utf-8")).hexdigest()[:10]
    text_hash = hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
    return f"{key_hash}-{ordinal:05d}-{text_hash}"


def _embed_text(heading_path: Sequence[str], blocks: Sequence[Block], text: str) -> str:
    lines = []
    if heading_path:
        lines.append(" > ".join(heading_path))
    headers = next((b.header for b in blocks if b.kind == TABLE_ROW and b.header), ())
    if headers:
        lines.append("Columns: " + " | ".join(headers))
    lines.append(text)
    return "\n".join(lines)


def chunk(
    document: Document,
    submission_key: str,
    *,
    chunk_tokens: int = 250,
    overlap_tokens: int = 30,
    language_of: Callable[[str], str] | None = None,
) -> list[Passage]:
    """Return the passages of ``document``: verbatim slices that never cross a heading."""
    if chunk_tokens <= 0 or overlap_tokens < 0 or overlap_tokens >= chunk_tokens:
        raise ValueError("need chunk_tokens > 0 and 0 <= overlap_tokens < chunk_tokens")
    passages: list[Passage] = []
    text = document.text
    pages = PageMap(document)
    for section in _sections(document.blocks):
        units = _units(section, chunk_tokens)
        if not units:
            continue
        for group in _pack(units, text, chunk_tokens, overlap_tokens):
            start, end = group[0].start, group[-1].end
            covered = list(dict.fromkeys(section[u.block] for u in group))
            if all(b.kind == HEADING for b in covered):
                continue  # a bare heading: its text reaches the index through heading_path
            heading_path = covered[0].heading_path
            body = text[start:end]
            labels, locator = locate(covered, heading_path)
            page, page_end, page_label = pages.span(start, end)
            footnotes = tuple(dict.fromkeys(note_labels(covered)))
            ordinal = len(passages)
            kinds = {b.kind for b in covered}
            kind = next((k for k in (TABLE_ROW, *NOTE_KINDS) if k in kinds), PARAGRAPH)
            passages.append(
                Passage(
                    id=passage_id(submission_key, ordinal, body),
                    submission_key=submission_key,
                    heading_path=tuple(heading_path),
                    paragraphs=labels,
                    locator=locator,
                    footnotes=footnotes,
                    language=language_of(body) if language_of else "",
                    char_start=start,
                    char_end=end,
                    text=body,
                    embed_text=_embed_text(heading_path, covered, body),
                    ordinal=ordinal,
                    kind=kind,
                    page=page,
                    page_end=page_end,
                    page_label=page_label,
                )
            )
    return passages


def note_labels(blocks: Sequence[Block]) -> list[str]:
    """Return the notes a span refers to: a note's own number first, then its callouts."""
    labels: list[str] = []
    for block in blocks:
        if block.kind in NOTE_KINDS and block.label:
            labels.append(block.label)
        labels.extend(block.footnotes)
    return labels
