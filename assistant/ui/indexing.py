"""Indexing progress in the app: the banner above the screens and the Library's per-file list.

Both are plain HTML built from :class:`assistant.background.JobStatus` snapshots (no Gradio
here, so tests call them directly); the app polls them with a timer.
"""

from __future__ import annotations

import html
import time
from typing import Any

from assistant.background import BackgroundIndexer, JobStatus
from vectorstore.progress import format_seconds

FINISHED_NOTE_S = 20.0  # the banner says "finished" this long after a job ends
WORDS = {
    "waiting": "waiting",
    "added": "added",
    "updated": "updated",
    "unchanged": "already indexed, unchanged",
    "duplicate": "duplicate",
    "removed": "removed",
    "failed": "not indexed",
}


def _bar(fraction: float) -> str:
    percent = int(fraction * 100)
    return (
        f'<div class="sa-bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" '
        f'aria-valuenow="{percent}"><div style="width:{percent}%"></div></div>'
    )


def banner_html(job: JobStatus | None, indexed: int, now: float | None = None) -> str:
    """Return the banner for the latest job ("" when there is nothing to say)."""
    if job is None:
        return ""
    now = time.monotonic() if now is None else now
    p = job.progress
    what = "Rebuilding the index" if job.kind == "rebuild" else "Indexing"
    attrs = f'data-state="{job.state}" data-fraction="{p.fraction:.3f}"'
    if job.running:
        noun = "submission" if indexed == 1 else "submissions"
        text = (
            f"{what} in the background: {html.escape(p.describe())}. "
            f"Questions are answered from the {indexed} {noun} indexed so far; "
            "indexing continues."
        )
        return (
            f'<div class="sa-indexing" {attrs}><p>{text}</p>{_bar(p.fraction)}'
            f'<span class="sa-percent">{int(p.fraction * 100)} %</span></div>'
        )
    if now - job.finished_at > FINISHED_NOTE_S:
        return ""
    if job.state == "failed":
        text = f"{what} stopped: {html.escape(job.error)}"
        return f'<div class="sa-indexing sa-failed" {attrs}><p>{text}</p></div>'
    counts = job.report.counts() if job.report is not None else {}
    summary = ", ".join(f"{n} {WORDS.get(a, a)}" for a, n in counts.items() if n)
    text = (
        f"{what} finished: {html.escape(summary or 'nothing to do')}; {p.passages_done} "
        f"passages in {format_seconds(p.elapsed_s)}. Answers now cover every submission."
    )
    return (
        f'<div class="sa-indexing sa-done" {attrs}><p>{text}</p>{_bar(1.0)}'
        '<span class="sa-percent">100 %</span></div>'
    )


def job_html(job: JobStatus) -> str:
    """Return a job's progress and its files (done ones with their outcome) as HTML."""
    p = job.progress
    if job.state == "failed":
        head = f'<p class="sa-failed">Stopped: {html.escape(job.error)}</p>'
    elif job.running:
        state = "Waiting for the indexer…" if job.state == "queued" else p.describe()
        head = f"<p>{html.escape(state)}</p>{_bar(p.fraction)}"
    else:
        head = f"<p>{html.escape(p.describe())}</p>"
    rows = []
    current_marked = False
    for f in job.files:
        word = WORDS.get(f.action, f.action)
        if f.action == "waiting" and job.state == "running" and not current_marked:
            word, current_marked = "indexing…", True
        noun = "passage" if f.passages == 1 else "passages"
        detail = f.detail or (f"{f.passages} {noun}" if f.passages else "")
        css = ' class="sa-failed"' if f.action == "failed" else ""
        rows.append(
            f"<tr{css}><td>{html.escape(f.key)}</td><td>{html.escape(word)}</td>"
            f"<td>{html.escape(detail)}</td></tr>"
        )
    table = (
        "<table><thead><tr><th>File</th><th>Result</th><th>Details</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        if rows
        else ""
    )
    return f'<div class="sa-report" data-state="{job.state}">{head}{table}</div>'


def status_record(indexer: BackgroundIndexer | None) -> dict[str, Any]:
    """Return the latest job's progress as JSON-ready data (the app's /indexing_status)."""
    job = indexer.latest() if indexer is not None else None
    if job is None:
        return {"state": "idle"}
    p = job.progress
    return {
        "id": job.id,
        "kind": job.kind,
        "state": job.state,
        "label": job.label,
        "error": job.error,
        "fraction": p.fraction,
        "files_done": p.files_done,
        "files_total": p.files_total,
        "passages_done": p.passages_done,
        "passages_total": p.passages_total,
        "rate": p.rate,
        "seconds_left": p.seconds_left,
        "elapsed_s": p.elapsed_s,
        "description": p.describe(),
    }
