"""The Document screen: one submission rendered in full, the cited quote highlighted and in view."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import gradio as gr

from assistant.formatting import locator_of
from assistant.types import Answer, Citation
from assistant.ui import conversation, pdfview
from assistant.ui.context import AppContext
from assistant.ui.document import Highlight, anchor_id, render_cited_list, render_document
from assistant.ui.filters import submission_choices
from assistant.ui.theme import asset
from vectorstore.errors import StoreError

logger = logging.getLogger(__name__)

EMPTY = (
    '<div class="sa-sources-empty"><p>Open a source from an answer (“Open in document”), or '
    "pick a submission above, to read it here with the cited passages highlighted.</p></div>"
)


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _locate(doc_text: str, c: Citation) -> tuple[int, int] | None:
    """Return the quote's offsets in this version of the document, or None when it is gone."""
    if doc_text[c.char_start : c.char_end] == c.quote and c.quote:
        return c.char_start, c.char_end
    at = doc_text.find(c.quote) if c.quote else -1
    if at >= 0:
        logger.info("citation [%d] of %s moved: found at %d", c.n, c.submission_key, at)
        return at, at + len(c.quote)
    return None


def highlights_for(
    answers: Sequence[Answer], key: str, doc_text: str, focus: tuple[int, int] | None = None
) -> tuple[list[tuple[Highlight, str]], int]:
    """Return (highlight, side-list text) for every citation of ``key``, and how many are gone."""
    items: list[tuple[Highlight, str]] = []
    missing = 0
    for turn, answer in enumerate(answers):
        for c in answer.citations:
            if c.submission_key != key:
                continue
            span = _locate(doc_text, c)
            if span is None:
                missing += 1
                continue
            where = locator_of(c, fallback=c.heading_path[-1] if c.heading_path else "")
            text = f"Q{turn + 1} [{c.n}] {where} — “{_short(c.quote)}”"
            primary = focus == (turn, c.n)
            items.append((Highlight(span[0], span[1], anchor_id(turn, c.n), text, primary), text))
    return items, missing


def find_citation(stored: Any, turn: int, n: int) -> tuple[list[Answer], Citation]:
    """Return (answers, citation [n] of ``turn``) or raise gr.Error when it is gone."""
    answers = conversation.load(stored)
    if 0 <= turn < len(answers):
        for c in (*answers[turn].citations, *answers[turn].closest):
            if c.n == n:
                return answers, c
    raise gr.Error("That source is no longer in this conversation.")


def open_document(
    ctx: AppContext, stored: Any, key: str | None, focus: tuple[int, int] | None = None
) -> tuple[str, str, str | None]:
    """Return (document HTML, cited-passages list HTML, original file path) for ``key``."""
    if not key:
        return EMPTY, render_cited_list([]), None
    try:
        submission = ctx.store.submission(key)
        document = ctx.store.document(key)
    except StoreError as exc:
        raise gr.Error(str(exc)) from exc
    answers = conversation.load(stored)
    items, missing = highlights_for(answers, key, document.text, focus)
    body = render_document(document, submission, [h for h, _ in items])
    if missing:
        note = (
            f'<p class="sa-notice">{missing} cited passage(s) of this submission are not in the '
            "current version of the file: it changed after the question was asked.</p>"
        )
        body = note + body
    current = anchor_id(*focus) if focus else ""
    original = None
    try:
        path = ctx.store.original_path(key)
        if path.is_file():
            original = str(ctx.hand_out(path, submission.file or "submission.docx"))
            if pdfview.is_pdf(document):
                body = pdfview.split_view(
                    pdfview.render_pages(path, document, [h for h, _ in items]), body
                )
    except (StoreError, OSError):
        logger.exception("cannot hand out the original of %s", key)
    return body, render_cited_list(items, current), original


def open_citation(ctx: AppContext, stored: Any, turn: int, n: int) -> tuple[str, str, str, str]:
    """Return (submission key, document HTML, cited list HTML, original) for citation [n]."""
    _answers, c = find_citation(stored, turn, n)
    body, cited, original = open_document(ctx, stored, c.submission_key, (turn, n))
    return c.submission_key, body, cited, original


# --- layout -----------------------------------------------------------------------------------


@dataclass
class DocumentTab:
    """The Document screen's components."""

    picker: gr.Dropdown
    body: gr.HTML
    cited: gr.HTML
    original: gr.DownloadButton


def build_document_tab(ctx: AppContext) -> DocumentTab:
    """Lay out the Document screen."""
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=480):
            picker = gr.Dropdown(
                submission_choices(ctx.store.submissions()),
                value=None,
                label="Submission",
                elem_id="sa-doc-picker",
                interactive=True,
            )
            body = gr.HTML(
                EMPTY,
                elem_id="sa-document",
                js_on_load=asset("document_on_load.js"),
                padding=True,
                max_height=760,
            )
        with gr.Column(scale=1, min_width=260):
            cited = gr.HTML(render_cited_list([]), elem_id="sa-cited")
            original = gr.DownloadButton(
                "Download original", value=None, elem_id="sa-doc-original", size="sm"
            )
    return DocumentTab(picker, body, cited, original)
