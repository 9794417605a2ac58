"""Other formats and the last Word citation gaps: LibreOffice, OCR, notes, table quotes, twins.

Tests that need LibreOffice or Tesseract skip with the reason when they are missing, except in
CI (CI=true), where `make test` installs them and the tests must run.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from docx_builders import (
    add_notes,
    add_xml,
    build_table,
    new_document,
    note_ref,
    paragraph_xml,
    run,
    save,
)

from assistant.answering.citations import build_citation
from assistant.formatting import locator_of
from ingest.docx import read_docx
from ingest.errors import FileTooLargeError, TimeLimitError, UnsupportedFileError
from ingest.formats import FormatOptions, is_from_ocr
from ingest.pdf import read_pdf
from ingest.prepare import prepare, read_document
from ingest.types import FOOTNOTE, TABLE_ROW
from vectorstore.types import Hit

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "formats"
SAMPLES = ROOT / "examples" / "submissions"
FLOYD = "State_UnitedStates_WhiteHouse-Statements-George-Floyd"
SCANNED = "UN_A-HRC-RES-43-1_47-21_48-18_excerpts"


def _require(command: str, package: str) -> None:
    if shutil.which(command):
        return
    reason = f"{command} is absent: install Debian's {package} to run this test"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true, so the test must run: `make test` installs it)")
    pytest.skip(reason)


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


# --- LibreOffice -------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".odt", ".rtf", ".doc"])
def test_odt_rtf_and_doc_go_through_libreoffice_into_the_word_path(suffix: str) -> None:
    _require("soffice", "libreoffice-writer-nogui")
    source = DATA / f"{FLOYD}{suffix}"
    before = source.read_bytes()
    prepared = prepare(source, source.name)
    original = read_docx(SAMPLES / f"{FLOYD}.docx")
    assert _words(prepared.document.text) == _words(original.text)
    assert [b.kind for b in prepared.document.blocks] == [b.kind for b in original.blocks]
    assert source.read_bytes() == before  # converted from a copy, the original is untouched


def test_without_libreoffice_these_formats_say_to_install_it(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice on this PATH
    for suffix in (".odt", ".rtf", ".doc"):
        with pytest.raises(UnsupportedFileError, match="install LibreOffice"):
            read_document(DATA / f"{FLOYD}{suffix}")


def test_a_conversion_over_its_time_limit_is_a_clear_error() -> None:
    _require("soffice", "libreoffice-writer-nogui")
    with pytest.raises(TimeLimitError, match="convert_timeout_s"):
        read_document(DATA / f"{FLOYD}.odt", formats=FormatOptions(convert_timeout_s=0.05))


# --- OCR ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ocr_prepared(pdf_corpus: Path):  # -> ingest.prepare.Prepared
    """The scanned PDF of corpus/pdf, read by OCR once for the tests below."""
    _require("tesseract", "tesseract-ocr (with tesseract-ocr-fra and tesseract-ocr-spa)")
    path = pdf_corpus / f"{SCANNED}__scanned.pdf"
    return prepare(path, path.name, formats=FormatOptions(ocr_max_pages=5))


def test_a_scan_is_read_by_ocr_and_holds_a_sentence_of_its_word_twin(
    ocr_prepared, real_corpus: Path
) -> None:
    document = ocr_prepared.document
    assert is_from_ocr(document.properties)
    ocr = _words(document.text)
    twin = read_docx(real_corpus / f"{SCANNED}.docx")
    sentences = [_words(s) for b in twin.blocks for s in re.split(r"(?<=[.;:])\s+", b.text)]
    sentences = [s for s in sentences if len(s.split()) >= 10]
    found = [s for s in sentences if s in ocr]
    assert found, "no sentence of the .docx twin was read by OCR"
    assert {b.page for b in document.blocks} == {1, 2, 3, 4, 5}


def test_ocr_quotes_are_marked_from_ocr_not_verified(ocr_prepared) -> None:
    passage = ocr_prepared.passages[0]
    citation = build_citation(
        1,
        Hit(passage, 1.0),
        ocr_prepared.submission,
        ocr_prepared.document,
        passage.char_start,
        passage.char_end,
    )
    assert citation.from_ocr
    assert not citation.verified
    assert citation.page == passage.page >= 1


def test_ocr_has_a_page_cap_and_a_time_limit(pdf_corpus: Path) -> None:
    _require("tesseract", "tesseract-ocr")
    path = pdf_corpus / f"{SCANNED}__scanned.pdf"
    with pytest.raises(FileTooLargeError, match="OCR limit of 2"):
        read_pdf(path, options=FormatOptions(ocr_max_pages=2))
    with pytest.raises(TimeLimitError, match="ocr_timeout_s"):
        read_pdf(path, options=FormatOptions(ocr_timeout_s=0.2))


# --- Word gaps ------------------------------------------------------------------------------------


def test_a_footnote_passage_cites_its_number_and_the_paragraph_it_hangs_on(tmp_path: Path) -> None:
    document = new_document()
    add_xml(document, paragraph_xml(run("6. Oversight bodies need powers.")))
    add_xml(
        document,
        paragraph_xml(
            run("7. Complaints are rarely upheld by the police themselves.")
            + note_ref("footnote", 1)
        ),
    )
    add_notes(document, "footnote", {1: "See the scorecard data published in 2020 for every city."})
    path = save(document, tmp_path / "notes.docx")
    prepared = prepare(path, "notes.docx")
    note = next(p for p in prepared.passages if p.kind == FOOTNOTE)
    assert note.paragraphs == ("7",)
    assert note.footnotes == ("1",)
    citation = build_citation(
        1, Hit(note, 1.0), prepared.submission, prepared.document, note.char_start, note.char_end
    )
    assert locator_of(citation) == "para. 7, fn. 1"
    assert citation.quote == prepared.document.text[citation.char_start : citation.char_end]


def test_a_quote_never_joins_table_cells(tmp_path: Path) -> None:
    path = build_table(tmp_path / "table.docx")
    prepared = prepare(path, "table.docx")
    row = next(p for p in prepared.passages if p.kind == TABLE_ROW)
    citation = build_citation(
        1, Hit(row, 1.0), prepared.submission, prepared.document, row.char_start, row.char_end
    )
    assert " | " not in citation.quote
    assert citation.quote
    assert citation.quote == prepared.document.text[citation.char_start : citation.char_end]


# --- the same submission twice ------------------------------------------------------------


def test_a_pdf_of_an_indexed_docx_is_indexed_and_reported_as_a_possible_duplicate(
    tmp_path: Path,
) -> None:
    from vectorstore.embeddings import load_embedder
    from vectorstore.store import PassageStore
    from vectorstore.sync import sync

    folder = tmp_path / "in"
    folder.mkdir()
    name = "NGO_CampaignZero_UnitedStates"
    shutil.copy2(SAMPLES / f"{name}.docx", folder / f"{name}.docx")
    shutil.copy2(SAMPLES / f"{FLOYD}.docx", folder / f"{FLOYD}.docx")
    store = PassageStore(tmp_path / "index", load_embedder("fast"))
    assert sync(store, [folder]).ok
    shutil.copy2(DATA / f"{name}.pdf", folder / f"{name}.pdf")
    report = sync(store, [folder])
    added = report.of("added")
    assert [o.key for o in added] == [f"{name}.pdf"]
    assert added[0].detail == f"possible duplicate of {name}.docx"
    assert added[0].passages > 0
    assert len(store.submissions()) == 3


def test_the_library_shows_the_twin_and_the_document_view_shows_the_pdf_page(
    fast_index, tmp_path: Path
) -> None:
    from assistant.config import Settings
    from assistant.engine import Engine
    from assistant.ui import docview, library
    from assistant.ui.context import AppContext
    from vectorstore.embeddings import load_embedder
    from vectorstore.store import PassageStore

    copy = tmp_path / "index"
    shutil.copytree(fast_index.index_dir, copy, ignore=shutil.ignore_patterns(".lock"))
    store = PassageStore(copy, load_embedder("fast"))
    ctx = AppContext.create(Engine(store), Settings(index_dir=copy, embedder="fast"))
    pdf = tmp_path / "up" / "NGO_CampaignZero_UnitedStates.pdf"
    pdf.parent.mkdir()
    shutil.copy2(DATA / pdf.name, pdf)
    report, rows = library.upload(ctx, [str(pdf)])
    assert "possible duplicate of NGO_CampaignZero_UnitedStates.docx" in report
    status = {
        row[library.COLUMNS.index("Key")]: row[library.COLUMNS.index("Status")] for row in rows
    }
    assert "possible duplicate of NGO_CampaignZero_UnitedStates.docx" in status[pdf.name]
    assert (
        "possible duplicate of NGO_CampaignZero_UnitedStates.pdf"
        in status["NGO_CampaignZero_UnitedStates.docx"]
    )
    body, _cited, original = docview.open_document(ctx, None, pdf.name)
    assert 'class="sa-pdf-page"' in body
    assert "data:image/png;base64," in body
    assert original
    assert original.endswith(".pdf")
