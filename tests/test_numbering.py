"""Printed labels: Word auto-numbering computed from numbering.xml, and typed numbers."""

from __future__ import annotations

from pathlib import Path

import docx_builders as b
import pytest

from ingest.docx import read_docx
from ingest.labels import LabelCiter, parse_typed_label
from ingest.numbering import format_number
from ingest.types import Document

LETTERED = [("decimal", "%1."), ("lowerLetter", "(%2)"), ("lowerRoman", "(%3)")]


def labels(document: Document) -> list[tuple[str, str]]:
    return [(blk.text, blk.label) for blk in document.blocks if blk.kind == "paragraph"]


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (3, "decimal", "3"),
        (1, "lowerLetter", "a"),
        (27, "lowerLetter", "aa"),
        (2, "upperLetter", "B"),
        (4, "lowerRoman", "iv"),
        (1994, "upperRoman", "MCMXCIV"),
        (7, "decimalZero", "07"),
        (2, "chicago", "\u2020"),
        (5, "chicago", "**"),
        (5, "bullet", ""),
        (5, "ordinalText", "5"),  # unknown formats fall back to digits
    ],
)
def test_numbers_are_written_in_word_formats(value: int, fmt: str, expected: str) -> None:
    assert format_number(value, fmt) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12. The Committee", "12"),
        ("12) The Committee", "12"),
        ("12.3. Sub-paragraph", "12.3"),
        ("12.\tTabbed", "12"),
        ("(a) train officers", "a"),
        ("a) train officers", "a"),
        ("(iv) fourth", "iv"),
        ("IV. Recommendations", "IV"),
        ("7.", "7"),
        ("1.5 million people", ""),
        ("2015 was a year", ""),
        ("Article 12. Scope", ""),
        ("", ""),
    ],
)
def test_typed_labels_are_read_from_the_paragraph_start(text: str, expected: str) -> None:
    assert parse_typed_label(text) == expected


@pytest.mark.parametrize(
    ("sequence", "expected"),
    [
        (
            ["12", "a", "b", "i", "ii", "c", "13", "a"],
            ["12", "12(a)", "12(b)", "12(b)(i)", "12(b)(ii)", "12(c)", "13", "13(a)"],
        ),
        (  # "(i)" straight after "(h)" is the ninth letter, not a roman one
            ["1", "g", "h", "i", "j"],
            ["1", "1(g)", "1(h)", "1(i)", "1(j)"],
        ),
        (
            ["a", "i", "ii", "iii", "iv", "v", "b"],
            ["a", "a(i)", "a(ii)", "a(iii)", "a(iv)", "a(v)", "b"],
        ),
        (["3", "IV", "A", "3.2"], ["3", "IV", "A", "3.2"]),
        (  # numbered items restarting under a letter nest under it
            ["7.1", "a", "1", "2", "b", "1", "7.2"],
            ["7.1", "7.1(a)", "7.1(a)(1)", "7.1(a)(2)", "7.1(b)", "7.1(b)(1)", "7.2"],
        ),
        (["12", "a", "b", "13", "1"], ["12", "12(a)", "12(b)", "13", "1"]),
    ],
)
def test_sub_items_are_cited_under_their_paragraph(
    sequence: list[str], expected: list[str]
) -> None:
    citer = LabelCiter()
    assert [citer.cite(label) for label in sequence] == expected


def test_parenthesized_numbers_are_cited_under_a_numbered_heading() -> None:
    citer = LabelCiter()
    citer.reset("49")  # the heading "49. Rights of arrested persons"
    cited = [
        citer.cite("1", parenthesized=True),
        citer.cite("a"),
        citer.cite("i"),
        citer.cite("ii"),
        citer.cite("b"),
        citer.cite("2", parenthesized=True),
    ]
    assert cited == ["49(1)", "49(1)(a)", "49(1)(a)(i)", "49(1)(a)(ii)", "49(1)(b)", "49(2)"]


def test_auto_numbering_continues_across_headings_and_nests_under_parent(tmp_path: Path) -> None:
    document = b.new_document()
    b.add_list(document, 10, LETTERED)
    b.add_num(document, 101, 10)
    b.numbered(document, "First", 101)
    document.add_heading("Another section", level=1)
    b.numbered(document, "Second", 101)
    b.numbered(document, "Sub a", 101, 1)
    b.numbered(document, "Sub b", 101, 1)
    b.numbered(document, "Deep", 101, 2)
    b.numbered(document, "Third", 101)
    b.numbered(document, "Sub again", 101, 1)
    parsed = read_docx(b.save(document, tmp_path / "auto.docx"))
    assert labels(parsed) == [
        ("First", "1"),
        ("Second", "2"),
        ("Sub a", "2(a)"),
        ("Sub b", "2(b)"),
        ("Deep", "2(b)(i)"),
        ("Third", "3"),
        ("Sub again", "3(a)"),
    ]


def test_start_override_restarts_a_list_and_instances_share_their_counter(
    tmp_path: Path,
) -> None:
    document = b.new_document()
    b.add_list(document, 10, LETTERED)
    b.add_num(document, 101, 10)
    b.add_num(document, 102, 10)  # same list, no override: continues
    b.add_num(document, 103, 10, start_overrides={0: 1})  # "Restart numbering"
    b.add_num(document, 104, 10, start_overrides={0: 7})  # "Set numbering value" to 7
    b.numbered(document, "One", 101)
    b.numbered(document, "Two", 101)
    b.numbered(document, "Continued", 102)
    b.numbered(document, "Restarted", 103)
    b.numbered(document, "After restart", 103)
    b.numbered(document, "Seven", 104)
    b.numbered(document, "Eight", 104)
    parsed = read_docx(b.save(document, tmp_path / "restart.docx"))
    assert labels(parsed) == [
        ("One", "1"),
        ("Two", "2"),
        ("Continued", "3"),
        ("Restarted", "1"),
        ("After restart", "2"),
        ("Seven", "7"),
        ("Eight", "8"),
    ]


def test_multilevel_text_and_level_restart_rules(tmp_path: Path) -> None:
    document = b.new_document()
    b.add_list(document, 20, [("decimal", "%1."), ("decimal", "%1.%2.")])
    b.add_list(document, 30, [("decimal", "%1."), ("lowerLetter", "%2)")], restarts={1: 0})
    b.add_num(document, 201, 20)
    b.add_num(document, 301, 30)
    for text, num, level in [
        ("Chapter", 201, 0), ("Section", 201, 1), ("Section two", 201, 1), ("Chapter two", 201, 0),
        ("Section again", 201, 1), ("Para", 301, 0), ("Item", 301, 1), ("Para two", 301, 0),
        ("Item continues", 301, 1),
    ]:  # fmt: skip
        b.numbered(document, text, num, level)
    parsed = read_docx(b.save(document, tmp_path / "multi.docx"))
    assert labels(parsed) == [
        ("Chapter", "1"),
        ("Section", "1.1"),
        ("Section two", "1.2"),
        ("Chapter two", "2"),
        ("Section again", "2.1"),
        ("Para", "1"),
        ("Item", "1(a)"),
        ("Para two", "2"),
        ("Item continues", "2(b)"),  # w:lvlRestart 0: never restarts
    ]


def test_bullets_get_no_label_and_numbers_are_not_put_in_the_text(tmp_path: Path) -> None:
    document = b.new_document()
    b.add_list(document, 40, [("bullet", "\u2022")])
    b.add_num(document, 401, 40)
    b.numbered(document, "A bullet", 401)
    document.add_paragraph("Styled one", style="List Number")
    document.add_paragraph("Plain paragraph between.")
    document.add_paragraph("Styled two", style="List Number")
    parsed = read_docx(b.save(document, tmp_path / "bullets.docx"))
    assert labels(parsed) == [
        ("A bullet", ""),
        ("Styled one", "1"),  # numbering taken from the paragraph style
        ("Plain paragraph between.", ""),
        ("Styled two", "2"),
    ]
    assert parsed.text == "A bullet\n\nStyled one\n\nPlain paragraph between.\n\nStyled two"


def test_typed_sub_items_are_cited_under_the_auto_numbered_paragraph(tmp_path: Path) -> None:
    document = b.new_document()
    b.add_list(document, 50, [("decimal", "%1.")], start=12)
    b.add_num(document, 501, 50)
    b.numbered(document, "Calls upon States:", 501)
    document.add_paragraph("(a) to train officers;")
    document.add_paragraph("(b) to publish data;")
    document.add_heading("Next part", level=1)
    document.add_paragraph("(a) not under paragraph 12.")
    parsed = read_docx(b.save(document, tmp_path / "mixed.docx"))
    assert labels(parsed) == [
        ("Calls upon States:", "12"),
        ("(a) to train officers;", "12(a)"),
        ("(b) to publish data;", "12(b)"),
        ("(a) not under paragraph 12.", "a"),
    ]


def test_list_borrowing_a_numbering_style_uses_that_styles_levels(tmp_path: Path) -> None:
    document = b.new_document()
    document.styles.element.append(
        b.parse_xml(
            f'<w:style {b.nsdecls("w")} w:type="numbering" w:styleId="OutlineList">'
            '<w:name w:val="Outline List"/><w:pPr><w:numPr><w:numId w:val="601"/></w:numPr>'
            "</w:pPr></w:style>"
        )
    )
    b.add_list(document, 60, [("upperRoman", "%1.")])
    numbering = document.part.numbering_part.element
    numbering.find(b.qn("w:num")).addprevious(
        b.parse_xml(
            f'<w:abstractNum {b.nsdecls("w")} w:abstractNumId="61">'
            '<w:numStyleLink w:val="OutlineList"/></w:abstractNum>'
        )
    )
    b.add_num(document, 601, 60)
    b.add_num(document, 602, 61)
    b.numbered(document, "Borrowed one", 602)
    b.numbered(document, "Borrowed two", 602)
    parsed = read_docx(b.save(document, tmp_path / "stylelink.docx"))
    assert labels(parsed) == [("Borrowed one", "I"), ("Borrowed two", "II")]
