"""The Ask screen: streaming chat on the left, citation cards on the right, export below.

Handlers are plain functions over an :class:`AppContext` so that tests can call them directly;
``build_ask_tab`` only lays out components and wires the events.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.errors import AssistantError
from assistant.exports import answer as export
from assistant.types import CitationsReady, Done, TextDelta
from assistant.ui import conversation
from assistant.ui.cards import render_sources
from assistant.ui.context import AppContext, example_questions
from assistant.ui.docview import find_citation
from assistant.ui.filters import build_filters, chips_html, submission_label
from assistant.ui.theme import asset
from ingest.errors import IngestError
from vectorstore.errors import StoreError

logger = logging.getLogger(__name__)

FAILED = "Something went wrong while answering. The details are in the server log."
ANSWER_ATTEMPTS = 2  # one more try when the index changed under a question


# --- handlers ---------------------------------------------------------------------------------


def respond(
    ctx: AppContext,
    question: str,
    stored: Any,
    types: Sequence[str] | None = None,
    countries: Sequence[str] | None = None,
    languages: Sequence[str] | None = None,
    keys: Sequence[str] | None = None,
    themes: Sequence[str] | None = None,
) -> Iterator[tuple[list[dict], str, list[dict], str]]:
    """Stream an answer: yield (chat messages, sources HTML, stored conversation, input box)."""
    answers = conversation.load(stored)
    question = (question or "").strip()
    if not question:
        yield conversation.chat_messages(answers), render_sources(answers), stored or [], ""
        return
    filters = build_filters(types, countries, languages, keys, themes)
    partial, pending = "", ()
    yield (
        conversation.chat_messages(answers, (question, "")),
        render_sources(answers),
        conversation.dump(answers),
        "",
    )
    # A writer in another process (an ingest, remove or rebuild from the CLI) can change the
    # index under a question; the store reopens what is stale, so one more try is answered from
    # the new state. A second failure is reported.
    for attempt in range(1, ANSWER_ATTEMPTS + 1):
        partial, pending = "", ()
        try:
            events = ctx.engine.stream(question, conversation.history(answers), filters)
            for event in events:
                if isinstance(event, TextDelta):
                    partial += event.text
                elif isinstance(event, CitationsReady):
                    pending = event.citations
                elif isinstance(event, Done):
                    answers.append(event.answer)
                    partial = ""
                    continue
                else:
                    continue
                yield (
                    conversation.chat_messages(answers, (question, partial)),
                    render_sources(answers, pending),
                    conversation.dump(answers),
                    "",
                )
            break
        except (AssistantError, IngestError) as exc:
            raise gr.Error(str(exc)) from exc
        except Exception as exc:
            if attempt < ANSWER_ATTEMPTS:
                logger.warning("answering %r failed (%s); answering again", question, exc)
                continue
            if isinstance(exc, StoreError):
                raise gr.Error(str(exc)) from exc
            logger.exception("answering %r failed", question)
            raise gr.Error(FAILED) from exc
    yield (
        conversation.chat_messages(answers),
        render_sources(answers),
        conversation.dump(answers),
        "",
    )


def restore(stored: Any) -> tuple[list[dict], str]:
    """Return the chat and sources for a conversation kept in the browser (page reload)."""
    answers = conversation.load(stored)
    return conversation.chat_messages(answers), render_sources(answers)


def new_conversation() -> tuple[list[dict], str, list, str]:
    """Return an empty chat, empty sources, an empty stored conversation and an empty input."""
    return [], render_sources([]), [], ""


def export_answers(ctx: AppContext, stored: Any, scope: str, fmt: str) -> str:
    """Write the last answer (scope "answer") or the conversation to a file; return its path."""
    answers = conversation.load(stored)
    if not answers:
        raise gr.Error("There is nothing to export yet: ask a question first.")
    chosen = answers[-1:] if scope == "answer" else answers
    name = "answer" if scope == "answer" else "conversation"
    path = ctx.new_file(f"submissions-{name}.{fmt}")
    if fmt == "docx":
        export.to_docx(chosen, path)
    else:
        export.write_markdown(chosen, path)
    return str(path)


FULL_LIST = "Show the full list of submissions"


def export_who(ctx: AppContext, stored: Any, fmt: str) -> str:
    """Write the who list of the last question to CSV or Word; return its path."""
    from assistant.exports import who as who_export

    answers = conversation.load(stored)
    if not answers:
        raise gr.Error("There is nothing to export yet: ask a “Which submissions …” question.")
    last = answers[-1]
    question = last.resolved_question or last.question
    result = ctx.engine.who(question)
    path = ctx.new_file(f"submissions-who.{fmt}")
    if fmt == "csv":
        who_export.write_csv(result, path)
    else:
        who_export.write_docx(result, path)
    return str(path)


def download_original(ctx: AppContext, stored: Any, turn: int, n: int) -> str:
    """Return a copy of the cited submission's original Word file, named as it was ingested."""
    _answers, c = find_citation(stored, turn, n)
    try:
        source = ctx.store.original_path(c.submission_key)
    except StoreError as exc:
        raise gr.Error(str(exc)) from exc
    if not Path(source).is_file():
        raise gr.Error(f"The stored original of {c.file} is missing: ingest the file again.")
    return str(ctx.hand_out(Path(source), c.file or "submission.docx"))


def describe_filters(
    ctx: AppContext,
    types: Sequence[str] | None,
    countries: Sequence[str] | None,
    languages: Sequence[str] | None,
    keys: Sequence[str] | None,
    themes: Sequence[str] | None = None,
) -> str:
    """Return the chips for the filters currently set."""
    filters = build_filters(types, countries, languages, keys, themes)
    subs = ctx.store.submissions()
    titles = {s.key: submission_label(s) for s in subs}
    titles.update({t["id"]: f"{t['id']} {t['label']}" for t in ctx.call.get("themes", [])})
    return chips_html(filters, titles, total=len(subs))


# --- layout -----------------------------------------------------------------------------------


@dataclass
class AskTab:
    """The Ask screen's components that other screens wire to."""

    chat: gr.Chatbot
    question: gr.Textbox
    sources: gr.HTML
    chips: gr.HTML
    original: gr.File
    new: gr.Button
    exported: gr.File
    exports: list[tuple[gr.Button, str, str]]
    full_list: gr.Button
    who_exports: list[tuple[gr.Button, str]]


def build_ask_tab(ctx: AppContext) -> AskTab:
    """Lay out the Ask screen (events are wired in :mod:`assistant.ui.app`)."""
    examples = [{"text": q} for q in example_questions(ctx.call)]
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=420):
            chips = gr.HTML(
                chips_html(None, total=len(ctx.store.submissions())), elem_id="sa-chips"
            )
            chat = gr.Chatbot(
                label="Conversation",
                show_label=False,
                elem_id="sa-chat",
                height=560,
                examples=examples or None,
                placeholder=(
                    "**Ask about the submissions.** Every answer quotes the submissions word "
                    "for word; click a number such as [1] to see its source."
                ),
                feedback_options=None,
                latex_delimiters=[],  # "$5 … $10" in a quote is money, not mathematics
                buttons=["copy"],
                layout="panel",
            )
            question = gr.Textbox(
                label="Your question",
                placeholder="e.g. How are victims' families involved in investigations?",
                lines=1,
                max_lines=4,
                elem_id="sa-question",
                autofocus=True,
                submit_btn="Ask",
            )
            with gr.Row():
                new = gr.Button("New conversation", size="sm")
                export_answer = gr.Button("Export answer (Word)", size="sm")
                export_all = gr.Button("Export conversation (Word)", size="sm")
                export_md = gr.Button("Export conversation (Markdown)", size="sm")
            with gr.Row():
                full_list = gr.Button("Full list: every submission judged", size="sm")
                who_csv = gr.Button("Export who list (CSV)", size="sm")
                who_docx = gr.Button("Export who list (Word)", size="sm")
            exported = gr.File(
                label="Exported file", visible=False, interactive=False, elem_id="sa-exported"
            )
        with gr.Column(scale=2, min_width=320):
            gr.Markdown("### Sources")
            sources = gr.HTML(
                render_sources([]),
                elem_id="sa-sources",
                max_height=720,
                js_on_load=asset("cards_on_load.js"),
            )
            original = gr.File(
                label="Original file", visible=False, interactive=False, elem_id="sa-original"
            )
    exports = [
        (export_answer, "answer", "docx"),
        (export_all, "conversation", "docx"),
        (export_md, "conversation", "md"),
    ]
    who_exports = [(who_csv, "csv"), (who_docx, "docx")]
    return AskTab(
        chat, question, sources, chips, original, new, exported, exports, full_list, who_exports
    )
