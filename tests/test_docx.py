"""read_docx on real .docx files written by the builders, the samples and the real corpus."""

from __future__ import annotations

import json
import os
from pathlib import Path

import docx_builders as b
import pytest

from ingest.docx import read_docx
from ingest.types import Document

GOLDEN = Path(__file__).parent / "golden"


def assert_offsets(document: Document) -> None:
    """Every block (and link) is an exact slice of the canonical text, in order."""
    previous_end = -2
    for block in document.blocks:
        assert document.text[block.char_start : block.char_end] == block.text
        assert block.text
        assert "\n\n" not in block.text
        assert block.char_start == previous_end + 2
        previous_end = block.char_end
        for link in block.links:
            assert document.text[link.char_start : link.char_end] == link.text
            assert block.char_start <= link.char_start < link.char_end <= block.char_end
    assert previous_end == len(document.text)


def by_text(document: Document, start: str):
    return next(block for block in document.blocks if block.text.startswith(start))


def test_heading_path_follows_nested_headings(tmp_path: Path) -> None:
    document = read_docx(b.build_headings(tmp_path / "h.docx"))
    assert_offsets(document)
    title = "Submission on policing"
    assert by_text(document, title).kind == "heading"
    assert by_text(document, title).level == 0
    assert by_text(document, "Numbers here").heading_path == (
        title,
        "Introduction",
        "Context",
        "Statistics",
    )
    assert by_text(document, "Legal framework").heading_path == (title, "Introduction", "Law")
    law = by_text(document, "Law")
    assert (law.kind, law.level, law.heading_path) == ("heading", 2, (title, "Introduction", "Law"))
    assert by_text(document, "We recommend").heading_path == (title, "Recommendations")


def test_headings_come_from_outline_levels_and_inherited_styles(tmp_path: Path) -> None:
    document = b.new_document()
    styles = document.styles
    localized = styles.add_style("Titre 1", 1)  # a localized style based on Heading 1
    localized.base_style = styles["Heading 1"]
    document.add_paragraph("Première partie", style="Titre 1")
    document.add_paragraph("Texte.")
    b.add_xml(
        document,
        b.paragraph_xml('<w:pPr><w:outlineLvl w:val="1"/></w:pPr>' + b.run("Outlined")),
    )
    document.add_paragraph("Under the outline.")
    styles.add_style("Überschrift 3", 1)  # a localized name stored by a non-Word producer
    document.add_paragraph("Abschnitt", style="Überschrift 3")
    parsed = read_docx(b.save(document, tmp_path / "styles.docx"))
    assert by_text(parsed, "Première").level == 1
    assert by_text(parsed, "Under the outline").heading_path == ("Première partie", "Outlined")
    assert by_text(parsed, "Abschnitt").heading_path == ("Première partie", "Outlined", "Abschnitt")


def test_typed_numbers_become_labels_and_stay_in_the_text(tmp_path: Path) -> None:
    document = read_docx(b.build_typed_numbers(tmp_path / "typed.docx"))
    assert_offsets(document)
    labels = [(blk.label, blk.text[:12]) for blk in document.blocks if blk.kind == "paragraph"]
    assert labels == [
        ("1", "1. The State"),
        ("2", "2. The State"),
        ("2(a)", "(a) train of"),
        ("2(b)", "(b) publish "),
        ("", "A paragraph "),
        ("", "1.5 million "),
    ]


def test_table_rows_are_numbered_after_the_header_row(tmp_path: Path) -> None:
    document = read_docx(b.build_table(tmp_path / "table.docx"))
    assert_offsets(document)
    rows = [blk for blk in document.blocks if blk.kind == "table_row"]
    assert [(r.table, r.row, r.text) for r in rows] == [
        (1, 0, "Year | Stops | Searches"),
        (1, 1, "2013 | 100 | 10"),
        (1, 2, "2014 | 120"),
        (2, 0, "Merged header"),
        (2, 1, "left | right"),
    ]
    assert rows[1].header == ("Year", "Stops", "Searches")
    assert by_text(document, "Between").kind == "paragraph"


def test_marked_header_rows_nested_tables_and_notes_in_cells(tmp_path: Path) -> None:
    document = b.new_document()
    table = document.add_table(rows=4, cols=2)
    for index in (0, 1):  # two rows marked "Repeat as header row"
        table.rows[index]._tr.get_or_add_trPr().append(b.parse_xml(f"<w:tblHeader {b.NS}/>"))
    table.cell(0, 0).merge(table.cell(0, 1)).text = "Police data"
    table.cell(1, 0).text, table.cell(1, 1).text = "City", "Detail"
    table.cell(2, 0).text = "Ferguson"
    inner = table.cell(2, 1).add_table(rows=2, cols=2)
    for (r, c), value in {(0, 0): "stops", (0, 1): "85%", (1, 0): "arrests", (1, 1): "93%"}.items():
        inner.cell(r, c).text = value
    table.cell(3, 0).text = "Source"
    table.cell(3, 1)._tc.append(b.parse_xml(b.paragraph_xml(b.note_ref("footnote", 1))))
    b.add_notes(document, "footnote", {1: "DOJ report, 2015."})
    parsed = read_docx(b.save(document, tmp_path / "nested.docx"))
    assert_offsets(parsed)
    rows = [(x.row, x.text, x.footnotes) for x in parsed.blocks if x.kind == "table_row"]
    assert rows == [
        (0, "Police data", ()),
        (0, "City | Detail", ()),
        (1, "Ferguson | stops | 85%\narrests | 93%", ()),
        (2, "Source", ("1",)),
    ]
    assert parsed.blocks[2].header == ("City", "Detail")
    assert parsed.notes()["1"].text == "DOJ report, 2015."


def test_footnotes_follow_the_body_numbered_in_reference_order(tmp_path: Path) -> None:
    document = b.new_document()
    document.add_heading("Findings", level=1)
    b.add_xml(
        document,
        b.paragraph_xml(
            b.run("Stops rose")
            + b.note_ref("footnote", 7)
            + b.run(" and searches fell")
            + b.note_ref("footnote", 3)
            + b.run(".")
        ),
    )
    b.add_xml(document, b.paragraph_xml(b.run("Again") + b.note_ref("footnote", 7)))
    b.add_notes(document, "footnote", {3: "Second source.", 7: "First source."})
    parsed = read_docx(b.save(document, tmp_path / "notes.docx"))
    assert_offsets(parsed)
    body = by_text(parsed, "Stops rose")
    assert body.text == "Stops rose and searches fell."  # reference marks are not copied
    assert body.footnotes == ("1", "2")
    assert by_text(parsed, "Again").footnotes == ("1",)
    notes = [blk for blk in parsed.blocks if blk.kind == "footnote"]
    assert [(n.label, n.text) for n in notes] == [("1", "First source."), ("2", "Second source.")]
    assert notes[0].heading_path == ("Findings",)
    assert parsed.notes()["2"].text == "Second source."
    assert parsed.blocks[-1] is notes[-1] or parsed.blocks[-1].kind == "footnote"


def test_custom_mark_footnote_is_labelled_with_its_mark(tmp_path: Path) -> None:
    document = b.new_document()
    b.add_xml(
        document,
        b.paragraph_xml(
            b.run("Starred") + b.note_ref("footnote", 1, custom_mark="*") + b.run(" then")
            + b.note_ref("footnote", 2)
        ),
    )  # fmt: skip
    b.add_notes(document, "footnote", {1: "Star note.", 2: "Numbered note."})
    parsed = read_docx(b.save(document, tmp_path / "mark.docx"))
    assert by_text(parsed, "Starred").text == "Starred* then"  # the mark is typed text
    assert by_text(parsed, "Starred").footnotes == ("*", "1")
    assert parsed.notes()["*"].text == "Star note."
    assert parsed.notes()["1"].text == "Numbered note."


def test_endnotes_use_roman_numbers_and_get_a_prefix_only_on_clash(tmp_path: Path) -> None:
    def build(name: str, decimal_endnotes: bool) -> Document:
        document = b.new_document()
        b.add_xml(
            document,
            b.paragraph_xml(b.run("Text") + b.note_ref("footnote", 1) + b.note_ref("endnote", 1)),
        )
        b.add_notes(document, "footnote", {1: "A footnote."})
        b.add_notes(document, "endnote", {1: "An endnote."})
        if decimal_endnotes:
            document.settings.element.append(
                b.parse_xml(
                    f'<w:endnotePr {b.nsdecls("w")}><w:numFmt w:val="decimal"/></w:endnotePr>'
                )
            )
        return read_docx(b.save(document, tmp_path / name))

    roman = build("roman.docx", decimal_endnotes=False)
    assert_offsets(roman)
    assert by_text(roman, "Text").footnotes == ("1", "i")
    assert [(x.kind, x.label) for x in roman.blocks[1:]] == [("footnote", "1"), ("endnote", "i")]
    clash = build("clash.docx", decimal_endnotes=True)
    assert by_text(clash, "Text").footnotes == ("1", "e1")
    assert clash.notes()["e1"].text == "An endnote."


def test_hyperlinks_keep_their_text_and_url(tmp_path: Path) -> None:
    document = b.new_document()
    b.add_xml(
        document,
        b.paragraph_xml(
            b.run("See ")
            + b.hyperlink(document, "the report", "https://example.org/report")
            + b.run(" and ")
            + b.field('HYPERLINK "https://example.org/data"', "the data")
            + b.run(".")
            + b.note_ref("footnote", 1)
        ),
    )
    b.add_notes(
        document, "footnote", {1: "Source: "}, links={1: ("OHCHR", "https://www.ohchr.org/")}
    )
    parsed = read_docx(b.save(document, tmp_path / "links.docx"))
    assert_offsets(parsed)
    body = by_text(parsed, "See")
    assert body.text == "See the report and the data."
    assert [(link.text, link.url) for link in body.links] == [
        ("the report", "https://example.org/report"),
        ("the data", "https://example.org/data"),
    ]
    note = parsed.notes()["1"]
    assert note.text == "Source: OHCHR"
    assert [(link.text, link.url) for link in note.links] == [("OHCHR", "https://www.ohchr.org/")]


def test_tracked_insertions_are_kept_and_deletions_dropped(tmp_path: Path) -> None:
    document = b.new_document()
    b.add_xml(
        document,
        b.paragraph_xml(
            b.run("Police ") + b.deleted("never ") + b.inserted("always ") + b.run("report.")
        ),
    )
    b.add_xml(
        document,
        b.paragraph_xml(
            '<w:moveFrom w:id="5" w:author="A">' + b.run("Moved away.") + "</w:moveFrom>"
            '<w:moveTo w:id="6" w:author="A">' + b.run("Moved here.") + "</w:moveTo>"
        ),
    )
    b.add_xml(
        document,
        b.paragraph_xml(
            '<w:pPr><w:rPr><w:del w:id="7" w:author="A"/></w:rPr></w:pPr>' + b.run("Joined ")
        ),
    )
    document.add_paragraph("to the next paragraph.")
    parsed = read_docx(b.save(document, tmp_path / "tracked.docx"))
    assert parsed.text == ("Police always report.\n\nMoved here.\n\nJoined to the next paragraph.")


def test_field_codes_are_dropped_and_results_kept(tmp_path: Path) -> None:
    document = b.new_document()
    b.add_xml(
        document,
        b.paragraph_xml(
            b.run("Printed on ")
            + b.field(r'DATE \@ "d MMMM yyyy"', "1 May 2024")
            + b.run(", page ")
            + '<w:fldSimple w:instr=" PAGE ">' + b.run("3") + "</w:fldSimple>"
            + b.field('ADDIN CSL_CITATION {"citationItems":[]}', "(Smith, 2020)")
        ),
    )  # fmt: skip
    parsed = read_docx(b.save(document, tmp_path / "fields.docx"))
    assert parsed.text == "Printed on 1 May 2024, page 3(Smith, 2020)"


def test_text_box_text_appears_once_after_its_anchor(tmp_path: Path) -> None:
    document = b.new_document()
    b.add_xml(document, b.paragraph_xml(b.run("Anchor paragraph.") + b.text_box("Boxed text")))
    document.add_paragraph("After the box.")
    parsed = read_docx(b.save(document, tmp_path / "box.docx"))
    assert_offsets(parsed)
    assert [blk.text for blk in parsed.blocks] == [
        "Anchor paragraph.",
        "Boxed text",
        "After the box.",
    ]


def test_content_controls_hidden_text_breaks_and_tabs(tmp_path: Path) -> None:
    document = b.new_document()
    b.add_xml(
        document,
        f"<w:sdt {b.NS}><w:sdtPr><w:alias w:val='Name'/></w:sdtPr><w:sdtContent>"
        f"<w:p>{b.run('In a block control.')}</w:p></w:sdtContent></w:sdt>",
    )
    b.add_xml(
        document,
        b.paragraph_xml(
            b.run("Line one")
            + "<w:r><w:br/></w:r>"
            + b.run("line\u00a0two")
            + "<w:r><w:tab/></w:r>"
            + "<w:sdt><w:sdtContent>" + b.run("inline control") + "</w:sdtContent></w:sdt>"
            + '<w:r><w:rPr><w:vanish/></w:rPr><w:t>secret</w:t></w:r>'
            + "<w:r><w:noBreakHyphen/></w:r>" + b.run("end")
        ),
    )  # fmt: skip
    parsed = read_docx(b.save(document, tmp_path / "controls.docx"))
    assert_offsets(parsed)
    assert [blk.text for blk in parsed.blocks] == [
        "In a block control.",
        "Line one\nline\u00a0two\tinline control-end",
    ]


def test_properties_hold_core_fields_and_first_page_text(tmp_path: Path) -> None:
    document = b.new_document()
    document.core_properties.title = "Submission of Ruritania"
    document.core_properties.author = "Ministry of Justice"
    document.add_paragraph("Submission of the Government of Ruritania.")
    parsed = read_docx(b.save(document, tmp_path / "props.docx"))
    assert parsed.properties["title"] == "Submission of Ruritania"
    assert parsed.properties["author"] == "Ministry of Justice"
    assert parsed.properties["created"][:4].isdigit()
    assert parsed.properties["first_page_text"].startswith("Submission of the Government")


# --- samples, real corpus, golden files ------------------------------------------------------


def test_offsets_hold_on_every_sample_submission(samples_dir: Path) -> None:
    files = sorted(samples_dir.glob("*.docx"))
    assert files
    for path in files:
        assert_offsets(read_docx(path))


def test_offsets_hold_on_every_real_corpus_document(real_corpus: Path) -> None:
    files = sorted(real_corpus.glob("*.docx"))
    assert files
    for path in files:
        assert_offsets(read_docx(path))


def _summary(document: Document) -> list[dict]:
    # The first blocks, the first rows of each table and every note: enough to pin the
    # structure without copying the whole document into the golden file.
    kept = [
        blk
        for index, blk in enumerate(document.blocks)
        if index < 60 or blk.kind in ("footnote", "endnote") or (blk.table and blk.row <= 4)
    ]
    return [
        {
            "kind": blk.kind,
            "label": blk.label,
            "level": blk.level,
            "heading_path": list(blk.heading_path),
            "footnotes": list(blk.footnotes),
            "table": blk.table,
            "row": blk.row,
            "span": [blk.char_start, blk.char_end],
            "starts": blk.text[:40],
        }
        for blk in kept
    ]


@pytest.mark.parametrize(
    "name",
    [
        "NGO_CampaignZero_UnitedStates.docx",
        "State_Peru_Ley-30714-regimen-disciplinario-PNP.docx",
        "State_UnitedStates_WhiteHouse-FactSheet-EO14074-2024.docx",
    ],
)
def test_sample_parses_as_in_its_golden_file(samples_dir: Path, name: str) -> None:
    summary = _summary(read_docx(samples_dir / name))
    golden = GOLDEN / f"docx_{Path(name).stem}.json"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        lines = ",\n".join(json.dumps(row, ensure_ascii=False) for row in summary)
        golden.write_text(f"[\n{lines}\n]\n", "utf-8")
    if not golden.exists():
        pytest.fail(f"{golden.name} is missing: run UPDATE_GOLDEN=1 pytest and review the diff")
    assert summary == json.loads(golden.read_text("utf-8"))
