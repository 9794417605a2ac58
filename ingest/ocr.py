"""OCR of scanned PDF pages with Tesseract (the ``tesseract`` command), into layout lines.

Each page is rendered by pdfium at 300 dpi into a temporary folder and read by Tesseract as TSV
(word boxes with block, paragraph and line numbers). The words become
:class:`~ingest.pdfchars.Line` objects in PDF points, so the layout, citations and the page view
work as for a PDF with text; the document is marked as read by OCR, and its quotes are shown
as "from OCR", never as "verified". Pages and time are capped (settings).
"""

from __future__ import annotations

import csv
import io
import logging
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from functools import lru_cache
from pathlib import Path

from ingest.errors import FileTooLargeError, NoTextLayerError, TimeLimitError
from ingest.formats import FormatOptions
from ingest.pdfchars import PDFIUM, Line, open_pdf
from ingest.pdflayout import PageInfo

logger = logging.getLogger(__name__)

DPI = 300


@lru_cache(maxsize=4)
def _languages(binary: str) -> frozenset[str]:
    try:
        done = subprocess.run(
            [binary, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    return frozenset(line.strip() for line in done.stdout.splitlines()[1:] if line.strip())


def tesseract() -> str | None:
    """Return the path of the tesseract command, or None."""
    return shutil.which("tesseract")


def available(languages: str) -> bool:
    """Return True when Tesseract is installed with at least one of ``languages``."""
    binary = tesseract()
    return bool(binary) and bool(set(languages.split("+")) & _languages(binary))


def _usable(languages: str) -> str:
    binary = tesseract() or "tesseract"
    have = _languages(binary)
    return "+".join(lang for lang in languages.split("+") if lang in have) or "eng"


def read_scan(path: Path, options: FormatOptions) -> tuple[list[PageInfo], list[list[Line]]]:
    """OCR every page of a scanned PDF; return page infos and lines for the layout."""
    with PDFIUM:
        pdf = open_pdf(path, 10_000)
    try:
        count = len(pdf)
        if count > options.ocr_max_pages:
            raise FileTooLargeError(
                path,
                f"the scan has {count} pages, over the OCR limit of {options.ocr_max_pages}; "
                "raise ocr_max_pages (SUBMISSIONS_OCR_MAX_PAGES) or ask for a PDF with text.",
            )
        languages = _usable(options.ocr_languages)
        deadline = time.monotonic() + options.ocr_timeout_s
        infos: list[PageInfo] = []
        pages: list[list[Line]] = []
        with tempfile.TemporaryDirectory(prefix="submissions-ocr-") as workdir:
            for index in range(count):
                scale = DPI / 72
                with PDFIUM:
                    page = pdf[index]
                    width, height = page.get_size()
                    image = page.render(scale=scale, grayscale=True).to_pil()
                    page.close()
                png = Path(workdir) / f"page-{index + 1}.png"
                image.save(png)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise _late(path, options, index, count)
                tsv = _run(png, languages, left, path, options, index, count)
                png.unlink()
                infos.append(PageInfo(index + 1, width, height))
                pages.append(_lines(tsv, index + 1, height, scale))
    finally:
        with PDFIUM:
            pdf.close()
    if not any(pages):
        raise NoTextLayerError(
            path, "OCR found no text on the pages of this scan; check that it holds text."
        )
    return infos, pages


def _late(path: Path, options: FormatOptions, index: int, count: int) -> TimeLimitError:
    return TimeLimitError(
        path,
        f"OCR took over {options.ocr_timeout_s:.0f} s (page {index + 1} of {count}); raise "
        "ocr_timeout_s (SUBMISSIONS_OCR_TIMEOUT_S) or ask the sender for a PDF with text.",
    )


def _run(
    png: Path, languages: str, timeout: float, path: Path, options: FormatOptions, index: int,
    count: int,
) -> str:  # fmt: skip
    command = [tesseract() or "tesseract", str(png), "stdout", "-l", languages, "--psm", "3", "tsv"]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False, env=env
        )
    except subprocess.TimeoutExpired as exc:
        raise _late(path, options, index, count) from exc
    except OSError as exc:
        raise NoTextLayerError(
            path, f"Tesseract could not run ({exc}); check its install."
        ) from exc
    if done.returncode != 0:
        logger.warning("tesseract failed on page %d of %s: %s", index + 1, path, done.stderr[-300:])
        return ""
    return done.stdout


def _lines(tsv: str, page: int, height: float, scale: float) -> list[Line]:
    """Return the page's lines from Tesseract TSV (pixels) in PDF points."""
    groups: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") != "5" or not (row.get("text") or "").strip():
            continue
        groups.setdefault((row["block_num"], row["par_num"], row["line_num"]), []).append(row)
    lines: list[Line] = []
    previous_par: tuple[str, str] | None = None
    for (block, par, _), words in groups.items():
        line = Line(page)
        text = ""
        xs: list[float] = []
        for word in words:
            left = int(word["left"]) / scale
            width = int(word["width"]) / scale
            token = word["text"].strip()
            if text:
                text += " "
                xs.append(left)
            xs.extend(left + width * i / max(len(token), 1) for i in range(len(token)))
            text += token
        line.text, line.xs = text, xs
        line.x0 = min(int(w["left"]) for w in words) / scale
        line.x1 = max(int(w["left"]) + int(w["width"]) for w in words) / scale
        line.y1 = height - min(int(w["top"]) for w in words) / scale
        line.y0 = height - max(int(w["top"]) + int(w["height"]) for w in words) / scale
        line.starts_para = (block, par) != previous_par
        previous_par = (block, par)
        lines.append(line)
    if lines:
        usual = statistics.median(ln.y1 - ln.y0 for ln in lines)
        for line in lines:
            # Sizes in steps of the usual height, so that body lines share one style.
            line.size = round((line.y1 - line.y0) / usual * 2) / 2 * usual if usual else 10.0
            if abs(line.size - usual) <= 0.5 * usual:
                line.size = usual
    return lines
