"""Pages of a paginated document (PDF): which page an offset of the canonical text is on.

A PDF's :class:`~ingest.types.Document` keeps, in ``properties["pdf_lines"]``, one record per
text line: ``[char_start, char_end, page, x0, y0, x1, y1]`` (PDF points, origin bottom-left),
sorted by ``char_start``; and in ``properties["pdf_page_labels"]`` the printed label of each
page ("" where it is just the page number). Word documents have neither: their page is 0.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass

from ingest.types import Document


@dataclass(frozen=True, slots=True)
class LineBox:
    """One text line: its offsets in the canonical text, its page and its box in points."""

    char_start: int
    char_end: int
    page: int
    x0: float
    y0: float
    x1: float
    y1: float


class PageMap:
    """Offsets to pages and boxes for one document (parsed once from its properties)."""

    def __init__(self, document: Document) -> None:
        raw = document.properties.get("pdf_lines", "")
        self.lines = [LineBox(*row) for row in json.loads(raw)] if raw else []
        self._starts = [line.char_start for line in self.lines]
        labels = document.properties.get("pdf_page_labels", "")
        self.labels: list[str] = json.loads(labels) if labels else []
        sizes = document.properties.get("pdf_page_sizes", "")
        self.sizes: list[list[float]] = json.loads(sizes) if sizes else []

    def __bool__(self) -> bool:
        return bool(self.lines)

    def page_at(self, offset: int) -> int:
        """Return the 1-based page of the line holding ``offset`` (0 when unknown)."""
        if not self.lines:
            return 0
        index = max(bisect.bisect_right(self._starts, offset) - 1, 0)
        return self.lines[index].page

    def span(self, start: int, end: int) -> tuple[int, int, str]:
        """Return (page, page_end, printed label of page) for ``start:end``."""
        if not self.lines or end <= start:
            return 0, 0, ""
        first, last = self.page_at(start), self.page_at(end - 1)
        return first, max(first, last), self.label(first)

    def label(self, page: int) -> str:
        """Return the printed label of ``page`` when it differs from the page number."""
        if 1 <= page <= len(self.labels):
            return self.labels[page - 1]
        return ""

    def boxes(self, start: int, end: int) -> list[tuple[int, float, float, float, float]]:
        """Return (page, x0, y0, x1, y1) for the part of each line that ``start:end`` covers.

        The x extent within a line is interpolated from the character share of the line.
        """
        out = []
        index = max(bisect.bisect_right(self._starts, start) - 1, 0)
        while index < len(self.lines) and self.lines[index].char_start < end:
            line = self.lines[index]
            index += 1
            if line.char_end <= start:
                continue
            length = max(line.char_end - line.char_start, 1)
            a = (max(start, line.char_start) - line.char_start) / length
            b = (min(end, line.char_end) - line.char_start) / length
            width = line.x1 - line.x0
            out.append((line.page, line.x0 + a * width, line.y0, line.x0 + b * width, line.y1))
        return out


def format_pages(page: int, page_end: int = 0, label: str = "") -> str:
    """Return "p. 4", "pp. 4–5", or "p. 4 (printed iii)"; "" when the page is unknown."""
    if page <= 0:
        return ""
    text = f"pp. {page}–{page_end}" if page_end > page else f"p. {page}"
    if label and label != str(page):
        text += f" (printed {label})"
    return text
