"""Coverage screen handlers over a real store (no browser): figure, cell cards, card opening,
correction, export, submission card, theme filter chips."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.ui import coverage
from assistant.ui.context import AppContext
from assistant.ui.filters import build_filters, chips_html


@pytest.fixture
def ctx(fast_index, tmp_path):
    from assistant.engine import Engine
    from vectorstore.embeddings import load_embedder
    from vectorstore.store import PassageStore

    index = tmp_path / "index"
    shutil.copytree(fast_index.index_dir, index, ignore=shutil.ignore_patterns(".lock"))
    settings = Settings(index_dir=index, embedder="fast")
    return AppContext.create(Engine(PassageStore(index, load_embedder("fast"))), settings)


def test_figure_totals_cell_cards_and_document(ctx) -> None:
    fig, totals = coverage.show(ctx)
    z = fig.data[0].z
    assert len(z) == len(ctx.store.submissions())
    assert "T1: " in totals
    assert " of " in totals
    i, j = max(
        ((i, j) for i in range(len(z)) for j in range(len(z[i]))), key=lambda ij: z[ij[0]][ij[1]]
    )
    key, theme = fig.data[0].customdata[i][j], fig.data[0].x[j]
    body, cards, cell = coverage.open_cell(ctx, key, theme)
    assert len(cards) == z[i][j] or len(cards) == 20
    assert 'class="sa-card"' in body
    opened_key, doc_html, cited, _original = coverage.open_card(ctx, cards, cards[0]["n"])
    assert opened_key == key
    assert "sa-hl-primary" in doc_html
    assert cited
    message = coverage.correct(ctx, cell, 0, "not about this theme")
    assert "set to 0" in message
    fig2, _ = coverage.show(ctx)
    assert fig2.data[0].z[i][j] == 0
    assert fig2.data[0].text[i][j].endswith("*")
    assert coverage.export(ctx, "csv").endswith(".csv")
    assert coverage.export(ctx, "xlsx").endswith(".xlsx")
    digest_md = Path(coverage.digest(ctx, "all", "md")).read_text(encoding="utf-8")
    assert "Not addressed by" in digest_md
    assert coverage.digest(ctx, theme, "docx").endswith(".docx")


def test_submission_card_and_theme_chip(ctx) -> None:
    key = ctx.store.submissions()[0].key
    card = coverage.submission_card(ctx, key)
    assert 'id="sa-subcard"' in card
    assert "T" in card
    filters = build_filters(None, None, None, None, ["T4"])
    assert filters.theme == ("T4",)
    assert "theme T4" in chips_html(filters, {}, total=3)
