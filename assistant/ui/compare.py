"""The Compare screen: pick two sides or more, compare them theme by theme or on a question.

Sides are groups (``type=…``), countries, submitters or single submissions, offered from the
index. The table has one row per theme of the call (or per aspect of the question) and one
column per side; each cell is the side's best passage for that row, quoted verbatim with its
locator, or "not addressed". A possible tension is marked as a hint, never as a finding.
"""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import gradio as gr

from assistant.analyses.compare import (
    Comparison,
    comparison_json,
    question_aspects,
    theme_aspects,
    topic_of,
)
from assistant.analyses.sides import detect_sides, resolve_side, submission_label
from assistant.errors import AssistantError
from assistant.ui.context import AppContext

logger = logging.getLogger(__name__)

ALL_THEMES = "All themes"


@dataclass
class CompareTab:
    sides: gr.Dropdown
    question: gr.Textbox
    theme: gr.Dropdown
    run: gr.Button
    table: gr.HTML
    download: gr.File


def side_choices(ctx: AppContext) -> list[tuple[str, str]]:
    """Return (label, side spec) for every group, country, submitter and submission."""
    subs = ctx.store.submissions()
    out: list[tuple[str, str]] = []
    for kind in sorted({s.submitter_type for s in subs if s.submitter_type}):
        out.append((f"Group: {kind}", f"type={kind}"))
    for country in sorted({s.country for s in subs if s.country}):
        out.append((f"Country: {country}", f"country={country}"))
    countries = {s.country for s in subs}
    for name in sorted({s.submitter for s in subs if s.submitter and s.submitter not in countries}):
        out.append((f"Submitter: {name}", f"submitter={name}"))
    for sub in subs:
        out.append((f"Submission: {submission_label(sub)}", sub.key))
    return out


def theme_choices(ctx: AppContext) -> list[tuple[str, str]]:
    """Return the theme filter's choices: every theme, or one."""
    try:
        themes = theme_aspects(ctx.settings.call_file)
    except AssistantError:
        themes = []
    return [(ALL_THEMES, ""), *[(t.label, t.theme_id) for t in themes]]


def run_compare(ctx: AppContext, specs: Sequence[str], question: str, theme: str) -> Comparison:
    """Return the comparison the screen asks for (raises AssistantError with a message)."""
    subs = ctx.store.submissions()
    if len(specs or ()) < 2:
        raise AssistantError("pick two sides or more to compare")
    labels = dict(side_choices(ctx))
    by_spec = {spec: label for label, spec in labels.items()}
    sides = []
    for spec in specs:
        side = resolve_side(spec, subs)
        shown = by_spec.get(spec, spec).split(": ", 1)[-1]
        sides.append(type(side)(shown, side.keys, side.kind, side.named_by))
    question = (question or "").strip()
    if question:
        aspects = question_aspects(topic_of(question, detect_sides(question, subs).names))
    else:
        aspects = theme_aspects(ctx.settings.call_file, theme or "")
    return ctx.engine.comparer.compare(sides, aspects, question=question)


def table_html(comparison: Comparison) -> str:
    """Return the comparison as an HTML table (quotes escaped, shown whole)."""
    labels = [s.label for s in comparison.sides]
    head = "".join(f"<th>{html.escape(label)}</th>" for label in labels)
    rows = []
    for row in comparison.rows:
        cells = []
        for cell in row.cells:
            if cell is None:
                cells.append('<td class="sa-cmp-none"><em>not addressed</em></td>')
                continue
            c = cell.citation
            quote = (
                "<em>confidential submission: quote withheld</em>"
                if c.confidential
                else f"“{html.escape(c.quote)}”"
            )
            where = html.escape(", ".join(x for x in (c.file, c.locator) if x))
            cells.append(
                f'<td class="sa-cmp-cell"><div class="sa-cmp-quote">{quote}</div>'
                f'<div class="sa-cmp-where">{where}</div></td>'
            )
        flag = ""
        if row.tension is not None:
            text = html.escape(row.tension.describe(labels))
            flag = f'<div class="sa-cmp-tension">⚠ {text} (a hint to check, not a finding)</div>'
        rows.append(
            f'<tr><th scope="row">{html.escape(row.aspect.label)}{flag}</th>{"".join(cells)}</tr>'
        )
    caption = html.escape(comparison.question or "Theme by theme")
    return (
        f'<table class="sa-compare" id="sa-compare-table"><caption>{caption}</caption>'
        f"<thead><tr><th></th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def compare_handler(ctx: AppContext, specs: list[str], question: str, theme: str) -> tuple:
    """Return the table's HTML and the JSON file of the comparison (or a message)."""
    try:
        comparison = run_compare(ctx, specs, question, theme)
    except AssistantError as exc:
        return f'<p class="sa-cmp-error">{html.escape(str(exc))}</p>', gr.update(visible=False)
    path = ctx.new_file("comparison.json")
    payload: dict[str, Any] = comparison_json(comparison)
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    return table_html(comparison), gr.update(value=str(path), visible=True)


def build_compare_tab(ctx: AppContext) -> CompareTab:
    """Build the Compare screen and wire its button."""
    with gr.Row():
        sides = gr.Dropdown(
            choices=side_choices(ctx),
            multiselect=True,
            label="Sides (two or more)",
            elem_id="sa-compare-sides",
            scale=3,
        )
        theme = gr.Dropdown(
            choices=theme_choices(ctx),
            value="",
            label="Theme",
            elem_id="sa-compare-theme",
            scale=1,
        )
    question = gr.Textbox(
        label="Or compare on a question (optional)",
        placeholder="e.g. Who decides disciplinary sanctions?",
        elem_id="sa-compare-question",
    )
    run = gr.Button("Compare", variant="primary", elem_id="sa-compare-run")
    table = gr.HTML(elem_id="sa-compare-result")
    download = gr.File(label="Comparison (JSON)", visible=False, interactive=False)
    tab = CompareTab(sides, question, theme, run, table, download)
    run.click(
        lambda specs, q, t: compare_handler(ctx, specs, q, t),
        [sides, question, theme],
        [table, download],
        api_name="compare",
    )
    return tab
