"""The Coverage screen: a heat map of submissions x themes; a click lists the cell's passages.

The heat map is a plotly figure in ``gr.Plot``; a small bridge (gr.HTML with a js_on_load hook)
forwards plotly's ``plotly_click`` to the server, which answers with the cell's passages as
citation cards. A card's "Open in document" opens the Document screen at the quote.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import gradio as gr

from assistant.analyses.coverage import (
    Coverage,
    SubmissionFilter,
    build_coverage,
    cell_citations,
    covered_themes,
)
from assistant.exports.coverage import write_csv, write_xlsx
from assistant.themes.profile import CallProfile, load_profile
from assistant.themes.tagger import scorer_for, tag
from assistant.types import Citation
from assistant.ui.cards import render_card
from assistant.ui.context import AppContext
from assistant.ui.document import Highlight, render_cited_list, render_document
from assistant.ui.theme import asset
from vectorstore.tags import ThemeTags

logger = logging.getLogger(__name__)

CARD_TURN = 900  # card ids of this screen never clash with the Ask screen's
EMPTY_CELL = '<p class="sa-muted">Click a cell of the heat map to list its passages.</p>'


def profile_of(ctx: AppContext) -> CallProfile:
    return load_profile(ctx.settings.call_file)


def matrix(ctx: AppContext, types=(), countries=(), languages=()) -> Coverage:
    """Tag what is untagged, then return the matrix for the chosen filters."""
    profile = profile_of(ctx)
    tag(ctx.store, scorer_for(ctx.store, ctx.settings, profile))
    where = SubmissionFilter(tuple(types or ()), tuple(countries or ()), tuple(languages or ()))
    return build_coverage(ctx.store, profile, where)


def row_labels(coverage: Coverage) -> list[str]:
    """Return one distinct label per row (submitter, with the title when it repeats)."""
    names = [r.submission.submitter or r.submission.file for r in coverage.rows]
    out = []
    for r, name in zip(coverage.rows, names, strict=True):
        label = name
        if names.count(name) > 1:
            title = r.submission.title or r.submission.file
            label = f"{name} — {title[:40]}{'…' if len(title) > 40 else ''}"
        while label in out:
            label += " "
        out.append(label)
    return out


def figure(coverage: Coverage) -> Any:
    """Return the plotly heat map (counts; hover shows the theme label and the quote)."""
    import plotly.graph_objects as go

    themes = [t.id for t in coverage.themes]
    labels = row_labels(coverage)
    z, text, keys, hover = [], [], [], []
    for r in coverage.rows:
        z.append([r.cells[t].passages for t in themes])
        text.append(
            [
                (str(r.cells[t].passages) if r.cells[t].passages else "—")
                + ("*" if r.cells[t].corrected else "")
                for t in themes
            ]
        )
        keys.append([r.submission.key for _ in themes])
        hover.append(
            [_hover(r.cells[t], th.label) for t, th in zip(themes, coverage.themes, strict=True)]
        )
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=themes,
            y=labels,
            text=text,
            texttemplate="%{text}",
            customdata=keys,
            hovertext=hover,
            hoverinfo="text",
            colorscale="Blues",
            zmin=0,
            showscale=True,
            colorbar={"title": "passages"},
            xgap=2,
            ygap=2,
        )
    )
    fig.update_layout(
        height=max(320, 34 * len(labels) + 120),
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        yaxis={"autorange": "reversed", "automargin": True},
        xaxis={"side": "top"},
        clickmode="event",
    )
    return fig


def _hover(cell: Any, label: str) -> str:
    if not cell.passages:
        return f"{label}: not addressed" + (" (corrected by staff)" if cell.corrected else "")
    quote = cell.citation.quote if cell.citation and not cell.citation.confidential else ""
    quote = html.escape(quote[:140] + ("…" if len(quote) > 140 else ""))
    mark = " (corrected by staff)" if cell.corrected else ""
    return f"{label}: {cell.passages} passage(s){mark}<br>{quote}"


def totals_html(coverage: Coverage) -> str:
    """Return "T3: 6 of 15 submissions" per theme, with the theme labels."""
    items = "".join(
        f"<li><strong>{html.escape(coverage.total_line(t.id))}</strong>"
        f" — {html.escape(t.label)}</li>"
        for t in coverage.themes
    )
    return f'<ul class="sa-coverage-totals" id="sa-coverage-totals">{items}</ul>'


def show(ctx: AppContext, types=(), countries=(), languages=()) -> tuple[Any, str]:
    """Return (figure, totals) for the filters."""
    coverage = matrix(ctx, types, countries, languages)
    return figure(coverage), totals_html(coverage)


def citation_to_state(c: Citation) -> dict[str, Any]:
    return {
        "key": c.submission_key,
        "start": c.char_start,
        "end": c.char_end,
        "n": c.n,
        "where": c.locator,
        "quote": c.quote[:80],
    }


def open_cell(
    ctx: AppContext, key: str, theme: str
) -> tuple[str, list[dict[str, Any]], dict[str, str]]:
    """Return (cards HTML, state of the cards, the selected cell) for one cell."""
    profile = profile_of(ctx)
    try:
        theme_id = profile.theme(theme).id
        sub = ctx.store.submission(key)
    except Exception as exc:  # unknown key or theme: the figure is stale
        raise gr.Error(f"That cell is no longer in the matrix ({exc}); refresh it.") from exc
    cites = cell_citations(ctx.store, profile, key, theme_id)
    fix = ThemeTags(ctx.store.registry).corrections().get((key, theme_id))
    title = f"{sub.submitter or sub.file} × {theme_id} {profile.theme(theme_id).label}"
    note = ""
    if fix is not None:
        note = (
            f'<p class="sa-notice">Corrected by staff: {fix.passages} passage(s). '
            f"{html.escape(fix.note)}</p>"
        )
    if not cites:
        body = '<p class="sa-muted">No passage of this submission addresses the theme.</p>'
    else:
        body = "".join(render_card(c, CARD_TURN) for c in cites)
    shown_line = f"{len(cites)} passage(s)"
    total = sum(
        1
        for s in ThemeTags(ctx.store.registry).scores([key]).values()
        if s.get(theme_id, 0.0) >= 0.5
    )
    if total > len(cites):
        shown_line = f"the {len(cites)} strongest of {total} passages"
    heading = f'<h3 class="sa-cell-title">{html.escape(title)}: {shown_line}</h3>'
    return (
        heading + note + body,
        [citation_to_state(c) for c in cites],
        {"key": key, "theme": theme_id},
    )


def open_card(
    ctx: AppContext, cards: Sequence[dict[str, Any]], n: int
) -> tuple[str, str, str, str | None]:
    """Return (key, document HTML, side list HTML, original path) for card ``n``."""
    found = next((c for c in cards or [] if c.get("n") == n), None)
    if found is None:
        raise gr.Error("That passage is no longer listed; click the cell again.")
    key = found["key"]
    sub = ctx.store.submission(key)
    document = ctx.store.document(key)
    anchor = f"sa-hl-{CARD_TURN}-{n}"
    text = f"[{n}] {found.get('where', '')} — “{found.get('quote', '')}”"
    mark = Highlight(found["start"], found["end"], anchor, text, True)
    original = None
    path = ctx.store.original_path(key)
    if path.is_file():
        original = str(ctx.hand_out(path, sub.file or "submission.docx"))
    return (
        key,
        render_document(document, sub, [mark]),
        render_cited_list([(mark, text)], anchor),
        original,
    )


def correct(ctx: AppContext, cell: dict[str, str], passages: float | None, note: str) -> str:
    """Record a staff correction of the selected cell; return a message."""
    if not cell or not cell.get("key"):
        raise gr.Error("Click a cell first, then set its passage count.")
    count = int(passages or 0)
    ThemeTags(ctx.store.registry).correct(
        cell["key"], cell["theme"], count, note=note or "", by="app"
    )
    return f"Saved: {cell['key']} × {cell['theme']} set to {count} passage(s) by staff."


def export(ctx: AppContext, fmt: str, types=(), countries=(), languages=()) -> str:
    """Write the matrix as CSV or XLSX; return the file path."""
    coverage = matrix(ctx, types, countries, languages)
    path = ctx.new_file(f"coverage.{fmt}")
    (write_csv if fmt == "csv" else write_xlsx)(coverage, path)
    return str(path)


def digest(ctx: AppContext, theme: str, fmt: str) -> str:
    """Write the thematic digest (one theme, or all when ``theme`` is "all"); return its path."""
    from assistant.analyses.digest import build_digest
    from assistant.exports.digest import digest_markdown, write_digest_docx

    profile = profile_of(ctx)
    tag(ctx.store, scorer_for(ctx.store, ctx.settings, profile))
    themes = [] if not theme or theme == "all" else [theme]
    result = build_digest(ctx.store, profile, themes=themes)
    name = f"digest-{theme or 'all'}.{fmt}"
    path = ctx.new_file(name)
    if fmt == "docx":
        write_digest_docx(result, path)
    else:
        path.write_text(digest_markdown(result), encoding="utf-8")
    return str(path)


def submission_card(ctx: AppContext, key: str | None) -> str:
    """Return the library's submission card: themes covered (from the matrix), strongest quotes."""
    if not key:
        return '<p class="sa-muted">Choose a submission to see the themes it covers.</p>'
    coverage = matrix(ctx)
    row = next((r for r in coverage.rows if r.submission.key == key), None)
    if row is None:
        return '<p class="sa-muted">That submission is not in the index.</p>'
    s = row.submission
    covered = covered_themes(coverage, key)
    missing = [t.id for t in coverage.themes if not row.cells[t.id].addressed]
    items = []
    for theme, cell in covered:
        c = cell.citation
        quote = ""
        if c is not None:
            words = (
                "(quote withheld: confidential submission)"
                if c.confidential
                else f"“{html.escape(c.quote)}”"
            )
            where = f'<span class="sa-meta">{html.escape(c.locator)}</span>'
            quote = f'<blockquote class="sa-quote">{words} {where}</blockquote>'
        mark = " (corrected by staff)" if cell.corrected else ""
        items.append(
            f"<li><strong>{theme.id} {html.escape(theme.label)}</strong>: "
            f"{cell.passages} passage(s){mark}{quote}</li>"
        )
    gaps = f'<p class="sa-meta">Not addressed: {", ".join(missing)}</p>' if missing else ""
    about = " · ".join(x for x in (s.submitter_type, s.country, s.language, s.title) if x)
    listed = "".join(items) or "<li>No theme of the call is addressed.</li>"
    return (
        f'<article class="sa-subcard" id="sa-subcard"><h3>{html.escape(s.submitter or s.file)}</h3>'
        f'<p class="sa-meta">{html.escape(about)}</p><ul>{listed}</ul>{gaps}</article>'
    )


@dataclass
class CoverageTab:
    types: gr.CheckboxGroup
    countries: gr.Dropdown
    languages: gr.CheckboxGroup
    refresh: gr.Button
    plot: gr.Plot
    totals: gr.HTML
    bridge: gr.HTML
    cards: gr.HTML
    cards_state: gr.State
    cell: gr.State
    count: gr.Number
    note: gr.Textbox
    save: gr.Button
    message: gr.Markdown
    csv: gr.Button
    xlsx: gr.Button
    file: gr.File
    digest_theme: gr.Dropdown
    digest_docx: gr.Button
    digest_md: gr.Button

    @property
    def filters(self) -> list[Any]:
        return [self.types, self.countries, self.languages]


def build_coverage_tab(ctx: AppContext) -> CoverageTab:
    """Lay out the Coverage screen."""
    subs = ctx.store.submissions()
    types = sorted({s.submitter_type for s in subs if s.submitter_type})
    countries = sorted({s.country for s in subs if s.country})
    languages = sorted({s.language for s in subs if s.language})
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=480):
            with gr.Row():
                t = gr.CheckboxGroup(types, label="Submitter type", elem_id="sa-cov-types")
                c = gr.Dropdown(
                    countries, multiselect=True, label="Country", elem_id="sa-cov-countries"
                )
                lang = gr.CheckboxGroup(languages, label="Language", elem_id="sa-cov-languages")
            refresh = gr.Button(
                "Show the matrix", variant="primary", elem_id="sa-cov-refresh", size="sm"
            )
            plot = gr.Plot(label="Coverage of the call's themes", elem_id="sa-coverage-plot")
            totals = gr.HTML("", elem_id="sa-coverage-totals-box")
            with gr.Row():
                csv = gr.Button("Export CSV", size="sm", elem_id="sa-cov-csv")
                xlsx = gr.Button("Export Excel", size="sm", elem_id="sa-cov-xlsx")
            with gr.Row():
                theme_choices = [("All themes", "all")] + [
                    (f"{t.id} {t.label}", t.id) for t in profile_of(ctx).themes
                ]
                digest_theme = gr.Dropdown(
                    theme_choices, value="all", label="Thematic digest", elem_id="sa-digest-theme"
                )
                digest_docx = gr.Button("Digest (Word)", size="sm", elem_id="sa-digest-docx")
                digest_md = gr.Button("Digest (Markdown)", size="sm", elem_id="sa-digest-md")
            file = gr.File(label="Exported file", visible=False, elem_id="sa-cov-file")
        with gr.Column(scale=2, min_width=320):
            bridge = gr.HTML(
                "", elem_id="sa-coverage-bridge", js_on_load=asset("coverage_on_load.js")
            )
            cards = gr.HTML(EMPTY_CELL, elem_id="sa-coverage-cards", max_height=760, padding=True)
            with gr.Accordion("Correct this cell", open=False):
                count = gr.Number(label="Passages (0 = not addressed)", precision=0, minimum=0)
                note = gr.Textbox(label="Note", lines=1)
                save = gr.Button("Save the correction", size="sm")
                message = gr.Markdown("")
    return CoverageTab(
        t,
        c,
        lang,
        refresh,
        plot,
        totals,
        bridge,
        cards,
        gr.State([]),
        gr.State({}),
        count,
        note,
        save,
        message,
        csv,
        xlsx,
        file,
        digest_theme,
        digest_docx,
        digest_md,
    )
