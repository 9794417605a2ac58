"""Answers to Word (.docx with real footnotes) and Markdown, citing in the UN style.

A citation reads: Submission of France (State), para. 14, fn. 7 — “quote” [FR]. Confidential
submissions are cited without their words, in the footnote and in the answer text alike.
python-docx has no footnote API, so the footnotes part is written here with lxml.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from docx import Document as new_docx
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Pt

from assistant.formatting import locator_of, submitter_of
from assistant.types import Answer, Citation

logger = logging.getLogger(__name__)

WITHHELD = "quote withheld: confidential submission"
MAX_QUOTE_CHARS = 600

# "[3]" or "[3, 4]"; not "[3](url)", which is a Markdown link.
MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\](?!\()")
_INLINE = re.compile(r"(\*\*[^*]+\*\*|\*[^*\s][^*]*\*|_[^_\s][^_]*_)")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
_FOOTNOTES_XML = (
    f'<w:footnotes xmlns:w="{_W_NS}">'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" '
    'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" '
    'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p>'
    "</w:footnote></w:footnotes>"
)


# --- the citation itself ------------------------------------------------------------------


def submitter_phrase(c: Citation) -> str:
    """Return "Submission of France (State)" or "Submission of X (NGO/civil society, Peru)"."""
    return "Submission of " + submitter_of(c, fallback=c.title or c.file, full_type=True)


def location_phrase(c: Citation) -> str:
    """Return the printed location: "para. 14, fn. 7", falling back to the nearest heading."""
    return locator_of(c, fallback=c.heading_path[-1] if c.heading_path else "")


def shorten(quote: str, limit: int = MAX_QUOTE_CHARS) -> str:
    """Return the quote, cut at a word boundary with "…" when longer than ``limit``."""
    quote = " ".join(quote.split())
    if len(quote) <= limit:
        return quote
    cut = quote[:limit].rsplit(" ", 1)[0]
    return cut + " …"


def format_citation(c: Citation, *, with_quote: bool = True) -> str:
    """Return the UN-style citation; the quote is left out for confidential submissions."""
    text = submitter_phrase(c)
    where = location_phrase(c)
    if where:
        text += f", {where}"
    if c.confidential:
        return f"{text} ({WITHHELD})"
    if with_quote and c.quote:
        text += f" — “{shorten(c.quote)}”"
    if c.language and c.language.lower() not in ("en", ""):
        text += f" [{c.language.upper()}]"
    return text


# --- answer text ---------------------------------------------------------------------------


def withhold_confidential(text: str, citations: Iterable[Citation]) -> str:
    """Return ``text`` with the quoted words of confidential submissions replaced by a note."""
    secret = [c for c in citations if c.confidential]
    for c in secret:
        if c.quote.strip():
            text = text.replace(c.quote, f"({WITHHELD})")
        # A quoted excerpt right before the marker: “…” [n]
        pattern = re.compile(r"[“\"][^”\"\n]*[”\"](\s*\[" + str(c.n) + r"\])")
        text = pattern.sub(lambda m: f"({WITHHELD}){m.group(1)}", text)
    return text


def _numbers(group: str) -> list[int]:
    return [int(x) for x in re.split(r"\s*,\s*", group) if x]


def _by_number(answer: Answer) -> dict[int, Citation]:
    return {c.n: c for c in answer.citations}


# --- Markdown --------------------------------------------------------------------------------


def to_markdown(answers: Sequence[Answer], *, title: str = "Answers from the submissions") -> str:
    """Return the answers as Markdown, each [n] turned into a [^k] footnote."""
    lines = [f"# {title}", "", f"Exported on {date.today().isoformat()}.", ""]
    notes: list[str] = []
    for answer in answers:
        cited = _by_number(answer)
        labels: dict[int, int] = {}

        def replace(m: re.Match[str], cited: dict[int, Citation] = cited, labels=labels) -> str:
            refs = []
            for n in _numbers(m.group(1)):
                if n not in cited:
                    refs.append(f"[{n}]")
                    continue
                if n not in labels:
                    labels[n] = len(notes) + 1
                    notes.append(f"[^{labels[n]}]: {format_citation(cited[n])}")
                refs.append(f"[^{labels[n]}]")
            return "".join(refs)

        body = withhold_confidential(answer.text, answer.citations)
        body = re.sub(r"(?m)^(\s*)•\s+", r"\1- ", body)
        lines += [f"## {answer.question}", "", MARKER.sub(replace, body).strip(), ""]
    if notes:
        lines += ["", *notes, ""]
    return "\n".join(lines)


def write_markdown(answers: Sequence[Answer], path: Path, **kwargs: str) -> Path:
    """Write :func:`to_markdown` to ``path`` (UTF-8) and return it."""
    path.write_text(to_markdown(answers, **kwargs), encoding="utf-8")
    return path


# --- Word ------------------------------------------------------------------------------------


class _Footnotes:
    """The footnotes part of one document: adds notes and references to them."""

    def __init__(self, document) -> None:
        self.document = document
        main = document.part
        partname = PackURI("/word/footnotes.xml")
        self.part = XmlPart(partname, _FOOTNOTES_CT, parse_xml(_FOOTNOTES_XML), main.package)
        main.relate_to(self.part, RT.FOOTNOTES)
        self.next_id = 1
        _add_note_styles(document)
        _declare_separators(document)

    def add(self, paragraph, text: str) -> int:
        """Append a footnote reference to ``paragraph`` with ``text`` as the note; return its id."""
        note_id = self.next_id
        self.next_id += 1
        run = paragraph.add_run()
        run.style = self.document.styles["Footnote Reference"]
        ref = run._r.makeelement(qn("w:footnoteReference"), {qn("w:id"): str(note_id)})
        run._r.append(ref)
        note = parse_xml(
            f'<w:footnote xmlns:w="{_W_NS}" w:id="{note_id}"><w:p><w:pPr>'
            '<w:pStyle w:val="FootnoteText"/></w:pPr><w:r><w:rPr>'
            '<w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r>'
            '<w:r><w:t xml:space="preserve"> </w:t></w:r></w:p></w:footnote>'
        )
        text_run = note.makeelement(qn("w:r"), {})
        t = text_run.makeelement(
            qn("w:t"), {"{http://www.w3.org/XML/1998/namespace}space": "preserve"}
        )
        t.text = _xml_safe(text)
        text_run.append(t)
        note[0].append(text_run)
        self.part.element.append(note)
        return note_id


def _add_note_styles(document) -> None:
    styles = document.styles
    names = {s.name for s in styles}
    if "Footnote Text" not in names:
        text = styles.add_style("Footnote Text", WD_STYLE_TYPE.PARAGRAPH)
        text.base_style = styles["Normal"]
        text.font.size = Pt(9)
        text.paragraph_format.space_after = Pt(0)
    if "Footnote Reference" not in names:
        ref = styles.add_style("Footnote Reference", WD_STYLE_TYPE.CHARACTER)
        ref.font.superscript = True


def _declare_separators(document) -> None:
    settings = document.settings.element
    if settings.find(qn("w:footnotePr")) is not None:
        return
    pr = parse_xml(
        f'<w:footnotePr xmlns:w="{_W_NS}"><w:footnote w:id="-1"/><w:footnote w:id="0"/>'
        "</w:footnotePr>"
    )
    compat = settings.find(qn("w:compat"))
    if compat is not None:
        compat.addprevious(pr)
    else:
        settings.append(pr)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml_safe(text: str) -> str:
    return _CONTROL.sub("", text)


def _add_inline(paragraph, text: str) -> None:
    """Add ``text`` with **bold** and *italic* spans as runs."""
    for piece in _INLINE.split(text):
        if not piece:
            continue
        if piece.startswith("**") and piece.endswith("**") and len(piece) > 4:
            paragraph.add_run(_xml_safe(piece[2:-2])).bold = True
        elif piece[0] in "*_" and piece[-1] == piece[0] and len(piece) > 2:
            paragraph.add_run(_xml_safe(piece[1:-1])).italic = True
        else:
            paragraph.add_run(_xml_safe(piece))


def _add_answer(document, notes: _Footnotes, answer: Answer) -> int:
    """Add one answer's paragraphs; return how many footnotes were written."""
    cited = _by_number(answer)
    body = withhold_confidential(answer.text, answer.citations)
    written = 0
    for raw in body.splitlines():
        line = raw.rstrip()
        if not line.strip():
            continue
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if heading:
            document.add_heading(
                _xml_safe(heading.group(2)), level=min(len(heading.group(1)) + 1, 4)
            )
            continue
        bullet = _BULLET.match(line)
        style = "List Bullet" if bullet else None
        paragraph = document.add_paragraph(style=style)
        content = line[bullet.end() :] if bullet else line.strip()
        pos = 0
        for m in MARKER.finditer(content):
            numbers = [n for n in _numbers(m.group(1)) if n in cited]
            if not numbers:
                continue
            _add_inline(paragraph, content[pos : m.start()].rstrip())
            for n in numbers:
                notes.add(paragraph, format_citation(cited[n]))
                written += 1
            pos = m.end()
        _add_inline(paragraph, content[pos:])
    return written


def to_docx(
    answers: Sequence[Answer], path: Path, *, title: str = "Answers from the submissions"
) -> Path:
    """Write the answers to ``path`` as a Word document whose citations are real footnotes."""
    document = new_docx()
    notes = _Footnotes(document)
    document.core_properties.title = title
    document.add_heading(title, level=1)
    document.add_paragraph(f"Exported on {date.today().isoformat()}.")
    total = 0
    for answer in answers:
        document.add_heading(_xml_safe(answer.question), level=2)
        total += _add_answer(document, notes, answer)
    document.save(str(path))
    logger.info("exported %d answer(s) with %d footnote(s) to %s", len(answers), total, path)
    return path
