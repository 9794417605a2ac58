"""Characters of a PDF page into lines, with pdfium (pypdfium2): the raw material of the layout.

Each :class:`Line` keeps its page, its box (PDF points, origin bottom-left), its dominant font
size and weight, and its text as :class:`Piece` runs, where raised small digits are marked as
superscripts (note callouts). The x position of every character is kept so that a quote can be
highlighted on the rendered page. Nothing here decides reading order or paragraphs: that is
:mod:`ingest.pdflayout`.
"""

from __future__ import annotations

import ctypes
import math
import statistics
import threading
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from ingest.errors import CorruptFileError, EncryptedFileError, FileTooLargeError

_LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
}
_SPACES = {" ", "\u00a0", "\u2002", "\u2003", "\u2009", "\t"}
_BREAKS = {"\r", "\n"}
_SOFT_HYPHEN = "\u00ad"

# pdfium may not be called from two threads at once (the app renders pages while a background
# ingest reads PDFs): every use of pypdfium2 in this process holds this lock.
PDFIUM = threading.RLock()


@dataclass(frozen=True, slots=True)
class Glyph:
    """One character as drawn: its text (ligatures expanded), box, size and weight."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    bold: bool
    generated: bool = False
    bad_map: bool = False


@dataclass(slots=True)
class Line:
    """One text line of a page: glyphs in order and derived properties (see :func:`finish`)."""

    page: int
    glyphs: list[Glyph] = field(default_factory=list)
    x0: float = 0.0
    y0: float = 0.0
    x1: float = 0.0
    y1: float = 0.0
    size: float = 0.0
    bold: bool = False
    text: str = ""
    xs: list[float] = field(default_factory=list)  # left x of every character of ``text``
    superscripts: list[tuple[int, int]] = field(default_factory=list)  # spans of ``text``
    starts_para: bool = False  # OCR: Tesseract says a new paragraph starts here

    @property
    def baseline(self) -> float:
        return self.y0


def open_pdf(path: Path, max_file_mb: int):  # type: ignore[no-untyped-def]
    """Open a PDF with pdfium (the empty user password is tried), or raise why it cannot be."""
    import pypdfium2 as pdfium

    size = path.stat().st_size
    if size > max_file_mb * 2**20:
        raise FileTooLargeError(
            path,
            f"the file is {size / 2**20:.1f} MB, over the {max_file_mb} MB limit; raise "
            "max_file_mb (SUBMISSIONS_MAX_FILE_MB) or split the document.",
        )
    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise EncryptedFileError(
                path,
                "the PDF needs a password to open; ask the sender for a copy without an open "
                "password (or open it, print it to a new PDF) and ingest that copy.",
            ) from exc
        raise CorruptFileError(
            path,
            f"the PDF is damaged and cannot be read ({exc}); ask the sender for a new copy, "
            "or open it in a PDF viewer and save it again.",
        ) from exc


def _font_name(raw, textpage, index: int) -> str:  # type: ignore[no-untyped-def]
    buffer = ctypes.create_string_buffer(128)
    flags = ctypes.c_int(0)
    length = raw.FPDFText_GetFontInfo(textpage, index, buffer, 128, ctypes.byref(flags))
    return buffer.raw[: max(0, length - 1)].decode("utf-8", "replace") if length else ""


def page_glyphs(textpage) -> list[Glyph]:  # type: ignore[no-untyped-def]
    """Return every character of a pdfium text page in content order."""
    import pypdfium2.raw as raw

    handle = textpage.raw
    count = raw.FPDFText_CountChars(handle)
    glyphs: list[Glyph] = []
    rect = raw.FS_RECTF()
    matrix = raw.FS_MATRIX()
    fonts: dict[tuple[int, float], bool] = {}
    for index in range(count):
        code = raw.FPDFText_GetUnicode(handle, index)
        if not code:
            continue
        char = chr(code)
        generated = raw.FPDFText_IsGenerated(handle, index) == 1
        if char in _BREAKS or (generated and char not in _SPACES):
            continue  # line breaks are decided by position (pdfium also breaks at superscripts)
        # The loose box spans the glyph's advance and the font's ascent/descent: gaps between
        # loose boxes are word spaces, whatever the ink of the letters.
        raw.FPDFText_GetLooseCharBox(handle, index, ctypes.byref(rect))
        left, right, bottom, top = rect.left, rect.right, rect.bottom, rect.top
        size = raw.FPDFText_GetFontSize(handle, index)
        if raw.FPDFText_GetMatrix(handle, index, ctypes.byref(matrix)):
            size *= math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c)) or 1.0
        weight = raw.FPDFText_GetFontWeight(handle, index)
        key = (weight, round(size, 1))
        bold = fonts.get(key) if weight > 0 else None
        if bold is None:
            name = _font_name(raw, handle, index).lower()
            bold = weight >= 600 or "bold" in name or "black" in name or "heavy" in name
            if weight > 0:
                fonts[key] = bold
        # FPDFText_IsHyphen guesses that a hyphen at a line end is soft; the glyph is printed,
        # and compounds ("administrativo-disciplinario") keep it, so it stays a hyphen.
        glyphs.append(
            Glyph(
                _LIGATURES.get(char, char),
                left, bottom, right, top,
                size, bool(bold), generated,
                raw.FPDFText_HasUnicodeMapError(handle, index) == 1,
            )
        )  # fmt: skip
    return glyphs


def group_lines(glyphs: list[Glyph], page: int) -> list[Line]:
    """Group glyphs (content order) into lines: a new line at a vertical or leftward jump."""
    lines: list[Line] = []
    current: list[Glyph] = []
    recent: deque[Glyph] = deque(maxlen=8)  # the last inked glyphs of the current line
    for glyph in glyphs:
        if glyph.text in _SPACES or glyph.x1 <= glyph.x0:
            if current and glyph.text in _SPACES:
                current.append(glyph)
            continue
        if current and not _same_line(recent, glyph):
            lines.append(_line(current, page))
            current = []
            recent.clear()
        current.append(glyph)
        recent.append(glyph)
    if current:
        lines.append(_line(current, page))
    return [line for line in lines if line.text.strip()]


def _same_line(recent: deque[Glyph], glyph: Glyph) -> bool:
    last = recent[-1]
    height = max(last.y1 - last.y0, glyph.y1 - glyph.y0, 1.0)
    centre = (glyph.y0 + glyph.y1) / 2
    low = min(g.y0 for g in recent)
    high = max(g.y1 for g in recent)
    if not low - 0.25 * height <= centre <= high + 0.25 * height:
        return False
    return glyph.x0 >= last.x0 - 0.5 * height  # a jump back to the left starts a new line


def _line(glyphs: list[Glyph], page: int) -> Line:
    while glyphs and glyphs[-1].text in _SPACES:
        glyphs.pop()
    inked = [g for g in glyphs if g.text not in _SPACES]
    sizes = [g.size for g in inked if g.size > 0] or [10.0]
    size = statistics.median(sizes)
    normal = [g for g in inked if g.size >= 0.85 * size] or inked
    baseline = statistics.median(g.y0 for g in normal)
    line = Line(page, glyphs)
    line.x0 = min(g.x0 for g in inked)
    line.x1 = max(g.x1 for g in inked)
    line.y0 = baseline
    line.y1 = max(g.y1 for g in normal)
    line.size = size
    letters = [g for g in inked if g.text.isalpha()] or inked
    line.bold = bool(letters) and sum(g.bold for g in letters) >= 0.8 * len(letters)
    _spell(line, size, baseline)
    return line


def _spell(line: Line, size: float, baseline: float) -> None:
    """Fill the line's text, character x positions and superscript spans."""
    text: list[str] = []
    xs: list[float] = []
    sup_start = -1
    previous: Glyph | None = None
    for glyph in line.glyphs:
        if glyph.text in _SPACES:
            if sup_start >= 0:
                line.superscripts.append((sup_start, len("".join(text))))
                sup_start = -1
            if text and text[-1] != " ":
                text.append(" ")
                xs.append(glyph.x0)
            continue
        if previous is not None and text and text[-1] != " ":
            gap = glyph.x0 - previous.x1
            if gap > 0.22 * max(size, 1.0):
                text.append(" ")
                xs.append(previous.x1)
        raised = glyph.size < 0.8 * size and glyph.y0 > baseline + 0.2 * size
        is_sup = raised and glyph.text.isdigit()
        position = len("".join(text))
        if is_sup and sup_start < 0:
            sup_start = position
        elif not is_sup and sup_start >= 0:
            line.superscripts.append((sup_start, position))
            sup_start = -1
        for char in glyph.text:
            text.append(char)
            xs.append(glyph.x0)
        previous = glyph
    joined = "".join(text)
    if sup_start >= 0:
        line.superscripts.append((sup_start, len(joined)))
    line.text = joined
    line.xs = xs


def unmapped_share(glyphs: list[Glyph]) -> float:
    """Return the share of drawn characters whose font has no Unicode mapping for them."""
    inked = [g for g in glyphs if g.text.strip() and not g.generated]
    return sum(g.bad_map for g in inked) / len(inked) if inked else 0.0
