"""A PDF citation in a real browser: the cited page is shown as an image with the quote boxed.

Debian chromium + Playwright, as in tests/test_browser.py (skips without chromium, except in CI).
"""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    _require_chromium,
    shots,  # noqa: F401  (the screenshots folder fixture)
)

from assistant.config import Settings

DATA = Path(__file__).parent / "data" / "formats"
QUESTION = "How many jurisdictions increased police funding from 2013 to 2018?"

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def pdf_app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over an index of one PDF submission (fast embedder)."""
    _require_chromium()
    from assistant import ui
    from assistant.engine import Engine
    from vectorstore.embeddings import load_embedder
    from vectorstore.store import PassageStore
    from vectorstore.sync import sync

    folder = tmp_path_factory.mktemp("pdf_in")
    shutil.copy2(DATA / "NGO_CampaignZero_UnitedStates.pdf", folder)
    index = tmp_path_factory.mktemp("pdf_browser") / "index"
    store = PassageStore(index, load_embedder("fast"))
    assert sync(store, [folder]).ok
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = Settings(index_dir=index, embedder="fast", port=port)
    app = ui.build_app(Engine(store), settings)
    ui.launch(app, settings, prevent_thread_lock=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        app.close()


def test_a_pdf_citation_opens_the_page_with_the_quote_highlighted(
    pdf_app_url: str,
    shots: Path,  # noqa: F811
) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 950})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(pdf_app_url)
        page.fill("#sa-question textarea", QUESTION)
        page.keyboard.press("Enter")
        card = page.locator("#sa-card-0-1")
        expect(card).to_be_visible()
        expect(card).to_contain_text("p. ")
        card.locator('button[data-action="open"]').click()
        sheet = page.locator("#sa-document .sa-pdf-page img")
        expect(sheet.first).to_be_visible()
        box = page.locator('#sa-document .sa-pdf-hl[data-anchor="sa-doc-q-0-1"]').first
        expect(box).to_be_attached()
        expect(box).to_be_in_viewport()
        mark = page.locator("#sa-document mark#sa-doc-q-0-1")
        expect(mark).to_be_visible()
        cited = page.locator('.sa-pdf-hl[data-anchor="sa-doc-q-0-1"]')
        figure = page.locator("#sa-document .sa-pdf-page", has=cited).first
        caption = figure.locator("figcaption").inner_text()
        assert caption.startswith("Page ")
        page.screenshot(path=str(shots / "pdf-document.png"))
        browser.close()
