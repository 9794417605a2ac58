"""The Coverage screen in a real browser: the heat map, a click on a cell, its passages.

Same set-up as tests/test_browser.py (Debian chromium + Playwright, real Gradio server over a
private copy of the sample index embedded with `fast`).
"""

from __future__ import annotations

import os

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, ROOT, TIMEOUT_MS, app_url  # noqa: F401 (the shared app fixture)

pytestmark = pytest.mark.integration


def test_heat_map_click_lists_the_cells_passages_and_opens_the_document(
    app_url,  # noqa: F811 (the fixture imported above)
    tmp_path,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 950})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(app_url)
        page.wait_for_selector("#sa-question textarea")
        page.get_by_role("tab", name="Coverage").click()
        plot = page.locator("#sa-coverage-plot .js-plotly-plot")
        expect(plot).to_be_visible(timeout=TIMEOUT_MS)
        expect(page.locator("#sa-coverage-totals")).to_contain_text(" of ", timeout=TIMEOUT_MS)
        # Click the cell with the most passages: its centre, from the figure's own geometry.
        point = page.evaluate(
            """() => {
              const gd = document.querySelector('#sa-coverage-plot .js-plotly-plot');
              const z = gd.data[0].z; let best = [0, 0, -1];
              z.forEach((row, i) => row.forEach((v, j) => { if (v > best[2]) best = [i, j, v]; }));
              const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
              const box = gd.querySelector('.nsewdrag').getBoundingClientRect();
              return {x: box.left + xa.l2p(best[1]), y: box.top + ya.l2p(best[0]), n: best[2]};
            }"""
        )
        assert point["n"] > 0
        page.wait_for_function(
            "() => { const g = document.querySelector('#sa-coverage-plot .js-plotly-plot');"
            " return g && g.__saHooked; }"
        )
        page.mouse.click(point["x"], point["y"])
        cards = page.locator("#sa-coverage-cards .sa-card")
        expect(cards.first).to_be_visible(timeout=TIMEOUT_MS)
        assert cards.count() >= 1
        quote = cards.first.locator(".sa-quote-mark").inner_text()
        shots = (
            ROOT / "docs" / "screenshots"
            if os.environ.get("UPDATE_SCREENSHOTS") == "1"
            else tmp_path
        )
        page.screenshot(path=str(shots / "coverage.png"), full_page=True)
        cards.first.locator('button[data-action="open"]').click()
        mark = page.locator("#sa-document mark.sa-hl-primary").first
        expect(mark).to_be_visible(timeout=TIMEOUT_MS)
        shown = " ".join(page.locator("#sa-document mark.sa-hl-primary").all_inner_texts())
        assert " ".join(shown.split()) == " ".join(quote.split())
        browser.close()
