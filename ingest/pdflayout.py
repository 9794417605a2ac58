"""Lines of PDF pages into reading order, paragraphs, headings and footnotes.

The steps, each a plain function over :class:`~ingest.pdfchars.Line` objects:

1. running headers, footers and page numbers: lines in the top or bottom margin band that
   repeat (digits ignored) on many pages, after their first occurrence, or that are a bare page
   number, are set apart;
2. columns: a vertical gutter that no line crosses splits a band of lines into columns, read
   left to right; lines that span the gutter (titles) separate the bands;
3. footnotes: the run of smaller lines at the foot of a page, starting with a number; raised
   small digits in the body that match a note of the page are its callouts;
4. paragraphs: a new one at a wider gap than the line pitch, a style change, or a typed number
   ("12.", "(a)", "12(a)"); a paragraph goes on across a page or column when its last line is
   full and does not end a sentence;
5. headings: paragraphs set larger than the body text, or bold at the body size, short.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from ingest.pdfchars import Line

MARGIN_BAND = 0.11  # share of the page height at the top and at the bottom
_PAGE_NUMBER = re.compile(
    r"^[\W_]*(?:(?:page|p\.|pág\.?|página|seite)\s*)?(\d{1,4}|[ivxlcdm]{1,7})"
    r"(?:\s*(?:/|of|de|sur|von)\s*\d{1,4})?[\W_]*$",
    re.IGNORECASE,
)
_NOTE_START = re.compile(r"^(\d{1,3})[.)]?\s+(?=\S)")
_SUB_NUMBER = re.compile(r"^(\d{1,3})\s?\(([a-z]{1,2}|[ivx]{1,4})\)(?=\s)")
_SENTENCE_END = re.compile(r"[.!?:;…][\"'”’»)\]]*$")


@dataclass(frozen=True, slots=True)
class PageInfo:
    """A page's size in points and its printed label (empty when none or equal to its number)."""

    number: int
    width: float
    height: float
    label: str = ""


@dataclass(slots=True)
class Para:
    """A paragraph, heading or note before it becomes a Block: its lines and callouts."""

    kind: str  # "paragraph", "heading" or "footnote"
    lines: list[Line] = field(default_factory=list)
    label: str = ""
    callouts: list[str] = field(default_factory=list)
    level: int = 0


def drop_running(
    pages: list[PageInfo], lines_by_page: list[list[Line]]
) -> tuple[list[list[Line]], list[Line]]:
    """Return (kept lines per page, the headers/footers/page numbers set apart)."""
    keys: Counter[str] = Counter()
    for info, lines in zip(pages, lines_by_page, strict=True):
        seen = {_running_key(line) for line in lines if _in_margin(line, info)}
        keys.update(seen)
    repeat = max(3, (len(pages) + 1) // 2)
    kept_pages: list[list[Line]] = []
    apart: list[Line] = []
    seen: set[str] = set()  # the first of repeated lines stays (a table's header row, once)
    for info, lines in zip(pages, lines_by_page, strict=True):
        kept = []
        for line in lines:
            margin = _in_margin(line, info)
            lone_number = _in_margin(line, info, 0.14) and _PAGE_NUMBER.match(line.text.strip())
            key = _running_key(line)
            running = margin and len(pages) >= 3 and keys[key] >= repeat
            if lone_number or (running and key in seen):
                apart.append(line)
            else:
                kept.append(line)
                if running:
                    seen.add(key)
        kept_pages.append(kept)
    return kept_pages, apart


def _running_key(line: Line) -> str:
    """Return the line with digits as "#" and no page number at either end (odd/even pages)."""
    key = re.sub(r"\d+", "#", " ".join(line.text.lower().split()))
    return re.sub(r"^(?:# )+|(?: #)+$", "", key)


def _in_margin(line: Line, info: PageInfo, share: float = MARGIN_BAND) -> bool:
    band = share * info.height
    centre = (line.y0 + line.y1) / 2
    return centre >= info.height - band or centre <= band


def reading_order(lines: list[Line], info: PageInfo) -> list[Line]:
    """Return the page's lines in reading order: columns left to right within bands."""
    if len(lines) < 6:
        return lines
    gutters = _gutters(lines, info.width)
    if not gutters:
        return lines
    bounds = [0.0, *gutters, info.width + 1]

    def column(line: Line) -> int | None:
        for index in range(len(bounds) - 1):
            if bounds[index] - 1 <= line.x0 and line.x1 <= bounds[index + 1] + 1:
                return index
        return None  # spans a gutter

    ordered: list[Line] = []
    band: list[Line] = []
    for line in sorted(lines, key=lambda ln: -ln.y1):
        if column(line) is None:
            ordered.extend(sorted(band, key=lambda ln: (column(ln) or 0, -ln.y1)))
            band = []
            ordered.append(line)
        else:
            band.append(line)
    ordered.extend(sorted(band, key=lambda ln: (column(ln) or 0, -ln.y1)))
    return ordered


def _gutters(lines: list[Line], width: float) -> list[float]:
    """Return the x of each vertical gap that splits the page's lines into columns."""
    step = 2.0
    bins = int(width / step) + 2
    cover = [0] * bins
    for line in lines:
        for b in range(max(0, int(line.x0 / step)), min(bins, int(line.x1 / step) + 1)):
            cover[b] += 1
    gutters: list[float] = []
    b = int(width * 0.2 / step)
    end = int(width * 0.8 / step)
    while b < end:
        if cover[b] <= max(1, len(lines) // 40):
            start = b
            while b < end and cover[b] <= max(1, len(lines) // 40):
                b += 1
            x = (start + b) / 2 * step
            left = sum(1 for ln in lines if ln.x1 <= x)
            right = sum(1 for ln in lines if ln.x0 >= x)
            if (b - start) * step >= 6 and min(left, right) >= max(3, len(lines) // 5):
                gutters.append(x)
        b += 1
    return gutters


def split_notes(
    lines: list[Line], body_size: float, info: PageInfo
) -> tuple[list[Line], list[Para]]:
    """Return (body lines, footnotes) of one page in reading order."""
    start = len(lines)
    while start > 0:
        line = lines[start - 1]
        small = line.size <= 0.92 * body_size and line.y1 <= info.height * 0.5
        if not small:
            break
        start -= 1
    while start < len(lines) and not _note_label(lines[start]):
        start += 1
    if start >= len(lines) or start == 0:
        return lines, []
    notes: list[Para] = []
    for line in lines[start:]:
        label = _note_label(line)
        if label and (not notes or _plausible_next(notes[-1].label, label)):
            notes.append(Para("footnote", [line], label=label))
        else:
            notes[-1].lines.append(line)
    return lines[:start], notes


def _note_label(line: Line) -> str:
    if line.superscripts and line.superscripts[0][0] == 0:
        return line.text[: line.superscripts[0][1]]
    match = _NOTE_START.match(line.text)
    return match.group(1) if match else ""


def _plausible_next(previous: str, label: str) -> bool:
    return previous.isdigit() and label.isdigit() and 0 < int(label) - int(previous) <= 3


def note_text(note: Para) -> tuple[Line, int]:
    """Return the note's first line and where its text starts after the printed number."""
    first = note.lines[0]
    text = first.text
    pos = len(note.label)
    while pos < len(text) and (text[pos] in ".) " or text[pos].isspace()):
        pos += 1
    return first, pos


def body_size(lines: list[Line]) -> float:
    """Return the most common font size, weighted by characters (the body text's size)."""
    weights: Counter[float] = Counter()
    for line in lines:
        weights[round(line.size * 2) / 2] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 10.0


def pitches(lines_by_page: list[list[Line]]) -> dict[float, float]:
    """Return the usual distance between baselines for each font size."""
    gaps: dict[float, list[float]] = {}
    for lines in lines_by_page:
        for a, b in itertools.pairwise(lines):
            size = round(a.size * 2) / 2
            diff = a.y0 - b.y0
            if (
                abs(a.size - b.size) < 0.3
                and 0.8 * size < diff < 2.5 * size
                and abs(a.x0 - b.x0) < 50
            ):
                gaps.setdefault(size, []).append(diff)
    return {size: statistics.median(values) for size, values in gaps.items() if values}


def paragraphs(
    lines_by_page: list[list[Line]], size: float, pitch: dict[float, float]
) -> list[Para]:
    """Group body lines (reading order, all pages) into paragraphs and headings."""
    paras: list[Para] = []
    previous: Line | None = None
    right_edge = _right_edges(lines_by_page)
    for lines in lines_by_page:
        for line in lines:
            if previous is None or _starts_paragraph(previous, line, size, pitch, right_edge):
                paras.append(Para("paragraph", [line]))
            else:
                paras[-1].lines.append(line)
            previous = line
    for para in paras:
        if _is_heading(para, size):
            para.kind = "heading"
    _levels(paras)
    return paras


def _right_edges(lines_by_page: list[list[Line]]) -> dict[int, float]:
    return {lines[0].page: max(ln.x1 for ln in lines) for lines in lines_by_page if lines}


def _style(line: Line, size: float) -> tuple[float, bool]:
    return (round(line.size * 2) / 2, line.bold and line.size >= 0.95 * size)


def _starts_paragraph(
    prev: Line, line: Line, size: float, pitch: dict[float, float], right_edge: dict[int, float]
) -> bool:
    if line.starts_para or _style(prev, size) != _style(line, size):
        return True
    text = line.text.lstrip()
    typed = bool(_SUB_NUMBER.match(text) or re.match(r"^(?:\d{1,3}\.|\([a-z0-9]{1,4}\))\s", text))
    ends = bool(_SENTENCE_END.search(prev.text.rstrip()))
    new_column = line.page != prev.page or line.y0 > prev.y0 + 0.5 * line.size
    if new_column:
        full = prev.x1 >= right_edge.get(prev.page, prev.x1) - 2.5 * prev.size
        if typed:
            return True
        return not (full and (not ends or text[:1].islower()))
    usual = pitch.get(round(line.size * 2) / 2, 1.2 * line.size)
    if prev.y0 - line.y0 > 1.3 * usual:
        return True
    return bool(typed and (ends or prev.x1 < right_edge.get(prev.page, prev.x1) - 6 * prev.size))


def _is_heading(para: Para, size: float) -> bool:
    text = " ".join(ln.text for ln in para.lines)
    if len(para.lines) > 3 or len(text) > 200 or not any(c.isalpha() for c in text):
        return False
    big = statistics.median(ln.size for ln in para.lines) >= 1.07 * size
    bold = all(ln.bold for ln in para.lines)
    if big:
        return True
    return bold and len(text) <= 150 and not text.rstrip().endswith((".", ",", ";"))


def _levels(paras: list[Para]) -> None:
    sizes = sorted(
        {round(p.lines[0].size * 2) / 2 for p in paras if p.kind == "heading"}, reverse=True
    )
    for para in paras:
        if para.kind == "heading":
            para.level = min(sizes.index(round(para.lines[0].size * 2) / 2) + 1, 6)


def sub_number(text: str) -> str:
    """Return "12(a)" when ``text`` starts with a typed "12(a)" / "12 (a)", else ""."""
    match = _SUB_NUMBER.match(text.lstrip())
    return f"{match.group(1)}({match.group(2)})" if match else ""
