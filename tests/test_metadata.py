"""Submission metadata: file-name conventions, first page, manifest precedence, language."""

from __future__ import annotations

from pathlib import Path

from ingest.metadata import (
    describe,
    detect_language,
    from_filename,
    from_first_page,
    normalise_type,
    read_manifest,
)
from ingest.types import HEADING, PARAGRAPH, Block, Document


def doc_with(first: str, *, title: str = "", first_kind: str = HEADING) -> Document:
    block = Block(kind=first_kind, text=first, char_start=0, char_end=len(first))
    props = {"title": title, "author": "Microsoft Office User", "created": "2024-03-05T10:00:00"}
    return Document(text=first, blocks=(block,), properties=props)


def test_state_file_names_give_country_and_submitter() -> None:
    meta = from_filename("State_UnitedStates_DOJ-Ferguson-Report-Summary.docx")
    assert meta == {
        "submitter_type": "State",
        "country": "United States",
        "submitter": "United States",
    }


def test_ngo_and_un_file_names() -> None:
    ngo = from_filename("NGO_TexasJusticeInitiative_UnitedStates.docx")
    assert ngo["submitter"] == "Texas Justice Initiative"
    assert ngo["country"] == "United States"
    assert ngo["submitter_type"] == "NGO/civil society"
    un = from_filename("UN_OHCHR_Calls-for-input-2023-2024_excerpts.docx")
    assert un == {"submitter_type": "UN/intergovernmental", "submitter": "OHCHR"}
    assert from_filename("random name.docx") == {}


def test_first_page_names_the_submitter_and_guesses_its_type() -> None:
    text = "Submission of the National Human Rights Commission of Kenya\nCountry: Kenya\n"
    assert from_first_page(text) == {
        "submitter": "National Human Rights Commission of Kenya",
        "submitter_type": "NHRI",
        "country": "Kenya",
    }


def test_manifest_beats_file_name_which_beats_first_page(tmp_path: Path) -> None:
    (tmp_path / "submissions.csv").write_text(
        "file,submitter,type,country,confidential\nNGO_Foo_Peru.docx,Foo Collective,NGO,Perú,yes\n",
        encoding="utf-8",
    )
    manifest = read_manifest(tmp_path)
    doc = doc_with("Submission by Someone Else")
    sub = describe("NGO_Foo_Peru.docx", "abc", doc, language="es", manifest=manifest)
    assert sub.submitter == "Foo Collective"
    assert sub.country == "Perú"
    assert sub.confidential is True
    plain = describe("NGO_Foo_Peru.docx", "abc", doc, language="es")
    assert plain.submitter == "Foo"  # the file name beats the first page
    assert plain.country == "Peru"


def test_title_comes_from_the_first_page_and_author_is_never_the_submitter() -> None:
    sub = describe("x/report.docx", "h", doc_with("Police Accountability Report"), language="en")
    assert sub.title == "Police Accountability Report"
    assert sub.submitter != "Microsoft Office User"
    assert sub.date == "2024-03-05"
    assert sub.file == "report.docx"
    untitled = describe("x/my_report.docx", "h", doc_with("text", first_kind=PARAGRAPH))
    assert untitled.title == "my report"


def test_types_are_normalised() -> None:
    assert normalise_type("ngo") == "NGO/civil society"
    assert normalise_type("Civil Society") == "NGO/civil society"
    assert normalise_type("UN") == "UN/intergovernmental"
    assert normalise_type("State") == "State"
    assert normalise_type("whatever") == "other"


def test_language_is_detected_offline() -> None:
    assert detect_language("The police must respect the rights of every person.") == "en"
    assert (
        detect_language("Le policier et le gendarme respectent la dignité des personnes.") == "fr"
    )
    assert (
        detect_language("La Policía Nacional del Perú debe informar sobre el uso de la fuerza.")
        == "es"
    )
    assert detect_language("Art. 5", default="fr") == "fr"


def test_printed_dates_are_read_in_three_languages() -> None:
    from ingest.metadata import find_date

    assert find_date("Loi du 18 juillet 2018 sur l’Inspection") == "2018-07-18"
    assert find_date("Lima, 10 de julio de 2015") == "2015-07-10"
    assert find_date("The White House — April 20, 2021") == "2021-04-20"
    assert find_date("no date here") == ""


def test_python_docx_template_date_is_not_a_submission_date() -> None:
    doc = Document(
        text="Report",
        blocks=(Block(kind=HEADING, text="Report", char_start=0, char_end=6),),
        properties={"created": "2013-12-23T23:15:00"},
    )
    assert describe("r.docx", "h", doc).date == ""
