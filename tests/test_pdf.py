"""PDF ingestion: pages, reading order, headings, numbers, footnotes, encryption, odd files.

Core checks use tests/data/formats (made from a bundled sample); the corpus checks use
../shared/corpus/pdf and odd-pdf and skip when they are absent.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.formatting import locator_of
from ingest.chunking import chunk
from ingest.errors import EncryptedFileError, IngestError, NoTextLayerError
from ingest.formats import FormatOptions
from ingest.pages import PageMap, format_pages
from ingest.pdf import read_pdf
from ingest.prepare import prepare
from ingest.types import FOOTNOTE, HEADING

DATA = Path(__file__).parent / "data" / "formats"
CAMPAIGN = DATA / "NGO_CampaignZero_UnitedStates.pdf"


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def test_every_passage_of_a_pdf_has_its_page_and_is_a_slice_of_the_text() -> None:
    prepared = prepare(CAMPAIGN, CAMPAIGN.name)
    text = prepared.document.text
    assert prepared.passages
    for p in prepared.passages:
        assert text[p.char_start : p.char_end] == p.text
        assert 1 <= p.page <= p.page_end <= 7
        assert locator_of(p).startswith(format_pages(p.page, p.page_end))
    assert {p.page for p in prepared.passages} == set(range(1, 8))
    for block in prepared.document.blocks:
        assert text[block.char_start : block.char_end] == block.text


def test_headings_come_from_size_and_weight_and_numbers_are_read() -> None:
    document = read_pdf(CAMPAIGN)
    headings = [b for b in document.blocks if b.kind == HEADING]
    assert headings[0].text == "Police Scorecard — Key Findings"
    assert headings[0].level == 1
    numbered = next(b for b in headings if b.text.startswith("1. Police continue"))
    assert numbered.label == "1"
    assert numbered.level > 1
    assert document.properties["title"] == "Police Scorecard — Key Findings"


def test_footnotes_at_the_page_foot_are_notes_linked_to_their_callouts() -> None:
    document = read_pdf(CAMPAIGN)
    notes = document.notes()
    assert notes["1"].kind == FOOTNOTE
    assert notes["1"].text.startswith("https://www.vox.com/2020/6/26/")
    assert notes["1"].page == 1
    caller = next(b for b in document.blocks if "1" in b.footnotes)
    # The callout is not copied into the text ("opinion1 in" would be a word the text lacks).
    assert "public opinion in support of systemic change" in caller.text
    assert "opinion1" not in document.text
    assert notes["1"].heading_path == caller.heading_path


def test_search_json_carries_page_and_paragraphs(tmp_path: Path, capsys, monkeypatch) -> None:
    from assistant.cli import main

    monkeypatch.setenv("SUBMISSIONS_EMBEDDER", "fast")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / CAMPAIGN.name).write_bytes(CAMPAIGN.read_bytes())
    index = str(tmp_path / "index")
    assert main(["ingest", str(folder), "--index", index, "--json"]) == 0
    capsys.readouterr()
    assert main(["search", "police funding increased", "--index", index, "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits
    for hit in hits:
        assert isinstance(hit["page"], int)
        assert hit["page"] >= 1
        assert hit["page_end"] >= hit["page"]
        assert "paragraphs" in hit
        assert not hit["locator"].startswith("p. ")  # the page is its own field


def test_page_labels_are_shown_beside_the_page_never_instead(odd_pdf_corpus: Path) -> None:
    document = read_pdf(odd_pdf_corpus / "pdfminer.six__pagelabels.pdf")
    pages = PageMap(document)
    assert pages.labels == ["iii", "iv", "1", "2", "1"]  # roman, then arabic twice
    passages = chunk(document, "labels.pdf")
    first = passages[0]
    assert (first.page, first.page_label) == (1, "iii")
    assert locator_of(first).startswith("p. 1 (printed iii)")


def test_two_column_pdf_keeps_its_columns_in_order(pdf_corpus: Path) -> None:
    name = "State_Kenya_Constitution-2010-Police-and-Rights"
    plain = read_pdf(pdf_corpus / f"{name}.pdf")
    two = _words(read_pdf(pdf_corpus / f"{name}__two-column.pdf").text)
    openings = [_words(b.text).split()[:8] for b in plain.blocks]
    openings = [" ".join(o) for o in openings if len(o) >= 6]
    found, position = 0, 0
    for opening in openings:  # each paragraph opening, searched after the one before
        at = two.find(opening, position)
        if at >= 0:
            found, position = found + 1, at + len(opening)
    assert found >= 0.95 * len(openings)


def test_every_pdf_with_a_text_layer_is_read_with_pages(pdf_corpus: Path) -> None:
    off = FormatOptions(ocr=False)
    for path in sorted(pdf_corpus.glob("*.pdf")):
        if "__scanned" in path.name:
            with pytest.raises(NoTextLayerError, match="no text layer"):
                read_pdf(path, options=off)
            continue
        prepared = prepare(path, path.name, formats=off)
        assert prepared.passages, path.name
        assert all(p.page >= 1 for p in prepared.passages), path.name


def test_empty_user_password_opens_and_a_real_password_is_a_clear_error(
    odd_pdf_corpus: Path,
) -> None:
    document = read_pdf(odd_pdf_corpus / "pypdf__r6-owner-password.pdf")
    assert "encryption test" in document.text
    with pytest.raises(EncryptedFileError, match="needs a password"):
        read_pdf(odd_pdf_corpus / "sample-files__libreoffice-writer-password.pdf")


def test_odd_pdfs_are_read_or_refused_with_a_reason(odd_pdf_corpus: Path) -> None:
    refused = {}
    for path in sorted(odd_pdf_corpus.glob("*.pdf")):
        try:
            prepare(path, path.name, formats=FormatOptions(ocr=False))
        except IngestError as exc:
            refused[path.name] = str(exc)
    for name, message in refused.items():
        assert message.startswith(f"{name}: ")
        assert len(message) > len(name) + 20
    assert set(refused) >= {
        "pdfium__parser_rebuildxref_error_notrailer.pdf",
        "pdfplumber__empty.pdf",
        "sample-files__libreoffice-writer-password.pdf",
        "pdfplumber__issue-203-decimalize.pdf",  # a scan, and OCR is off here
    }
    assert (
        "install Tesseract" in refused["pdfplumber__issue-203-decimalize.pdf"]
        or "OCR" in (refused["pdfplumber__issue-203-decimalize.pdf"])
    )
