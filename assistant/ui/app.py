"""The whole app: the screens (Ask, Document, Library, Compare), the filters sidebar, the wiring."""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.config import Settings
from assistant.ui import ask, compare, coverage, docview, filters, indexing, library
from assistant.ui.auth import authenticator, check_bind
from assistant.ui.context import AppContext
from assistant.ui.theme import asset, theme

if TYPE_CHECKING:
    from assistant.background import BackgroundIndexer
    from assistant.engine import Engine

logger = logging.getLogger(__name__)

STORAGE_KEY = "submissions-assistant-conversation"
SCROLL_TO_MARK = "() => { setTimeout(() => window.saFocusMark && window.saFocusMark(), 120); }"


def shown(path: str) -> dict:
    """Return an update that shows a file component holding ``path``."""
    return gr.update(value=path, visible=True)


def build_app(
    engine: Engine, settings: Settings, indexer: BackgroundIndexer | None = None
) -> gr.Blocks:
    """Return the app's Blocks for ``engine``; nothing is launched.

    ``indexer`` is the BackgroundIndexer of ``engine.store`` (one is made if None): its jobs'
    progress shows in a banner above the screens.
    """
    ctx = AppContext.create(engine, settings, indexer)
    title = "Submissions Assistant"
    with gr.Blocks(title=title, analytics_enabled=False) as app:
        # The conversation lives in the browser (survives a reload); the secret is per process.
        stored = gr.BrowserState([], storage_key=STORAGE_KEY)
        with gr.Sidebar(label="Filters", open=False, position="left", elem_id="sa-filters"):
            gr.Markdown("### Filters")
            themes = [(f"{t['id']} {t['label']}", t["id"]) for t in ctx.call.get("themes", [])]
            panel = filters.build_panel(ctx.store.submissions(), themes)
        call_title = ctx.call.get("title", "")
        gr.HTML(f"<h1>{title}</h1><p>{html.escape(call_title)}</p>", elem_id="sa-title")
        banner = gr.HTML(_banner(ctx), elem_id="sa-indexing")
        with gr.Tabs(selected="ask") as tabs:
            with gr.Tab("Ask", id="ask"):
                ask_tab = ask.build_ask_tab(ctx)
            with gr.Tab("Document", id="document") as doc_tab_item:
                doc_tab = docview.build_document_tab(ctx)
            with gr.Tab("Coverage", id="coverage") as cov_item:
                cov_tab = coverage.build_coverage_tab(ctx)
            with gr.Tab("Library", id="library"):
                lib_tab = library.build_library_tab(ctx)
            with gr.Tab("Compare", id="compare"):
                compare.build_compare_tab(ctx)
        _wire_ask(ctx, stored, panel, ask_tab, tabs, doc_tab)
        _wire_document(ctx, stored, doc_tab, doc_tab_item)
        _wire_library(ctx, lib_tab, panel, doc_tab, ask_tab.chips)
        _wire_coverage(ctx, cov_tab, cov_item, tabs, doc_tab, lib_tab)
        _wire_indexing(ctx, banner, lib_tab, panel, doc_tab, ask_tab.chips)
        # Restore the conversation kept in the browser when the page loads.
        app.load(ask.restore, [stored], [ask_tab.chat, ask_tab.sources], api_name=False)
    return app


def _wire_ask(
    ctx: AppContext,
    stored: gr.BrowserState,
    panel: filters.FilterPanel,
    tab: ask.AskTab,
    tabs: gr.Tabs,
    doc: docview.DocumentTab,
) -> None:
    outputs = [tab.chat, tab.sources, stored, tab.question]

    def respond(question, conversation, types, countries, languages, keys, themes=None):
        yield from ask.respond(
            ctx, question, conversation, types, countries, languages, keys, themes
        )

    inputs = [tab.question, stored, *panel.inputs]
    tab.question.submit(respond, inputs, outputs, api_name="ask", concurrency_limit=4)

    def ask_example(evt: gr.SelectData):
        value = evt.value
        return value.get("text", "") if isinstance(value, dict) else str(value)

    tab.chat.example_select(ask_example, None, tab.question, api_name=False).then(
        respond, inputs, outputs, api_name=False
    )
    tab.new.click(
        ask.new_conversation, None, [tab.chat, tab.sources, stored, tab.question], api_name=False
    )
    for button, scope, fmt in tab.exports:
        button.click(
            lambda conversation, scope=scope, fmt=fmt: shown(
                ask.export_answers(ctx, conversation, scope, fmt)
            ),
            [stored],
            tab.exported,
            api_name=f"export_{scope}_{fmt}",
        )

    for button, fmt in tab.who_exports:
        button.click(
            lambda conversation, fmt=fmt: shown(ask.export_who(ctx, conversation, fmt)),
            [stored],
            tab.exported,
            api_name=f"export_who_{fmt}",
        )

    def full_list(conversation, types, countries, languages, keys):
        yield from ask.respond(ctx, ask.FULL_LIST, conversation, types, countries, languages, keys)

    tab.full_list.click(full_list, [stored, *panel.inputs], outputs, api_name=False)

    def describe(types, countries, languages, keys, themes=None):
        return ask.describe_filters(ctx, types, countries, languages, keys, themes)

    for component in panel.inputs:
        component.change(describe, panel.inputs, tab.chips, api_name=False)
    panel.clear.click(lambda: tuple([] for _ in panel.inputs), None, panel.inputs, api_name=False)

    def on_card(conversation, evt: gr.EventData):
        data = getattr(evt, "_data", None) or {}
        action, turn, n = data.get("action"), int(data.get("turn", -1)), int(data.get("n", -1))
        if action == "download":
            path = ask.download_original(ctx, conversation, turn, n)
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), shown(path)
        if action == "open":
            key, body, cited, original = docview.open_citation(ctx, conversation, turn, n)
            return gr.Tabs(selected="document"), key, body, cited, original, gr.skip()
        return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()

    tab.sources.click(
        on_card,
        [stored],
        [tabs, doc.picker, doc.body, doc.cited, doc.original, tab.original],
        api_name=False,
    ).then(None, None, None, js=SCROLL_TO_MARK)


def _wire_document(
    ctx: AppContext, stored: gr.BrowserState, doc: docview.DocumentTab, item: gr.Tab
) -> None:
    def pick(key, conversation):
        return docview.open_document(ctx, conversation, key)

    doc.picker.input(
        pick, [doc.picker, stored], [doc.body, doc.cited, doc.original], api_name=False
    )
    item.select(None, None, None, js=SCROLL_TO_MARK)


def _wire_library(
    ctx: AppContext,
    tab: library.LibraryTab,
    panel: filters.FilterPanel,
    doc: docview.DocumentTab,
    chips: gr.HTML,
) -> None:
    def refreshed(types, countries, languages, keys, themes=None):
        subs = ctx.store.submissions()
        choices = [(filters.submission_label(s), s.key) for s in subs]
        return [
            *filters.update_choices(subs),
            gr.update(choices=choices),
            gr.update(choices=choices, value=None),
            ask.describe_filters(ctx, types, countries, languages, keys, themes),
        ]

    choice_outputs = [*panel.inputs, doc.picker, tab.to_remove, chips]

    refresh = {"fn": refreshed, "inputs": panel.inputs, "outputs": choice_outputs}

    def add(files):
        last: tuple = ("", gr.skip())
        for last in library.upload_stream(ctx, files):
            yield last[0], last[1], gr.skip()
        yield last[0], last[1], None

    tab.add.click(add, [tab.files], [tab.report, tab.table, tab.files], api_name="upload").then(
        **refresh, api_name=False
    )
    tab.save.click(
        lambda table: library.save_edits(ctx, table),
        [tab.table],
        [tab.message, tab.table],
        api_name="save_metadata",
    ).then(**refresh, api_name=False)
    tab.csv.click(lambda: shown(library.export_csv(ctx)), None, tab.csv_file, api_name="export_csv")

    show, hide = gr.update(visible=True), gr.update(visible=False)
    tab.remove.click(lambda: show, None, tab.confirm_row, api_name=False)
    tab.cancel.click(lambda: hide, None, tab.confirm_row, api_name=False)

    def remove(key):
        report, rows = library.remove(ctx, key)
        return report, rows, hide

    tab.confirm.click(
        remove, [tab.to_remove], [tab.report, tab.table, tab.confirm_row], api_name=False
    ).then(**refresh, api_name=False)

    tab.rebuild.click(lambda: show, None, tab.rebuild_row, api_name=False)
    tab.rebuild_cancel.click(lambda: hide, None, tab.rebuild_row, api_name=False)

    def rebuild():
        for report, rows in library.rebuild_stream(ctx):
            yield report, rows, hide

    tab.rebuild_confirm.click(
        rebuild, None, [tab.report, tab.table, tab.rebuild_row], api_name=False
    ).then(**refresh, api_name=False)


def _banner(ctx: AppContext) -> str:
    job = ctx.indexer.latest()
    indexed = len(ctx.store.submissions()) if job is not None and job.running else 0
    return indexing.banner_html(job, indexed)


def _wire_indexing(
    ctx: AppContext,
    banner: gr.HTML,
    tab: library.LibraryTab,
    panel: filters.FilterPanel,
    doc: docview.DocumentTab,
    chips: gr.HTML,
) -> None:
    """Poll the background indexer: the banner every second, the lists when a job ends."""
    timer = gr.Timer(1.0)
    seen = gr.State(-1)

    def tick(last_seen, types, countries, languages, keys):
        finished = ctx.indexer.finished
        unchanged = [gr.skip()] * (len(panel.inputs) + 4)
        if finished == last_seen:
            return [_banner(ctx), finished, *unchanged]
        subs = ctx.store.submissions()
        choices = [(filters.submission_label(s), s.key) for s in subs]
        return [
            _banner(ctx),
            finished,
            library.library_rows(ctx),
            *filters.update_choices(subs),
            gr.update(choices=choices),
            gr.update(choices=choices),
            ask.describe_filters(ctx, types, countries, languages, keys),
        ]

    outputs = [banner, seen, tab.table, *panel.inputs, doc.picker, tab.to_remove, chips]
    timer.tick(
        tick,
        [seen, *panel.inputs],
        outputs,
        api_name=False,
        concurrency_limit=None,
        show_progress="hidden",
    )

    def indexing_status() -> dict:
        return indexing.status_record(ctx.indexer)

    gr.api(indexing_status, api_name="indexing_status")


def _wire_coverage(
    ctx: AppContext,
    tab: coverage.CoverageTab,
    item: gr.Tab,
    tabs: gr.Tabs,
    doc: docview.DocumentTab,
    lib: library.LibraryTab,
) -> None:
    def show(types, countries, languages):
        return coverage.show(ctx, types, countries, languages)

    if lib.card_picker is not None and lib.card is not None:
        lib.card_picker.input(
            lambda key: coverage.submission_card(ctx, key),
            lib.card_picker,
            lib.card,
            api_name="submission_card",
        )

    draw = {"fn": show, "inputs": tab.filters, "outputs": [tab.plot, tab.totals]}
    tab.refresh.click(**draw, api_name="coverage")
    item.select(**draw, api_name=False)
    for component in tab.filters:
        component.change(**draw, api_name=False)

    def on_bridge(cards, evt: gr.EventData):
        data = getattr(evt, "_data", None) or {}
        if data.get("action") == "cell":
            body, state, cell = coverage.open_cell(ctx, data.get("key", ""), data.get("theme", ""))
            return body, state, cell, gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        if data.get("action") == "open":
            key, body, cited, original = coverage.open_card(ctx, cards, int(data.get("n", -1)))
            return (
                gr.skip(),
                gr.skip(),
                gr.skip(),
                gr.Tabs(selected="document"),
                key,
                body,
                cited,
                original,
            )
        return (gr.skip(),) * 8

    tab.bridge.click(
        on_bridge,
        [tab.cards_state],
        [tab.cards, tab.cards_state, tab.cell, tabs, doc.picker, doc.body, doc.cited, doc.original],
        api_name=False,
    ).then(None, None, None, js=SCROLL_TO_MARK)

    def save(cell, count, note, types, countries, languages):
        message = coverage.correct(ctx, cell, count, note)
        fig, totals = coverage.show(ctx, types, countries, languages)
        return message, fig, totals

    tab.save.click(
        save,
        [tab.cell, tab.count, tab.note, *tab.filters],
        [tab.message, tab.plot, tab.totals],
        api_name="correct_cell",
    )
    for button, fmt in ((tab.csv, "csv"), (tab.xlsx, "xlsx")):
        button.click(
            lambda types, countries, languages, fmt=fmt: shown(
                coverage.export(ctx, fmt, types, countries, languages)
            ),
            tab.filters,
            tab.file,
            api_name=f"coverage_{fmt}",
        )
    for button, fmt in ((tab.digest_docx, "docx"), (tab.digest_md, "md")):
        button.click(
            lambda theme, fmt=fmt: shown(coverage.digest(ctx, theme, fmt)),
            [tab.digest_theme],
            tab.file,
            api_name=f"digest_{fmt}",
        )


def launch_options(settings: Settings) -> dict[str, Any]:
    """Return the keyword arguments for ``Blocks.launch`` (checks the loopback rule first)."""
    check_bind(settings.host, settings.auth_file)
    options: dict[str, Any] = {
        "server_name": settings.host,
        "server_port": settings.port,
        "share": False,
        "allowed_paths": [],
        "theme": theme(),
        "css": asset("style.css"),
        "js": asset("hooks.js"),
        "footer_links": [],
        "run_history": False,
        "ssr_mode": False,
        "mcp_server": False,
        "show_error": False,
        "quiet": True,
    }
    if settings.auth_file:
        options["auth"] = authenticator(Path(settings.auth_file))
        options["auth_message"] = "Sign in to the Submissions Assistant."
    return options


def launch(app: gr.Blocks, settings: Settings, **overrides: Any) -> Any:
    """Launch ``app`` with the app's options; ``overrides`` win (e.g. prevent_thread_lock)."""
    return app.launch(**{**launch_options(settings), **overrides})
