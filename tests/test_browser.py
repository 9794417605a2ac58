"""The app in a real browser: Debian chromium driven by Playwright.

Skips when /usr/bin/chromium is absent, except in CI (CI=true), where it must run. Screenshots
go to tmp_path; with UPDATE_SCREENSHOTS=1 they are written to docs/screenshots/ for the README.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest

from assistant.config import Settings

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
QUESTION = "What did the investigation find about vehicle stops in Ferguson?"
TIMEOUT_MS = 30_000

pytestmark = pytest.mark.integration


def _require_chromium() -> None:
    if CHROMIUM.is_file():
        return
    reason = f"{CHROMIUM} is absent: install Debian's chromium to run the browser test"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true, so the test must run: `make test` installs it)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go."""
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        folder = ROOT / "docs" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def app_url(fast_index, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app, launched in this process over a private copy of the sample index."""
    _require_chromium()
    from assistant import ui
    from assistant.engine import Engine
    from vectorstore.embeddings import load_embedder
    from vectorstore.store import PassageStore

    index = tmp_path_factory.mktemp("browser") / "index"
    shutil.copytree(fast_index.index_dir, index, ignore=shutil.ignore_patterns(".lock"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = Settings(index_dir=index, embedder="fast", port=port)
    engine = Engine(PassageStore(index, load_embedder("fast")))
    app = ui.build_app(engine, settings)
    ui.launch(app, settings, prevent_thread_lock=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        app.close()


@pytest.fixture(scope="module")
def page(app_url: str) -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 1400, "height": 950}, accept_downloads=True
        )
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(app_url)
        page.wait_for_selector("#sa-question textarea")
        yield page
        browser.close()


def test_ask_click_citation_and_see_the_quote_highlighted_in_the_document(
    page, shots: Path
) -> None:
    from playwright.sync_api import expect

    page.fill("#sa-question textarea", QUESTION)
    page.keyboard.press("Enter")
    marker = page.locator('#sa-chat a[href="#cite-0-1"]')
    expect(marker).to_be_visible()
    expect(page.locator("#sa-card-0-1")).to_be_visible()

    marker.focus()
    page.keyboard.press("Enter")  # keyboard works as well as the mouse
    expect(page.locator("#sa-card-0-1")).to_have_class("sa-card sa-selected")
    page.screenshot(path=str(shots / "ask.png"))

    quote = page.locator("#sa-card-0-1 .sa-quote-mark").inner_text()
    page.locator('#sa-card-0-1 button[data-action="open"]').click()
    mark = page.locator("#sa-document mark#sa-doc-q-0-1")
    expect(mark).to_be_visible()
    expect(mark).to_be_in_viewport()
    highlighted = " ".join(
        page.locator('#sa-document mark[data-anchor="sa-doc-q-0-1"]').all_inner_texts()
    )
    assert " ".join(highlighted.split()) == " ".join(quote.split())
    expect(page.locator("#sa-cited")).to_contain_text("[1]")
    page.screenshot(path=str(shots / "document.png"))


def test_card_copies_the_citation_and_hands_out_the_original(page) -> None:
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Ask").click()
    copy = page.locator('#sa-card-0-1 button[data-action="copy"]')
    copy.click()
    expect(copy).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Submission of United States (State)")
    assert "“" in copied

    page.locator('#sa-card-0-1 button[data-action="download"]').click()
    expect(page.locator("#sa-original")).to_contain_text(".docx")


def test_conversation_survives_a_reload(page) -> None:
    from playwright.sync_api import expect

    page.reload()
    expect(page.locator("#sa-chat")).to_contain_text(QUESTION)
    expect(page.locator("#sa-card-0-1")).to_be_attached()


def test_export_gives_a_word_file_with_footnotes(page, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Ask").click()
    page.get_by_role("button", name="Export conversation (Word)").click()
    link = page.locator("#sa-exported a").first
    expect(link).to_be_visible()
    with page.expect_download() as info:
        link.click()
    path = tmp_path / "export.docx"
    info.value.save_as(path)
    document = docx.Document(str(path))
    rels = [r for r in document.part.rels.values() if r.reltype.endswith("/footnotes")]
    assert rels, "the export has a footnotes part"
    assert "Submission of" in rels[0].target_part.blob.decode("utf-8")


def test_upload_shows_the_new_submission_in_the_library(page, tmp_path: Path, shots: Path) -> None:
    from playwright.sync_api import expect

    document = docx.Document()
    document.add_heading("Submission on oversight", level=1)
    document.add_paragraph("1. Oversight bodies must be able to compel evidence from the police.")
    path = tmp_path / "NGO_Oversight-Now_Chile.docx"
    document.save(str(path))

    page.get_by_role("tab", name="Library").click()
    page.locator("#sa-upload input[type=file]").set_input_files(str(path))
    page.locator("#sa-add").click()
    expect(page.locator("#sa-report")).to_contain_text("added")
    expect(page.locator("#sa-library")).to_contain_text("NGO_Oversight-Now_Chile.docx")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(shots / "library.png"), full_page=True)


def test_markup_in_a_question_shows_as_text(page) -> None:
    from playwright.sync_api import expect

    question = "Is <b>this</b> & ![pixel](http://203.0.113.9/p.png) $5 or $$10$$ shown as typed?"
    page.get_by_role("tab", name="Ask").click()
    page.fill("#sa-question textarea", question)
    page.keyboard.press("Enter")
    expect(page.locator("#sa-card-1-1, #sa-sources .sa-turn[data-turn='1']").first).to_be_attached()
    chat = page.locator("#sa-chat")
    expect(chat).to_contain_text("<b>this</b> & ![pixel](http://203.0.113.9/p.png) $5 or $$10$$")
    assert chat.locator("img[src*='203.0.113.9']").count() == 0
    assert chat.locator("b", has_text="this").count() == 0


def test_a_which_question_shows_the_full_list_with_counts(page, shots: Path) -> None:
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Ask").click()
    page.fill("#sa-question textarea", "Which submissions describe reporting deaths in custody?")
    page.keyboard.press("Enter")
    count = page.locator("details.sa-turn[open] .sa-who-count")
    expect(count).to_be_visible()
    listed, total = int(count.get_attribute("data-count")), int(count.get_attribute("data-total"))
    assert 1 <= listed <= total
    assert total >= 8
    expect(page.locator("#sa-chat")).to_contain_text(f"{listed} of {total} submissions")
    expect(page.locator("#sa-chat")).to_contain_text("Mode: who")
    cards = page.locator("details.sa-turn[open] > article.sa-card")
    expect(cards).to_have_count(listed)
    page.screenshot(path=str(shots / "who.png"))
    others = page.locator("details.sa-turn[open] details.sa-who-other")
    expect(others).to_have_count(total - listed)
    if total > listed:  # each one not listed: its closest passage one click away
        others.first.locator("summary").click()
        expect(others.first.locator("article.sa-card")).to_be_visible()
    page.get_by_role("button", name="Export who list (CSV)").click()
    expect(page.locator("#sa-exported a").first).to_be_visible()
