"""The coverage matrix as CSV and as an Excel workbook.

CSV: a header row, then one row per submission: file, submitter, submitter_type, country,
language, then one column per theme id holding the passage count (0 = not addressed). When staff
corrected cells, a last ``corrected`` column lists them ("T3=2; T5=0"). The workbook has the same
sheet (corrected cells marked with a comment and a fill) and a "Quotes" sheet with each cell's
strongest quote and locator; confidential submissions are cited without their words.
"""

from __future__ import annotations

import csv
from pathlib import Path

from assistant.analyses.coverage import Coverage
from assistant.exports.answer import WITHHELD

FIXED = ("file", "submitter", "submitter_type", "country", "language")


def header(coverage: Coverage) -> list[str]:
    """Return the CSV header (plus ``corrected`` when any cell is corrected)."""
    cols = [*FIXED, *(t.id for t in coverage.themes)]
    if _any_corrected(coverage):
        cols.append("corrected")
    return cols


def _any_corrected(coverage: Coverage) -> bool:
    return any(c.corrected for r in coverage.rows for c in r.cells.values())


def rows(coverage: Coverage) -> list[list[object]]:
    """Return the CSV rows (without the header)."""
    out = []
    marked = _any_corrected(coverage)
    for r in coverage.rows:
        s = r.submission
        row: list[object] = [s.file, s.submitter, s.submitter_type, s.country, s.language]
        row.extend(r.cells[t.id].passages for t in coverage.themes)
        if marked:
            fixes = [
                f"{t.id}={r.cells[t.id].passages}"
                for t in coverage.themes
                if r.cells[t.id].corrected
            ]
            row.append("; ".join(fixes))
        out.append(row)
    return out


def write_csv(coverage: Coverage, path: Path) -> Path:
    """Write the matrix as CSV (UTF-8)."""
    with Path(path).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header(coverage))
        writer.writerows(rows(coverage))
    return Path(path)


def write_xlsx(coverage: Coverage, path: Path) -> Path:
    """Write the matrix and the quotes as an Excel workbook."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = "Coverage"
    sheet.append(header(coverage))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    corrected_fill = PatternFill("solid", fgColor="FFF2CC")
    first_theme = len(FIXED) + 1
    for i, (r, values) in enumerate(zip(coverage.rows, rows(coverage), strict=True), start=2):
        sheet.append(values)
        for j, theme in enumerate(coverage.themes):
            c = r.cells[theme.id]
            if c.corrected:
                target = sheet.cell(row=i, column=first_theme + j)
                target.fill = corrected_fill
                target.comment = Comment(f"Corrected by staff. {c.note}".strip(), c.note or "staff")
    totals = coverage.totals()
    sheet.append(
        [
            "Submissions addressing the theme",
            "",
            "",
            "",
            "",
            *(totals[t.id] for t in coverage.themes),
        ]
    )
    quotes = book.create_sheet("Quotes")
    quotes.append(
        ["file", "submitter", "theme", "passages", "strength", "corrected", "locator", "quote"]
    )
    for cell in quotes[1]:
        cell.font = Font(bold=True)
    for r in coverage.rows:
        for theme in coverage.themes:
            c = r.cells[theme.id]
            cit = c.citation
            quote = (
                ""
                if not (cit and c.passages)
                else (f"({WITHHELD})" if cit.confidential else cit.quote)
            )
            quotes.append(
                [
                    r.submission.file,
                    r.submission.submitter,
                    theme.id,
                    c.passages,
                    c.strength,
                    "yes" if c.corrected else "",
                    cit.locator if cit and c.passages else "",
                    quote,
                ]
            )
    book.save(str(path))
    return Path(path)
