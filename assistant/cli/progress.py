"""Ingest and rebuild progress on the terminal: a rich bar on a TTY, plain lines otherwise.

Both go to stderr, so that stdout keeps the report (and ``--json`` stays machine-readable:
with ``--json`` nothing but the JSON is printed).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from vectorstore.progress import IngestProgress, ProgressCallback, format_seconds

PLAIN_EVERY_S = 10.0  # plain lines: one per file, and one at least this often within a file


def plain_lines(label: str, stream: IO[str]) -> ProgressCallback:
    """Return a callback printing one line per finished file (and every few seconds)."""
    last = {"files": -1, "at": time.monotonic()}

    def report(state: IngestProgress) -> None:
        now = time.monotonic()
        new_file = state.files_done != last["files"]
        if not (new_file or state.finished or now - last["at"] >= PLAIN_EVERY_S):
            return
        last["files"], last["at"] = state.files_done, now
        name = f" {state.current}" if new_file and state.current and not state.finished else ""
        print(f"{label}: {state.describe()}{name}", file=stream, flush=True)

    return report


@contextmanager
def rich_bar(label: str) -> Iterator[ProgressCallback]:
    """Yield a callback drawing a bar with files, passages, rate and time left on stderr."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[detail]}"),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None, detail="")

        def update(state: IngestProgress) -> None:
            total = state.passages_total or state.files_total or None
            done = state.passages_done if state.passages_total else state.files_done
            left = state.seconds_left
            detail = [
                f"{state.files_done}/{state.files_total} files",
                f"{state.passages_done}/{state.passages_total} passages",
            ]
            if state.rate:
                detail.append(f"{state.rate:.1f}/s")
            if left is not None and not state.finished:
                detail.append(f"{format_seconds(left)} left")
            bar.update(task, completed=done, total=total, detail=" · ".join(detail))

        yield update


@contextmanager
def ingest_progress(label: str, *, enabled: bool) -> Iterator[ProgressCallback | None]:
    """Yield the progress callback for an ingest or rebuild (None when disabled)."""
    if not enabled:
        yield None
    elif sys.stderr.isatty():
        with rich_bar(label) as update:
            yield update
    else:
        yield plain_lines(label, sys.stderr)
