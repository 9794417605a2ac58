"""The Library screen: the submissions table, upload, metadata edits, removal and rebuild.

Uploads, removal and rebuild go through :mod:`vectorstore.sync`, the same code as the CLI,
which holds the index's writer lock. A user's own files are never modified.
"""

from __future__ import annotations

import csv
import html
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.themes.tagger import tag_after_sync
from assistant.ui.context import AppContext
from assistant.ui.document import language_name
from assistant.ui.filters import submission_choices
from ingest.formats import SUFFIXES, FormatOptions
from ingest.metadata import MANIFEST_FIELDS
from ingest.types import SUBMITTER_TYPES, Submission
from vectorstore import sync
from vectorstore.duplicates import twins_of
from vectorstore.errors import StoreError

logger = logging.getLogger(__name__)

COLUMNS = [
    "Submitter",
    "Type",
    "Country",
    "Language",
    "Date",
    "Passages",
    "Confidential",
    "Status",
    "Key",
]
EDITABLE = {"Type", "Country", "Confidential"}
DATATYPES = ["str", "str", "str", "str", "str", "number", "bool", "str", "str"]
REPORT_WORDS = {
    "added": "added",
    "updated": "updated",
    "unchanged": "already indexed, unchanged",
    "duplicate": "duplicate",
    "removed": "removed",
    "failed": "not indexed",
    "skipped": "skipped",
}
ProgressFn = Callable[..., Any]


# --- handlers ---------------------------------------------------------------------------------


def status_of(ctx: AppContext, sub: Submission, twins: dict[str, list[str]] | None = None) -> str:
    """Return "indexed", or what is wrong with the submission's stored copy.

    With ``twins`` ({key: keys of the same text}), a submission whose text matches another's
    says "possible duplicate of …": staff decide which to remove.
    """
    try:
        present = ctx.store.original_path(sub.key).is_file()
    except StoreError:
        present = False
    status = "indexed" if present else "original missing: ingest it again"
    same = (twins or {}).get(sub.key)
    if same:
        status += " · possible duplicate of " + ", ".join(same[:3])
    return status


def library_rows(ctx: AppContext) -> list[list[Any]]:
    """Return one table row per submission, in the order of :data:`COLUMNS`."""
    twins = twins_of(ctx.store.registry)
    return [
        [
            s.submitter or s.file,
            s.submitter_type,
            s.country,
            language_name(s.language),
            s.date,
            s.passages,
            bool(s.confidential),
            status_of(ctx, s, twins),
            s.key,
        ]
        for s in ctx.store.submissions()
    ]


def report_html(report: sync.IngestReport) -> str:
    """Return the per-file outcome of an ingest, remove or rebuild as an HTML table."""
    if not report.outcomes:
        return '<p class="sa-muted">No file was processed.</p>'
    rows = []
    for o in report.outcomes:
        word = REPORT_WORDS.get(o.action, o.action)
        noun = "passage" if o.passages == 1 else "passages"
        detail = o.detail or (f"{o.passages} {noun}" if o.passages else "")
        css = ' class="sa-failed"' if o.action == "failed" else ""
        rows.append(
            f"<tr{css}><td>{html.escape(o.key)}</td><td>{html.escape(word)}</td>"
            f"<td>{html.escape(detail)}</td></tr>"
        )
    counts = ", ".join(f"{n} {REPORT_WORDS[a]}" for a, n in report.counts().items() if n)
    return (
        f'<div class="sa-report"><p>{html.escape(counts)}.</p><table>'
        "<thead><tr><th>File</th><th>Result</th><th>Details</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _progress_callback(progress: ProgressFn | None, verb: str) -> sync.Progress | None:
    if progress is None:
        return None

    def report(done: int, total: int, name: str) -> None:
        progress((done, total), desc=f"{verb} {name}", unit="files")

    return report


def _options(ctx: AppContext) -> dict[str, Any]:
    s = ctx.settings
    return {
        "chunk_tokens": s.chunk_tokens,
        "overlap_tokens": s.overlap_tokens,
        "max_file_mb": s.max_file_mb,
        "limits": {
            "max_unpacked_mb": s.max_unpacked_mb,
            "max_compression_ratio": s.max_compression_ratio,
            "max_paragraphs": s.max_paragraphs,
            "max_passages": s.max_passages,
        },
        "formats": FormatOptions.from_settings(s),
    }


def upload(
    ctx: AppContext, files: Sequence[str] | None, progress: ProgressFn | None = None
) -> tuple[str, list[list[Any]]]:
    """Index uploaded files (Word, PDF, .odt, .doc, .rtf); return (report HTML, table rows)."""
    paths = [Path(f) for f in files or [] if f]
    if not paths:
        raise gr.Error("Choose one or more files (.docx, .pdf, .odt, .doc, .rtf) first.")
    if progress is not None:
        progress(0, desc="Reading the files")
    try:
        report = sync.sync(
            ctx.store, paths, progress=_progress_callback(progress, "Indexed"), **_options(ctx)
        )
    except StoreError as exc:
        raise gr.Error(str(exc)) from exc
    tag_after_sync(ctx.store, ctx.settings)
    return report_html(report), library_rows(ctx)


def update_submission(ctx: AppContext, key: str, **changes: Any) -> Submission:
    """Save new metadata for one submission (registry and passages), kept across re-ingests."""
    return sync.update_metadata(ctx.store, key, **changes)


def _canonical_type(value: str) -> str | None:
    folded = value.strip().casefold()
    for t in SUBMITTER_TYPES:
        if folded in (t.casefold(), t.split("/")[0].casefold()):
            return t
    return None


def save_edits(ctx: AppContext, table: Any) -> tuple[str, list[list[Any]]]:
    """Save changed type, country and confidential cells; return (message, refreshed rows)."""
    rows = table.values.tolist() if hasattr(table, "values") else list(table or [])
    current = {s.key: s for s in ctx.store.submissions()}
    col = {name: i for i, name in enumerate(COLUMNS)}
    saved, problems = [], []
    for row in rows:
        key = str(row[col["Key"]])
        sub = current.get(key)
        if sub is None:
            continue
        kind = _canonical_type(str(row[col["Type"]] or ""))
        if kind is None:
            problems.append(f"{key}: “{row[col['Type']]}” is not a submitter type")
            continue
        changes: dict[str, Any] = {}
        country = str(row[col["Country"]] or "").strip()
        confidential = str(row[col["Confidential"]]).strip().lower() in {"true", "1", "yes"}
        if kind != sub.submitter_type:
            changes["submitter_type"] = kind
        if country != sub.country:
            changes["country"] = country
        if confidential != bool(sub.confidential):
            changes["confidential"] = confidential
        if changes:
            try:
                update_submission(ctx, key, **changes)
            except StoreError as exc:
                problems.append(f"{key}: {exc}")
                continue
            saved.append(key)
    message = f"Saved changes to {len(saved)} submission(s)." if saved else "No change to save."
    if problems:
        allowed = ", ".join(SUBMITTER_TYPES)
        message += " Not saved: " + "; ".join(problems) + f". Types are: {allowed}."
    return message, library_rows(ctx)


def export_csv(ctx: AppContext) -> str:
    """Write the registry's metadata as submissions.csv (the manifest format); return its path."""
    path = ctx.new_file("submissions.csv")
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(MANIFEST_FIELDS))
        writer.writeheader()
        for s in ctx.store.submissions():
            writer.writerow(
                {
                    "file": s.key,
                    "title": s.title,
                    "submitter": s.submitter,
                    "submitter_type": s.submitter_type,
                    "country": s.country,
                    "language": s.language,
                    "date": s.date,
                    "confidential": "yes" if s.confidential else "no",
                }
            )
    return str(path)


def remove(ctx: AppContext, key: str | None) -> tuple[str, list[list[Any]]]:
    """Remove one submission from the index (the user's file is untouched)."""
    if not key:
        raise gr.Error("Pick the submission to remove first.")
    try:
        report = sync.remove(ctx.store, [key])
    except StoreError as exc:
        raise gr.Error(str(exc)) from exc
    tag_after_sync(ctx.store, ctx.settings)
    return report_html(report), library_rows(ctx)


def rebuild(ctx: AppContext, progress: ProgressFn | None = None) -> tuple[str, list[list[Any]]]:
    """Re-index every submission from its stored original, like `submissions rebuild`."""
    if progress is not None:
        progress(0, desc="Starting the rebuild")
    try:
        report = sync.rebuild(
            ctx.store, progress=_progress_callback(progress, "Rebuilt"), **_options(ctx)
        )
    except StoreError as exc:
        raise gr.Error(str(exc)) from exc
    tag_after_sync(ctx.store, ctx.settings)
    return report_html(report), library_rows(ctx)


# --- layout -----------------------------------------------------------------------------------


@dataclass
class LibraryTab:
    """The Library screen's components."""

    table: gr.Dataframe
    files: gr.File
    add: gr.Button
    report: gr.HTML
    save: gr.Button
    message: gr.Markdown
    csv: gr.Button
    csv_file: gr.File
    to_remove: gr.Dropdown
    remove: gr.Button
    confirm_row: gr.Row
    confirm: gr.Button
    cancel: gr.Button
    rebuild: gr.Button
    rebuild_row: gr.Row
    rebuild_confirm: gr.Button
    rebuild_cancel: gr.Button
    card_picker: gr.Dropdown | None = None  # the submission card (assistant.ui.coverage)
    card: gr.HTML | None = None


def build_library_tab(ctx: AppContext) -> LibraryTab:
    """Lay out the Library screen."""
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            files = gr.File(
                file_count="multiple",
                file_types=list(SUFFIXES),
                label="Add submissions (.docx, .pdf, .odt, .doc, .rtf; several at once)",
                elem_id="sa-upload",
                height=150,
            )
            add = gr.Button("Add to the index", variant="primary", elem_id="sa-add")
            report = gr.HTML("", elem_id="sa-report")
        with gr.Column(scale=2):
            to_remove = gr.Dropdown(
                submission_choices(ctx.store.submissions()),
                value=None,
                label="Remove a submission from the index",
            )
            remove_button = gr.Button("Remove…", size="sm", variant="stop")
            with gr.Row(visible=False) as confirm_row:
                gr.Markdown("Remove it from the index? Your own file is not touched.")
                confirm = gr.Button("Yes, remove it", variant="stop", size="sm")
                cancel = gr.Button("Cancel", size="sm")
            rebuild_button = gr.Button("Rebuild the index…", size="sm")
            with gr.Row(visible=False) as rebuild_row:
                gr.Markdown(
                    "Re-read every stored original and index it again. This can take a while."
                )
                rebuild_confirm = gr.Button("Rebuild now", variant="primary", size="sm")
                rebuild_cancel = gr.Button("Cancel", size="sm")
    gr.Markdown(
        "Click a column name to sort. Type, country and “confidential” can be edited in the "
        "table; then press **Save changes**."
    )
    table = gr.Dataframe(
        library_rows(ctx),
        headers=COLUMNS,
        datatype=DATATYPES,
        type="array",
        interactive=True,
        static_columns=[i for i, c in enumerate(COLUMNS) if c not in EDITABLE],
        wrap=True,
        column_widths=["15%", "13%", "11%", "9%", "9%", "7%", "8%", "8%", "20%"],
        label="Submissions",
        elem_id="sa-library",
        max_height=520,
    )
    with gr.Row():
        save = gr.Button("Save changes", variant="primary", size="sm")
        csv_button = gr.Button("Export submissions.csv", size="sm")
    message = gr.Markdown("", elem_id="sa-library-message")
    csv_file = gr.File(label="submissions.csv", elem_id="sa-csv", visible=False, interactive=False)
    with gr.Accordion("Submission card: the call's themes it covers", open=True):
        card_picker = gr.Dropdown(
            submission_choices(ctx.store.submissions()),
            value=None,
            label="Submission",
            elem_id="sa-card-picker",
        )
        card = gr.HTML("", elem_id="sa-subcard-box")
    return LibraryTab(
        table,
        files,
        add,
        report,
        save,
        message,
        csv_button,
        csv_file,
        to_remove,
        remove_button,
        confirm_row,
        confirm,
        cancel,
        rebuild_button,
        rebuild_row,
        rebuild_confirm,
        rebuild_cancel,
        card_picker,
        card,
    )
