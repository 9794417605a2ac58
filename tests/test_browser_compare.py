"""Compare in a real browser: a comparison question in chat, and the Compare screen.

Debian chromium driven by Playwright over the real app on the `fast` sample index; skips like
tests/test_browser.py when /usr/bin/chromium is absent (fails in CI).
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, _require_chromium

from assistant.config import Settings

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[1]
QUESTION = "How do France and Peru differ on when officers may use firearms?"


@pytest.fixture(scope="module")
def compare_page(fast_index, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    from assistant import ui
    from assistant.engine import Engine
    from vectorstore.embeddings import load_embedder
    from vectorstore.store import PassageStore

    index = tmp_path_factory.mktemp("browser-compare") / "index"
    shutil.copytree(fast_index.index_dir, index, ignore=shutil.ignore_patterns(".lock"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = Settings(index_dir=index, embedder="fast", port=port)
    app = ui.build_app(
        Engine(PassageStore(index, load_embedder("fast")), settings=settings), settings
    )
    ui.launch(app, settings, prevent_thread_lock=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 950})
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector("#sa-question textarea")
            yield page
            browser.close()
    finally:
        app.close()


def test_a_comparison_question_in_chat_cites_both_sides(compare_page) -> None:
    from playwright.sync_api import expect

    page = compare_page
    page.fill("#sa-question textarea", QUESTION)
    page.keyboard.press("Enter")
    chat = page.locator("#sa-chat")
    expect(chat).to_contain_text("Comparison of France and Peru")
    expect(page.locator("#sa-card-0-1")).to_be_visible()
    sources = page.locator("#sa-sources")
    expect(sources).to_contain_text("France")
    expect(sources).to_contain_text("Peru")


def test_the_compare_screen_shows_a_table_of_sides(compare_page, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page = compare_page
    page.get_by_role("tab", name="Compare").click()
    sides = page.locator("#sa-compare-sides input")
    for name in ("Group: State", "Group: NGO/civil society"):
        sides.click()
        sides.fill(name)
        page.get_by_role("option", name=name, exact=True).click()
    page.fill("#sa-compare-question textarea", "How is data on police killings published?")
    page.locator("#sa-compare-run").click()
    table = page.locator("#sa-compare-table")
    expect(table).to_be_visible()
    expect(table.locator("thead th")).to_have_count(3)  # the aspect column and two sides
    expect(table.locator("tbody tr").first).to_contain_text("“")
    expect(table).to_contain_text("NGO_CampaignZero_UnitedStates.docx")
    shots = (
        ROOT / "docs" / "screenshots" if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    )
    page.screenshot(path=str(shots / "compare.png"), full_page=True)
