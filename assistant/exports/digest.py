"""The thematic digest as Word (real footnotes, UN style) and as Markdown.

Each point is a verbatim quote followed by a footnote such as "Submission of France (State),
para. 14"; confidential submissions are cited without their words.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document as new_docx

from assistant.analyses.digest import Digest, not_addressed_line
from assistant.exports.answer import WITHHELD, _Footnotes, _xml_safe, format_citation
from assistant.types import Citation


def quote_text(c: Citation) -> str:
    """Return the quote as the digest shows it (withheld for confidential submissions)."""
    return f"({WITHHELD})" if c.confidential else f"“{' '.join(c.quote.split())}”"


def footnote_text(c: Citation) -> str:
    """Return the footnote: "Submission of France (State), para. 14"."""
    return format_citation(c, with_quote=False)


def digest_markdown(digest: Digest) -> str:
    """Return the digest as Markdown with [^n] footnotes."""
    lines = [
        f"# {digest.title}",
        "",
        f"*{digest.call_title}*",
        "",
        f"Made on {digest.made_on}.",
        "",
    ]
    notes: list[str] = []
    for td in digest.themes:
        lines += [f"## {td.theme.id}. {td.theme.label}", "", td.theme.description, ""]
        for kind, points in td.groups:
            lines += [f"### {kind}", ""]
            for point in points:
                parts = []
                for c in point.citations:
                    notes.append(f"[^{len(notes) + 1}]: {footnote_text(c)}")
                    parts.append(f"{quote_text(c)}[^{len(notes)}]")
                lines.append(f"- **{digest.name(point.submission)}**: " + " ".join(parts))
            lines.append("")
        lines += [not_addressed_line(digest, td), ""]
    if notes:
        lines += ["", *notes, ""]
    return "\n".join(lines)


def write_digest_docx(digest: Digest, path: Path) -> Path:
    """Write the digest as a Word document whose citations are real footnotes."""
    document = new_docx()
    notes = _Footnotes(document)
    document.core_properties.title = digest.title
    document.add_heading(digest.title, level=1)
    document.add_paragraph(_xml_safe(digest.call_title)).italic = True
    document.add_paragraph(f"Made on {digest.made_on}.")
    for td in digest.themes:
        document.add_heading(_xml_safe(f"{td.theme.id}. {td.theme.label}"), level=2)
        document.add_paragraph(_xml_safe(td.theme.description))
        for kind, points in td.groups:
            document.add_heading(_xml_safe(kind), level=3)
            for point in points:
                paragraph = document.add_paragraph(style="List Bullet")
                paragraph.add_run(_xml_safe(digest.name(point.submission)) + ": ").bold = True
                for i, c in enumerate(point.citations):
                    if i:
                        paragraph.add_run(" ")
                    paragraph.add_run(_xml_safe(quote_text(c)))
                    notes.add(paragraph, footnote_text(c))
        document.add_paragraph(_xml_safe(not_addressed_line(digest, td)))
    document.save(str(path))
    return Path(path)
