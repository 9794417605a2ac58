"""Export: Word files with real footnotes, Markdown footnotes, the UN citation style."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from assistant.exports import answer as export
from assistant.types import Answer, Citation

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
FOOTNOTES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"


def citation(n: int, **changes: object) -> Citation:
    values: dict = {
        "n": n,
        "passage_id": f"p{n}",
        "submission_key": "State_France_Code.docx",
        "file": "State_France_Code.docx",
        "title": "Code de déontologie",
        "submitter": "France",
        "submitter_type": "State",
        "country": "France",
        "language": "fr",
        "heading_path": ("Titre I",),
        "paragraphs": ("14",),
        "locator": "para. 14",
        "footnotes": ("7",),
        "quote": "Le policier est au service de la population.",
        "char_start": 10,
        "char_end": 55,
    }
    values.update(changes)
    return Citation(**values)


def answer(question: str = "Who serves the population?") -> Answer:
    ngo = citation(
        2,
        submitter="Campaign Zero",
        submitter_type="NGO/civil society",
        country="United States",
        language="en",
        locator="table 2, row 3",
        footnotes=(),
        quote="Secret figures about stops.",
        confidential=True,
    )
    text = (
        "2 submitters address this question:\n\n"
        "• France (State) — para. 14: “Le policier est au service de la population.” [1] [FR]\n"
        "• Campaign Zero (NGO, United States) — “Secret figures about stops.” [2]"
    )
    return Answer(question, (), (), True, text=text, citations=(citation(1), ngo))


def footnote_texts(path: Path) -> list[str]:
    """Return the text of each real footnote (ids >= 1) in a .docx."""
    with zipfile.ZipFile(path) as package:
        root = etree.fromstring(package.read("word/footnotes.xml"))
    notes = [n for n in root.iter(f"{W}footnote") if int(n.get(f"{W}id")) >= 1]
    return ["".join(t.text or "" for t in n.iter(f"{W}t")).strip() for n in notes]


def test_citation_reads_in_un_style_with_language_tag() -> None:
    assert export.format_citation(citation(1)) == (
        "Submission of France (State), para. 14, fn. 7 — "
        "“Le policier est au service de la population.” [FR]"
    )


def test_citation_of_an_ngo_names_its_country_and_omits_english_tag() -> None:
    c = citation(1, submitter="Campaign Zero", submitter_type="NGO/civil society",
                 country="United States", language="en", footnotes=())  # fmt: skip
    assert export.format_citation(c) == (
        "Submission of Campaign Zero (NGO/civil society, United States), para. 14 — "
        "“Le policier est au service de la population.”"
    )


def test_confidential_submission_is_cited_without_its_words() -> None:
    text = export.format_citation(citation(1, confidential=True))
    assert "Le policier" not in text
    assert "confidential" in text


def test_long_quote_is_shortened_with_an_ellipsis_at_a_word_boundary() -> None:
    quote = "word " * 400
    short = export.shorten(quote, limit=50)
    assert short.endswith(" …")
    assert len(short) <= 52
    assert quote.startswith(short[:-2])


def test_word_export_has_a_real_footnote_for_each_marker(tmp_path: Path) -> None:
    path = export.to_docx([answer()], tmp_path / "answer.docx")

    document = docx.Document(str(path))
    rels = [r for r in document.part.rels.values() if r.reltype == FOOTNOTES_REL]
    assert len(rels) == 1, "the document part must relate to a footnotes part"
    refs = document.element.body.findall(f".//{W}footnoteReference")
    assert [r.get(f"{W}id") for r in refs] == ["1", "2"]
    notes = footnote_texts(path)
    assert notes[0] == export.format_citation(citation(1))
    assert notes[1].startswith("Submission of Campaign Zero (NGO/civil society, United States)")
    assert "Secret figures" not in notes[1]


def test_word_export_never_shows_a_confidential_quote(tmp_path: Path) -> None:
    path = export.to_docx([answer()], tmp_path / "answer.docx")
    body = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "Secret figures" not in body
    assert "Le policier est au service de la population." in body
    assert "[1]" not in body, "markers become footnote references"


def test_conversation_export_numbers_footnotes_across_turns(tmp_path: Path) -> None:
    path = export.to_docx([answer("First?"), answer("Second?")], tmp_path / "all.docx")
    document = docx.Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[1:] == ["First?", "Second?"]
    assert len(footnote_texts(path)) == 4


def test_markdown_export_uses_footnotes_and_withholds_confidential_quotes() -> None:
    md = export.to_markdown([answer("First?"), answer("Second?")])
    assert "## First?" in md
    assert "“Le policier est au service de la population.” [^1]" in md
    assert "[^4]" in md, "the second turn continues the numbering"
    assert "[^1]: Submission of France (State), para. 14, fn. 7 — “Le policier" in md
    assert "Secret figures" not in md
    assert "- France (State)" in md, "bullets become Markdown list items"


@pytest.mark.parametrize("text", ["See [3](https://example.org)", "Tags [FR] stay"])
def test_markdown_leaves_links_and_language_tags_alone(text: str) -> None:
    a = Answer("Q", (), (), True, text=text, citations=(citation(3),))
    md = export.to_markdown([a])
    assert text in md


def test_control_characters_do_not_break_the_word_file(tmp_path: Path) -> None:
    bad = citation(1, quote="odd\x0bvertical tab")
    a = Answer("Q\x07?", (), (), True, text="• x [1]", citations=(bad,))
    path = export.to_docx([a], tmp_path / "odd.docx")
    assert docx.Document(str(path)).paragraphs
