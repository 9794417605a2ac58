"""Every odd .docx in ../shared/corpus/odd-docx parses or fails with a clear IngestError."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_docx import assert_offsets

from ingest.docx import read_docx
from ingest.errors import CorruptFileError, EmptyDocumentError, IngestError
from ingest.types import Document


@pytest.fixture(scope="module")
def outcomes(odd_corpus: Path) -> dict[str, Document | IngestError]:
    """Parse every odd file once: a Document, or the IngestError it raised."""
    results: dict[str, Document | IngestError] = {}
    for path in sorted(odd_corpus.glob("*.docx")):
        try:
            results[path.name] = read_docx(path)
        except IngestError as exc:
            results[path.name] = exc
    return results


def _table(outcomes: dict[str, Document | IngestError]) -> str:
    rows = []
    for name, outcome in outcomes.items():
        if isinstance(outcome, Document):
            rows.append(f"{name[:58]:58} parsed  {len(outcome.blocks):5} blocks")
        else:
            rows.append(f"{name[:58]:58} {type(outcome).__name__}: {outcome.reason[:60]}")
    return "\n".join(rows)


def test_every_odd_file_parses_or_gives_a_reason(outcomes: dict) -> None:
    # Any other exception would have escaped the fixture and failed this test.
    assert len(outcomes) >= 30, _table(outcomes)
    for name, outcome in outcomes.items():
        if isinstance(outcome, Document):
            assert_offsets(outcome)
        else:
            assert outcome.reason.strip(), name
            assert name in str(outcome), name
    print("\n" + _table(outcomes))  # shown with pytest -s / -rP: the outcome of each file


def text_of(outcomes: dict, name: str) -> str:
    outcome = outcomes[name]
    assert isinstance(outcome, Document), f"{name}: {outcome}"
    return outcome.text


def test_truncated_zip_is_reported_as_corrupt(outcomes: dict) -> None:
    assert isinstance(outcomes["poi__truncated62886.docx"], CorruptFileError)


def test_empty_documents_are_reported_as_empty(outcomes: dict) -> None:
    assert isinstance(outcomes["mammoth__empty.docx"], EmptyDocumentError)
    # Text only in page headers and footers, which are not part of the canonical text.
    assert isinstance(outcomes["poi__EmptyDocumentWithHeaderFooter.docx"], EmptyDocumentError)


def test_external_entity_is_not_resolved(outcomes: dict) -> None:
    text = text_of(outcomes, "poi__ExternalEntityInText.docx")
    assert text == 'Here should not be the POI web site: ""'


def test_comment_text_is_left_out(outcomes: dict) -> None:
    text = text_of(outcomes, "mammoth__comments.docx")
    assert text == "Ouch."
    assert "tachyon" not in text


def test_tracked_deletions_are_left_out(outcomes: dict) -> None:
    text = text_of(outcomes, "poi__delins.docx")
    assert "A pendant worn in place of the red spot" not in text
    assert "Maang Tika" not in text
    moved = text_of(outcomes, "pandoc__track_changes_move.docx")
    assert moved.count("Here is the text to be moved.") == 1


def test_text_box_text_is_present_once(outcomes: dict) -> None:
    assert text_of(outcomes, "mammoth__text-box.docx") == "Datum plane"
    shapes = text_of(outcomes, "pandoc__text_in_shape_format.docx")
    assert "Using Microsoft Word" in shapes


def test_field_codes_do_not_leak(outcomes: dict) -> None:
    text = text_of(outcomes, "pandoc__mendeley_citations.docx")
    assert "CSL_CITATION" not in text
    assert "Hadwen-Bennett et al., 2018" in text
    assert "FORMCHECKBOX" not in text_of(outcomes, "d2p__checked_boxes.docx")


def test_relocated_main_parts_strict_ooxml_and_bodies_are_read(outcomes: dict) -> None:
    assert text_of(outcomes, "d2p__renamed_document_xml.docx") == "This is a link to my website."
    assert text_of(outcomes, "pandoc__alternate_document_path.docx").startswith("Test")
    assert text_of(outcomes, "mammoth__strict-format.docx") == "Test"
    bodies = text_of(outcomes, "poi__MultipleBodyBug.docx")
    assert all(f"END BODY {n}." in bodies for n in (1, 2, 3))
    assert text_of(outcomes, "pandoc__nested_sdt.docx").count("Test Paragraph") == 3


def test_notes_in_odd_files(outcomes: dict) -> None:
    endnotes = outcomes["mammoth__endnotes.docx"]
    assert [(b.kind, b.label) for b in endnotes.blocks] == [
        ("paragraph", ""),
        ("endnote", "i"),
        ("endnote", "ii"),
    ]
    assert endnotes.blocks[0].footnotes == ("i", "ii")
    linked = outcomes["mammoth__footnote-hyperlink.docx"]
    note = linked.blocks[-1]
    assert note.kind == "footnote"
    assert [link.url for link in note.links] == ["http://www.example.com"]
    in_footnote = outcomes["pandoc__sdt_in_footnote.docx"]
    assert [b.kind for b in in_footnote.blocks].count("footnote") == 1
