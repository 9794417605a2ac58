"""Write small real .docx files with python-docx (plus raw WordprocessingML where it has no API).

Each helper adds one feature to a ``docx.Document``; the ``build_*`` functions combine them
into the files the parser tests read. Everything is written into the caller's ``tmp_path``.
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = (
    nsdecls("w", "r", "wp", "a", "pic")
    + ' xmlns:v="urn:schemas-microsoft-com:vml"'
    + ' xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    + ' xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
)


def new_document():
    """Return an empty python-docx document (default template, no paragraphs)."""
    document = docx.Document()
    body = document.element.body
    for paragraph in list(body.iterchildren(qn("w:p"))):
        body.remove(paragraph)
    return document


def save(document, path: Path) -> Path:
    """Save the document and return its path."""
    document.save(str(path))
    return path


def add_xml(document, xml: str):
    """Append a raw body element (w:p, w:tbl, w:sdt...); declare namespaces with ``NS``."""
    element = parse_xml(xml)
    document.element.body.sectPr.addprevious(element)
    return element


def paragraph_xml(inner: str) -> str:
    """Return a w:p element with the namespace declarations the fragments need."""
    return f"<w:p {NS}>{inner}</w:p>"


def run(text: str) -> str:
    """Return a w:r with one w:t (spaces preserved)."""
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


# --- numbering -------------------------------------------------------------------------------


def add_list(
    document,
    abstract_id: int,
    levels: list[tuple[str, str]],
    *,
    start: int = 1,
    restarts: dict[int, int] | None = None,
) -> None:
    """Add an abstract list: one (numFmt, lvlText) per level, e.g. ("decimal", "%1.")."""
    lvls = []
    for ilvl, (fmt, text) in enumerate(levels):
        restart = ""
        if restarts and ilvl in restarts:
            restart = f'<w:lvlRestart w:val="{restarts[ilvl]}"/>'
        lvls.append(
            f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
            f'{restart}<w:lvlText w:val="{text}"/></w:lvl>'
        )
    numbering = document.part.numbering_part.element
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">{"".join(lvls)}'
        "</w:abstractNum>"
    )
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)


def add_num(document, num_id: int, abstract_id: int, *, start_overrides=None) -> None:
    """Add a list instance (w:num), optionally restarting levels ({ilvl: start})."""
    overrides = "".join(
        f'<w:lvlOverride w:ilvl="{ilvl}"><w:startOverride w:val="{value}"/></w:lvlOverride>'
        for ilvl, value in (start_overrides or {}).items()
    )
    document.part.numbering_part.element.append(
        parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>'
            f"{overrides}</w:num>"
        )
    )


def numbered(document, text: str, num_id: int, ilvl: int = 0, style: str | None = None):
    """Append a paragraph numbered by Word (the number is not in the text)."""
    style_xml = f'<w:pStyle w:val="{style}"/>' if style else ""
    return add_xml(
        document,
        paragraph_xml(
            f'<w:pPr>{style_xml}<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/>'
            f"</w:numPr></w:pPr>{run(text)}"
        ),
    )


# --- notes, links, revisions, boxes ----------------------------------------------------------


def add_notes(
    document, kind: str, notes: dict[int, str], links: dict[int, tuple[str, str]] | None = None
) -> None:
    """Add a footnotes or endnotes part: the separators, then each note's text (and link)."""
    tag = f"w:{kind}"
    content_type = CT.WML_FOOTNOTES if kind == "footnote" else CT.WML_ENDNOTES
    part = Part(PackURI(f"/word/{kind}s.xml"), content_type, b"", document.part.package)
    items = [
        f'<{tag} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></{tag}>',
        f'<{tag} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
        f"</w:r></w:p></{tag}>",
    ]
    for note_id, text in notes.items():
        link = ""
        if links and note_id in links:
            link_text, url = links[note_id]
            rid = part.relate_to(url, RT.HYPERLINK, is_external=True)
            link = f'<w:hyperlink r:id="{rid}">{run(link_text)}</w:hyperlink>'
        items.append(
            f'<{tag} w:id="{note_id}"><w:p><w:r><w:{kind}Ref/></w:r>{run(" " + text)}{link}'
            f"</w:p></{tag}>"
        )
    part._blob = f"<{tag}s {NS}>{''.join(items)}</{tag}s>".encode()
    document.part.relate_to(part, RT.FOOTNOTES if kind == "footnote" else RT.ENDNOTES)


def note_ref(kind: str, note_id: int, *, custom_mark: str = "") -> str:
    """Return a run holding a footnote/endnote reference (and a custom mark run if given)."""
    if custom_mark:
        return f'<w:r><w:{kind}Reference w:customMarkFollows="1" w:id="{note_id}"/></w:r>' + run(
            custom_mark
        )
    return f'<w:r><w:{kind}Reference w:id="{note_id}"/></w:r>'


def hyperlink(document, text: str, url: str) -> str:
    """Return a w:hyperlink to an external URL (its relationship is added to the document)."""
    rid = document.part.relate_to(url, RT.HYPERLINK, is_external=True)
    return f'<w:hyperlink r:id="{rid}">{run(text)}</w:hyperlink>'


def field(instruction: str, result: str) -> str:
    """Return a complex field: begin, the code, separate, the result, end."""
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"{run(result)}"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def inserted(text: str) -> str:
    """Return a tracked insertion."""
    return f'<w:ins w:id="91" w:author="A" w:date="2024-01-01T00:00:00Z">{run(text)}</w:ins>'


def deleted(text: str) -> str:
    """Return a tracked deletion."""
    return (
        '<w:del w:id="92" w:author="A" w:date="2024-01-01T00:00:00Z">'
        f'<w:r><w:delText xml:space="preserve">{text}</w:delText></w:r></w:del>'
    )


def text_box(text: str) -> str:
    """Return a run anchoring a text box, DrawingML with a VML fallback (as Word writes it)."""
    content = f"<w:txbxContent><w:p>{run(text)}</w:p></w:txbxContent>"
    return (
        "<w:r><mc:AlternateContent>"
        '<mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData '
        'uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f"<wps:wsp><wps:txbx>{content}</wps:txbx></wps:wsp>"
        "</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict><v:shape><v:textbox>{content}</v:textbox></v:shape></w:pict>"
        "</mc:Fallback></mc:AlternateContent></w:r>"
    )


# --- whole files -----------------------------------------------------------------------------


def build_headings(path: Path) -> Path:
    """Title, nested headings (1 > 2 > 3, back to 2, a new 1) and body text under each."""
    document = new_document()
    document.add_paragraph("Submission on policing", style="Title")
    document.add_heading("Introduction", level=1)
    document.add_paragraph("Opening words.")
    document.add_heading("Context", level=2)
    document.add_heading("Statistics", level=3)
    document.add_paragraph("Numbers here.")
    document.add_heading("Law", level=2)
    document.add_paragraph("Legal framework.")
    document.add_heading("Recommendations", level=1)
    document.add_paragraph("We recommend.")
    return save(document, path)


def build_typed_numbers(path: Path) -> Path:
    """Typed paragraph numbers "1." "2." with typed "(a)" "(b)" items under paragraph 2."""
    document = new_document()
    document.add_heading("Observations", level=1)
    document.add_paragraph("1. The State reports progress.")
    document.add_paragraph("2. The State should:")
    document.add_paragraph("(a) train officers;")
    document.add_paragraph("(b) publish data.")
    document.add_paragraph("A paragraph without a number.")
    document.add_paragraph("1.5 million people live there.")
    return save(document, path)


def build_table(path: Path) -> Path:
    """A paragraph, then a 3-row table whose first row is the header, then a second table."""
    document = new_document()
    document.add_paragraph("Before the tables.")
    table = document.add_table(rows=3, cols=3)
    for r, values in enumerate(
        [("Year", "Stops", "Searches"), ("2013", "100", "10"), ("2014", "120", "")]
    ):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    document.add_paragraph("Between the tables.")
    second = document.add_table(rows=2, cols=2)
    second.cell(0, 0).merge(second.cell(0, 1)).text = "Merged header"
    second.cell(1, 0).text = "left"
    second.cell(1, 1).text = "right"
    return save(document, path)


def build_empty(path: Path) -> Path:
    """A valid .docx with only empty paragraphs."""
    document = new_document()
    document.add_paragraph("")
    document.add_paragraph("   ")
    return save(document, path)
