"""The PDF half of the document view: cited pages rendered as images, the quotes boxed on them.

Pages are rendered from the stored original with pypdfium2 into PNG data URIs (cached), and
each highlight becomes absolutely positioned boxes over the image, placed from the line boxes
kept at ingest (:class:`ingest.pages.PageMap`). The extracted text sits beside the pages, so
staff can check a quote against the page they would print.
"""

from __future__ import annotations

import base64
import html
import io
import logging
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from assistant.ui.document import Highlight
from ingest.pages import PageMap
from ingest.pdfchars import PDFIUM
from ingest.types import Document

logger = logging.getLogger(__name__)

SCALE = 1.5  # 108 dpi: sharp enough to read, small enough to send
MAX_PAGES = 8  # pages rendered at most per view (those with the most highlights first)
PAGE_PREFIX = "sa-pdf-"


def is_pdf(document: Document) -> bool:
    """Return True for a document read from a PDF (it has page records)."""
    return document.properties.get("format") == "pdf" and bool(document.properties.get("pdf_lines"))


@lru_cache(maxsize=64)
def _page_png(path: str, mtime_ns: int, page: int) -> tuple[str, int]:
    """Return (base64 PNG of ``page`` (1-based), rotation in degrees)."""
    import pypdfium2 as pdfium

    with PDFIUM:
        pdf = pdfium.PdfDocument(path)
        try:
            handle = pdf[page - 1]
            rotation = handle.get_rotation()
            image = handle.render(scale=SCALE).to_pil()
            handle.close()
        finally:
            pdf.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return base64.b64encode(buffer.getvalue()).decode("ascii"), rotation


def render_pages(pdf_path: Path, document: Document, highlights: Sequence[Highlight]) -> str:
    """Return HTML with the pages that hold ``highlights`` (else page 1), quotes boxed."""
    pages = PageMap(document)
    boxes: dict[int, list[tuple[Highlight, tuple[float, float, float, float]]]] = {}
    for h in highlights:
        for page, x0, y0, x1, y1 in pages.boxes(h.char_start, h.char_end):
            boxes.setdefault(page, []).append((h, (x0, y0, x1, y1)))
    primary = [p for p, items in boxes.items() if any(h.primary for h, _ in items)]
    wanted = primary + sorted((p for p in boxes if p not in primary), key=lambda p: -len(boxes[p]))
    shown = sorted(wanted[:MAX_PAGES]) or [1]
    out = []
    stat = pdf_path.stat()
    for page in shown:
        if not 1 <= page <= max(len(pages.sizes), 1):
            continue
        try:
            png, rotation = _page_png(str(pdf_path), stat.st_mtime_ns, page)
        except Exception:  # a page pdfium cannot render costs its image, not the view
            logger.exception("cannot render page %d of %s", page, pdf_path)
            continue
        width, height = pages.sizes[page - 1] if pages.sizes else (612.0, 792.0)
        marks = "" if rotation else _marks(boxes.get(page, []), width, height)
        label = pages.label(page)
        caption = f"Page {page}" + (f" (printed {label})" if label else "")
        out.append(
            f'<figure class="sa-pdf-page" id="{PAGE_PREFIX}page-{page}" data-page="{page}">'
            f'<div class="sa-pdf-sheet"><img src="data:image/png;base64,{png}" '
            f'alt="{html.escape(caption)} of the PDF">{marks}</div>'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )
    hidden = len(wanted) - len(shown)
    more = (
        f'<p class="sa-muted">{hidden} more cited page(s) are not shown; open the original.</p>'
        if hidden > 0
        else ""
    )
    return (
        '<section class="sa-pdf-pages" aria-label="Cited pages of the PDF">'
        f"{''.join(out)}{more}</section>"
    )


def _marks(items, width: float, height: float) -> str:  # type: ignore[no-untyped-def]
    marks = []
    for h, (x0, y0, x1, y1) in items:
        left, right = 100 * x0 / width, 100 * x1 / width
        top, bottom = 100 * (height - y1) / height, 100 * (height - y0) / height
        classes = "sa-pdf-hl sa-pdf-primary" if h.primary else "sa-pdf-hl"
        marks.append(
            f'<span class="{classes}" data-anchor="{html.escape(h.anchor)}" '
            f'title="{html.escape(h.label)}" style="left:{left:.2f}%;top:{top:.2f}%;'
            f'width:{max(right - left, 0.3):.2f}%;height:{max(bottom - top, 0.5):.2f}%"></span>'
        )
    return "".join(marks)


def split_view(pages_html: str, text_html: str) -> str:
    """Return the page images and the extracted text side by side."""
    return f'<div class="sa-pdf-split">{pages_html}<div class="sa-pdf-text">{text_html}</div></div>'
