"""Sentence spans with exact offsets, for quoting one sentence of a passage.

Nothing here loads a model: sentence scoring must fit the latency budget of an extractive answer.
Words, stop words and stems come from :mod:`ingest.analysis`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.config import AnswerSettings

# Sentences longer than this are cut at clause boundaries ("; ", ": ") so a quote stays readable.
MAX_SENTENCE_CHARS = AnswerSettings().max_sentence_chars
MIN_SENTENCE_CHARS = AnswerSettings().min_sentence_chars

_ABBREV = {
    "art",
    "arts",
    "para",
    "paras",
    "no",
    "nos",
    "mr",
    "mrs",
    "ms",
    "dr",
    "e.g",
    "i.e",
    "etc",
    "vs",
    "cf",
    "fig",
    "sec",
    "s",
    "ss",
    "inc",
    "ltd",
    "st",
    "jr",
    "sr",
    "al",
    "op",
    "p",
    "pp",
    "u.s",
    "u.k",
    "u.n",
    "v",
    "n",
    "nº",
    "núm",
    "cap",
    "ch",
}
_END = re.compile(r"[.!?](?:[\"”’»)\]]*)(?=\s)")
_CLAUSE = re.compile(r"[;:](?=\s)")


def sentence_spans(
    text: str,
    start: int = 0,
    end: int | None = None,
    *,
    max_chars: int = MAX_SENTENCE_CHARS,
    min_chars: int = MIN_SENTENCE_CHARS,
) -> list[tuple[int, int]]:
    """Return (start, end) offsets of the sentences of ``text[start:end]``, whitespace trimmed.

    Boundaries: blank lines and line breaks (blocks and table rows), sentence-final punctuation
    before a space (skipping abbreviations such as "art." or "U.S."), and for long sentences
    the clause marks "; " and ": ".
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for line_start, line_end in _lines(text, start, end):
        for s, e in _sentences(text, line_start, line_end):
            if e - s > max_chars:
                spans.extend(_split_at(text, s, e, _CLAUSE, min_chars))
            else:
                spans.append((s, e))
    return [(s, e) for s, e in (_trim(text, s, e) for s, e in spans) if e - s >= min_chars]


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, pos = [], start
    while pos < end:
        nl = text.find("\n", pos, end)
        if nl == -1:
            out.append((pos, end))
            break
        out.append((pos, nl))
        pos = nl + 1
    return out


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, pos = [], start
    for match in _END.finditer(text, start, end):
        cut = match.end()
        if text[match.start()] == "." and _is_abbreviation(text, start, match.start()):
            continue
        nxt = text[cut:end].lstrip()[:1]
        if nxt and nxt.islower():
            continue
        out.append((pos, cut))
        pos = cut
    if pos < end:
        out.append((pos, end))
    return out


def _is_abbreviation(text: str, line_start: int, dot: int) -> bool:
    word_start = dot
    while word_start > line_start and not text[word_start - 1].isspace():
        word_start -= 1
    token = text[word_start:dot].lstrip("(\"“'«").lower()
    if not token:
        return False
    if token.isdigit() or (token.count(".") and token.replace(".", "").isdigit()):
        return word_start == line_start  # a typed paragraph number such as "12." or "4.2."
    return token in _ABBREV or (len(token) == 1 and token.isalpha())


def _split_at(
    text: str, start: int, end: int, pattern: re.Pattern[str], min_chars: int
) -> list[tuple[int, int]]:
    out, pos = [], start
    for match in pattern.finditer(text, start, end):
        if match.end() - pos >= min_chars * 3:
            out.append((pos, match.end()))
            pos = match.end()
    out.append((pos, end))
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


CELL = " | "  # how a table row's cells are joined in the canonical text


def quote_spans(text: str, headings: Sequence[str] = ()) -> list[tuple[int, int]]:
    """Return the sentence spans of ``text`` a quote may be, never across table cells.

    A line of ``text`` that is one of ``headings`` (the passage's heading path, which a
    passage repeats where its section starts) is left out while the passage has other
    sentences: a quote shows what the submission says, not the title it says it under.
    """
    spans = _cell_spans(text)
    titles = {h.strip() for h in headings if h.strip()}
    if not titles:
        return spans
    lines, pos = [], 0
    for line in text.split("\n"):
        if line.strip() in titles:
            lines.append((pos, pos + len(line)))
        pos += len(line) + 1
    kept = [(s, e) for s, e in spans if not any(a <= s and e <= b for a, b in lines)]
    return kept or spans


def _cell_spans(text: str) -> list[tuple[int, int]]:
    out = []
    for s, e in sentence_spans(text):
        pos = s
        while True:
            cut = text.find(CELL, pos, e)
            if cut == -1:
                break
            if cut - pos >= MIN_SENTENCE_CHARS:
                out.append((pos, cut))
            pos = cut + len(CELL)
        if e - pos >= MIN_SENTENCE_CHARS:
            out.append((pos, e))
    return out
