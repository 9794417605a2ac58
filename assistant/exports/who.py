"""The who list to CSV and Word: submitter, type, country, strength, quote, citation.

Confidential submissions are listed and cited without their words (the quote cell says so).
The quote is the exact text at its offsets; the Word table shortens nothing either.
"""

from __future__ import annotations

import csv
from pathlib import Path

from assistant.analyses.who import Listed, WhoResult, headline
from assistant.formatting import format_locator

WITHHELD = "quote withheld: confidential submission"
COLUMNS = (
    "addresses",
    "submitter",
    "submitter_type",
    "country",
    "language",
    "strength",
    "quote",
    "citation",
    "file",
    "char_start",
    "char_end",
)


def _row(item: Listed, addresses: bool) -> dict[str, object]:
    sub, c = item.submission, item.citation
    quote = "" if c is None else (WITHHELD if sub.confidential else c.quote)
    where = format_locator(c.locator, c.footnotes) if c is not None else ""
    return {
        "addresses": "yes" if addresses else "no (closest passage)",
        "submitter": sub.submitter or sub.file,
        "submitter_type": sub.submitter_type,
        "country": sub.country,
        "language": sub.language,
        "strength": f"{item.strength:.2f}",
        "quote": quote,
        "citation": f"{sub.file}, {where}" if where else sub.file,
        "file": sub.file,
        "char_start": "" if c is None else c.char_start,
        "char_end": "" if c is None else c.char_end,
    }


def rows(result: WhoResult) -> list[dict[str, object]]:
    """Return the export rows: the submissions that address X, then the others."""
    return [_row(x, True) for x in result.addressed] + [
        _row(x, False) for x in result.not_addressed
    ]


def write_csv(result: WhoResult, path: Path) -> Path:
    """Write the who list to ``path`` as UTF-8 CSV (Excel opens it: BOM included)."""
    path = Path(path)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows(result))
    return path


def write_docx(result: WhoResult, path: Path) -> Path:
    """Write the who list to a Word document: the question, the count, one table row each."""
    from docx import Document

    document = Document()
    document.add_heading(result.question, level=1)
    document.add_paragraph(headline(result) + ".")
    table = document.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    for cell, title in zip(
        table.rows[0].cells,
        ("Submitter", "Type", "Country", "Addresses", "Quote", "Citation"),
        strict=True,
    ):
        cell.text = title
    for row in rows(result):
        cells = table.add_row().cells
        values = (
            row["submitter"],
            row["submitter_type"],
            row["country"],
            f"{row['addresses']} ({row['strength']})",
            row["quote"],
            row["citation"],
        )
        for cell, value in zip(cells, values, strict=True):
            cell.text = str(value)
    document.save(str(path))
    return Path(path)
