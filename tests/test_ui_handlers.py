"""The app's handlers, called directly with a real Engine over the `fast` sample index."""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
from pathlib import Path

import docx
import pytest

from assistant.config import Settings
from assistant.engine import Engine
from assistant.ui import ask, conversation, docview, library
from assistant.ui.context import AppContext, example_questions, load_call
from assistant.ui.document import Highlight, render_document
from ingest.types import Block, Document, Link, Submission

QUESTION = "What did the investigation find about vehicle stops in Ferguson?"
MARK = re.compile(r'<mark class="sa-hl[^"]*" data-anchor="([^"]+)"[^>]*>(.*?)</mark>', re.S)


@pytest.fixture(scope="module")
def ctx(fast_index) -> AppContext:
    """A read-only app context over the shared sample index."""
    settings = Settings(index_dir=fast_index.index_dir, embedder="fast")
    return AppContext.create(Engine(fast_index), settings)


@pytest.fixture
def writable(fast_index, tmp_path: Path) -> AppContext:
    """An app context over a private copy of the sample index (the library writes to it)."""
    from vectorstore.embeddings import load_embedder
    from vectorstore.store import PassageStore

    copy = tmp_path / "index"
    shutil.copytree(fast_index.index_dir, copy, ignore=shutil.ignore_patterns(".lock"))
    store = PassageStore(copy, load_embedder("fast"))
    return AppContext.create(Engine(store), Settings(index_dir=copy, embedder="fast"))


@pytest.fixture(scope="module")
def asked(ctx: AppContext) -> list:
    """Every value streamed while answering QUESTION."""
    return list(ask.respond(ctx, QUESTION, []))


def marked_text(page: str, anchor: str) -> str:
    """Return the text of every <mark> piece of one anchor, joined and unescaped."""
    pieces = [m.group(2) for m in MARK.finditer(page) if m.group(1) == anchor]
    return html.unescape(re.sub(r"<[^>]+>", "", "".join(pieces)).replace("<br>", "\n"))


def test_answer_streams_before_the_cards_arrive(asked: list) -> None:
    first_chat, _first_sources, _stored, box = asked[0]
    assert first_chat[-2] == {"role": "user", "content": QUESTION}
    assert "Searching" in first_chat[-1]["content"]
    assert box == ""
    partial = [chat[-1]["content"] for chat, *_ in asked[1:-1]]
    assert len(partial) >= 2, "the answer text arrives in several steps"
    assert "sa-card" not in asked[1][1], "text comes first, cards after"


def test_answer_ends_with_linked_markers_and_one_card_per_citation(asked: list) -> None:
    chat, sources, stored, _ = asked[-1]
    turn = conversation.load(json.loads(json.dumps(stored)))[0]
    assert turn.question == QUESTION
    assert turn.citations, "the sample index answers this question"
    assert "](#cite-0-1)" in chat[-1]["content"]
    for c in turn.citations:
        assert f'id="sa-card-0-{c.n}"' in sources
    assert "✓ verified" in sources
    assert "Copy citation" in sources
    assert "Open in document" in sources


def test_conversation_survives_a_reload(asked: list) -> None:
    stored = json.loads(json.dumps(asked[-1][2]))  # what the browser keeps
    chat, sources = ask.restore(stored)
    assert chat == asked[-1][0]
    assert sources == asked[-1][1]


def test_follow_up_is_resolved_against_the_earlier_turn(ctx: AppContext, asked: list) -> None:
    follow_up = "And what does the French code say about that?"
    final = list(ask.respond(ctx, follow_up, asked[-1][2]))[-1]
    answers = conversation.load(final[2])
    assert [a.question for a in answers] == [QUESTION, follow_up]
    assert "Ferguson" in answers[1].resolved_question, "the topic is carried from turn 1"
    assert {c.country for c in answers[1].citations} == {"France"}
    assert "](#cite-1-1)" in final[0][-1]["content"], "markers of turn 2 link to its cards"


def test_country_filter_limits_the_citations(ctx: AppContext) -> None:
    final = list(ask.respond(ctx, "use of force", [], countries=["Peru"]))[-1]
    answer = conversation.load(final[2])[0]
    assert answer.citations
    assert {c.country for c in answer.citations} == {"Peru"}


def test_empty_question_changes_nothing(ctx: AppContext) -> None:
    assert list(ask.respond(ctx, "   ", [])) == [([], ask.render_sources([]), [], "")]


def test_open_in_document_highlights_the_exact_quote(ctx: AppContext, asked: list) -> None:
    stored = asked[-1][2]
    c = conversation.load(stored)[0].citations[0]
    key, page, cited, original = docview.open_citation(ctx, stored, 0, c.n)
    assert key == c.submission_key
    anchor = f"sa-doc-q-0-{c.n}"
    assert f'id="{anchor}"' in page
    assert " ".join(marked_text(page, anchor).split()) == " ".join(c.quote.split())
    assert "sa-hl-primary" in page
    assert f'href="#{anchor}"' in cited
    assert 'aria-current="true"' in cited
    assert Path(original).read_bytes() == ctx.store.original_path(key).read_bytes()


def test_download_original_hands_out_the_stored_copy_under_its_name(
    ctx: AppContext, asked: list
) -> None:
    stored = asked[-1][2]
    c = conversation.load(stored)[0].citations[0]
    path = Path(ask.download_original(ctx, stored, 0, c.n))
    assert path.name == c.file
    assert path.read_bytes() == ctx.store.original_path(c.submission_key).read_bytes()
    assert path.is_relative_to(ctx.downloads)


def test_export_conversation_to_word_has_footnotes(ctx: AppContext, asked: list) -> None:
    path = Path(ask.export_answers(ctx, asked[-1][2], "conversation", "docx"))
    document = docx.Document(str(path))
    footnotes = [r for r in document.part.rels.values() if r.reltype.endswith("/footnotes")]
    assert footnotes
    xml = footnotes[0].target_part.blob.decode("utf-8")
    assert "Submission of" in xml


def test_export_with_nothing_asked_says_so(ctx: AppContext) -> None:
    import gradio as gr

    with pytest.raises(gr.Error, match="nothing to export"):
        ask.export_answers(ctx, [], "answer", "docx")


def test_example_questions_come_from_the_call_themes() -> None:
    call = load_call()
    questions = example_questions(call)
    assert len(questions) == len(call["themes"])
    assert all(q.endswith("?") for q in questions)


# --- the document renderer -------------------------------------------------------------------


def _doc(parts: list[tuple[str, dict]]) -> Document:
    blocks, text = [], ""
    for body, extra in parts:
        if text:
            text += "\n\n"
        blocks.append(
            Block(text=body, char_start=len(text), char_end=len(text) + len(body), **extra)
        )
        text += body
    return Document(text=text, blocks=tuple(blocks))


def test_document_text_is_escaped_so_a_submission_cannot_inject_markup() -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    doc = _doc([(evil, {"kind": "paragraph"})])
    page = render_document(doc, None, [Highlight(0, 8, "a1", primary=True)])
    assert "<script>" not in page
    assert "<img" not in page
    assert "&lt;script&gt;" in page


HEADER = ("Year", "Stops")


def test_document_renders_numbers_tables_and_notes() -> None:
    doc = _doc(
        [
            ("Context", {"kind": "heading", "level": 1}),
            ("Police must account.", {"kind": "paragraph", "label": "12", "footnotes": ("7",)}),
            ("Year | Stops", {"kind": "table_row", "table": 1, "row": 1, "header": HEADER}),
            ("2014 | 90%", {"kind": "table_row", "table": 1, "row": 2, "header": HEADER}),
            ("See the report.", {"kind": "footnote", "label": "7"}),
        ]
    )  # fmt: skip
    page = render_document(doc)
    assert "<h3>Context</h3>" in page
    assert 'data-label="12"' in page
    assert "12.</span>" in page
    assert '<th scope="col">Year</th>' in page
    assert "<td>2014</td>" in page
    assert 'id="sa-doc-note-7"' in page
    assert 'href="#sa-doc-note-7"' in page


def test_highlight_spanning_two_paragraphs_marks_both_pieces() -> None:
    doc = _doc(
        [("First paragraph.", {"kind": "paragraph"}), ("Second one.", {"kind": "paragraph"})]
    )
    start, end = doc.text.index("paragraph."), doc.text.index(" one")
    page = render_document(doc, None, [Highlight(start, end, "q", primary=True)])
    assert page.count('data-anchor="q"') == 2
    assert page.count('id="q"') == 1
    assert marked_text(page, "q") == "paragraph.Second"


def test_links_keep_their_target_but_unsafe_schemes_are_dropped() -> None:
    body = "Read the report or run this."
    links = (
        Link("report", "https://example.org/r", 9, 15),
        Link("run this", "javascript:alert(1)", 19, 27),
    )
    page = render_document(_doc([(body, {"kind": "paragraph", "links": links})]))
    assert 'href="https://example.org/r"' in page
    assert "javascript:" not in page


def test_moved_quote_is_found_again_in_a_changed_document() -> None:
    from assistant.types import Answer

    c = {"n": 1, "passage_id": "p", "submission_key": "k", "file": "k.docx", "title": "",
         "submitter": "X", "submitter_type": "State", "country": "", "language": "en",
         "heading_path": [], "paragraphs": [], "locator": "", "footnotes": [],
         "quote": "needle", "char_start": 0, "char_end": 6}  # fmt: skip
    answers = [Answer("q", (), (), True, citations=(conversation.citation_from_json(c),))]
    items, missing = docview.highlights_for(answers, "k", "hay and needle", (0, 1))
    assert missing == 0
    assert (items[0][0].char_start, items[0][0].char_end) == (8, 14)
    _items, gone = docview.highlights_for(answers, "k", "the passage was rewritten", None)
    assert gone == 1


# --- the library -----------------------------------------------------------------------------


def _submission_file(folder: Path, name: str, text: str) -> Path:
    document = docx.Document()
    document.add_heading("Submission on police accountability", level=1)
    document.add_paragraph(text)
    path = folder / name
    folder.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def test_upload_indexes_new_files_and_reports_each(writable: AppContext, tmp_path: Path) -> None:
    good = _submission_file(
        tmp_path / "up", "NGO_Justice-Watch_Kenya.docx", "Families must be told of every step."
    )
    bad = tmp_path / "up" / "Scan.docx"
    bad.write_bytes(b"%PDF-1.4 not a word file")
    before = {path: hashlib.sha256(path.read_bytes()).hexdigest() for path in (good, bad)}
    report, rows = library.upload(writable, [str(good), str(bad)])
    assert "NGO_Justice-Watch_Kenya.docx" in report
    assert "added" in report
    assert "Scan.docx" in report
    assert "not indexed" in report
    keys = [row[library.COLUMNS.index("Key")] for row in rows]
    assert "NGO_Justice-Watch_Kenya.docx" in keys
    # the user's files, good and bad, are left exactly as they were
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in before} == before
    again, _ = library.upload(writable, [str(good)])
    assert "unchanged" in again


def test_metadata_edits_are_saved_and_exported(writable: AppContext) -> None:
    rows = library.library_rows(writable)
    col = {name: i for i, name in enumerate(library.COLUMNS)}
    row = next(r for r in rows if r[col["Key"]].startswith("NGO_CampaignZero"))
    row[col["Type"]], row[col["Country"]], row[col["Confidential"]] = "academic", "Canada", True
    message, _ = library.save_edits(writable, rows)
    assert "Saved changes to 1" in message
    sub = writable.store.submission(row[col["Key"]])
    assert (sub.submitter_type, sub.country, sub.confidential) == ("academic", "Canada", True)
    hits = writable.engine.retrieve("police", filters=_filters(country=("Canada",)))
    assert hits
    assert {h.passage.submission_key for h in hits} == {sub.key}
    csv_text = Path(library.export_csv(writable)).read_text(encoding="utf-8")
    assert f"{sub.key},{sub.title}," in csv_text or sub.key in csv_text
    assert "academic,Canada" in csv_text
    assert ",yes" in csv_text


def test_unknown_type_is_refused_with_the_allowed_list(writable: AppContext) -> None:
    rows = library.library_rows(writable)
    rows[0][library.COLUMNS.index("Type")] = "Ministry"
    message, _ = library.save_edits(writable, rows)
    assert "not a submitter type" in message
    assert "NGO/civil society" in message


def test_remove_takes_a_submission_out_of_the_index_only(writable: AppContext) -> None:
    key = "State_Peru_Ley-30714-regimen-disciplinario-PNP.docx"
    report, rows = library.remove(writable, key)
    assert "removed" in report
    assert key not in [r[library.COLUMNS.index("Key")] for r in rows]
    assert (Path(__file__).resolve().parents[1] / "examples" / "submissions" / key).is_file()


def _filters(**values):
    from vectorstore.types import Filters

    return Filters(**values)


def test_status_flags_a_missing_original(writable: AppContext) -> None:
    sub: Submission = writable.store.submissions()[0]
    writable.store.original_path(sub.key).unlink()
    assert library.status_of(writable, sub).startswith("original missing")


# --- filters and cards -----------------------------------------------------------------------


def test_filter_panel_offers_what_the_index_holds(ctx: AppContext) -> None:
    from assistant.ui.filters import build_filters, chips_html, filter_choices

    choices = filter_choices(ctx.store.submissions())
    assert choices.types == ["State", "NGO/civil society"]
    assert ("French", "fr") in choices.languages
    assert "Peru" in choices.countries
    filters = build_filters(["State"], ["Peru"], ["es"], [])
    assert filters is not None
    assert (filters.submitter_type, filters.country, filters.language) == (
        ("State",),
        ("Peru",),
        ("es",),
    )
    chips = chips_html(filters)
    assert 'class="sa-chip">Spanish<' in chips
    assert build_filters([], [], [], []) is None
    assert "Searching all 8 submissions" in chips_html(None, total=8)


def test_card_escapes_submission_text_and_carries_the_un_citation() -> None:
    from assistant.ui.cards import render_card

    c = conversation.citation_from_json(
        {
            "n": 3,
            "passage_id": "p",
            "submission_key": "k",
            "file": "k.docx",
            "title": "",
            "submitter": "<b>Org</b>",
            "submitter_type": "NGO/civil society",
            "country": "Peru",
            "language": "es",
            "heading_path": ["Intro"],
            "paragraphs": ["4"],
            "locator": "para. 4",
            "footnotes": ["2"],
            "quote": "<img src=x onerror=alert(1)>",
            "char_start": 0,
            "char_end": 29,
            "context_before": "antes",
            "context_after": "después",
        }
    )
    card = render_card(c, turn=2)
    assert "<img" not in card
    assert "<b>Org" not in card
    assert 'id="sa-card-2-3"' in card
    assert "para. 4 · fn. 2" in card
    assert 'data-citation="Submission of &lt;b&gt;Org&lt;/b&gt; (NGO/civil society, Peru)' in card


def test_rebuild_runs_in_the_background_and_reports_progress(writable: AppContext) -> None:
    before = {s.key: s.passages for s in writable.store.submissions()}
    *progress, (report, rows) = list(library.rebuild_stream(writable))
    assert f"{len(before)} updated" in report
    assert {r[library.COLUMNS.index("Key")]: r[5] for r in rows} == before
    assert all('class="sa-report"' in html_ for html_, _ in progress)
    job = writable.indexer.latest()
    assert (job.kind, job.state) == ("rebuild", "done")
    assert job.progress.fraction == 1.0
    assert job.progress.files_done == len(before)


def test_answer_warnings_are_shown_above_its_cards() -> None:
    from assistant.types import Answer
    from assistant.ui.cards import render_sources

    answer = Answer("q", (), (), True, text="x", warnings=("sentence 2 cites no source",))
    panel = render_sources([answer])
    assert "Please check:" in panel
    assert "<li>sentence 2 cites no source</li>" in panel


def test_a_which_question_about_a_group_with_no_submission_says_so(ctx: AppContext) -> None:
    question = "Which NHRIs describe their role in handling complaints against the police?"
    *_, (messages, sources, _stored, _box) = list(ask.respond(ctx, question, []))
    assert "No submission from NHRIs is in the index" in messages[-1]["content"]
    assert "No submission from NHRIs is in the index" in html.unescape(sources)
    assert "0 of 0" not in sources
