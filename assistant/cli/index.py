"""Index subcommands: ingest, status, search, remove, rebuild.

Heavy libraries (chromadb, the embedders, rich) load inside the handlers, so that a no-change
``submissions ingest`` stays a registry read and a few stat calls.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.cli.factory import open_store
from assistant.cli.options import add_filter_option, add_index_option, parse_filters
from assistant.cli.progress import ingest_progress
from assistant.config import Settings, ingest_options
from assistant.formatting import format_locator
from ingest.pages import format_pages

if TYPE_CHECKING:
    from vectorstore.store import PassageStore
    from vectorstore.sync import IngestReport
    from vectorstore.types import Filters, Hit

SEARCH_MODES = ("hybrid", "dense", "bm25")
PIPE_WIDTH = 160  # columns when stdout is not a terminal (logs, CI), so file names stay whole


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False, width=None if sys.stdout.isatty() else PIPE_WIDTH)


def register(sub: argparse._SubParsersAction) -> None:
    """Register ingest, status, search, remove and rebuild."""
    ingest = sub.add_parser(
        "ingest", help="index .docx, .pdf, .odt, .doc and .rtf files or folders (incremental)"
    )
    ingest.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    ingest.add_argument(
        "--sync", action="store_true", help="also remove submissions gone from the given folders"
    )
    ingest.add_argument("--json", action="store_true", help="print the report as JSON")
    add_index_option(ingest)
    ingest.set_defaults(func=cmd_ingest)

    status = sub.add_parser("status", help="what the index holds")
    status.add_argument("--json", action="store_true", help="print JSON")
    add_index_option(status)
    status.set_defaults(func=cmd_status)

    search = sub.add_parser("search", help="retrieve passages for a query")
    search.add_argument("query")
    search.add_argument("--k", type=int, default=None, help="number of passages (default top_k)")
    search.add_argument("--json", action="store_true", help="print JSON")
    add_filter_option(search)
    search.add_argument(
        "--mode", choices=SEARCH_MODES, default="hybrid", help="retriever (default: hybrid)"
    )
    add_index_option(search)
    search.set_defaults(func=cmd_search)

    remove = sub.add_parser("remove", help="remove submissions from the index (files untouched)")
    remove.add_argument("keys", nargs="+", metavar="KEY")
    add_index_option(remove)
    remove.set_defaults(func=cmd_remove)

    rebuild = sub.add_parser("rebuild", help="re-ingest everything from the stored originals")
    rebuild.add_argument("--json", action="store_true", help="print the report as JSON")
    add_index_option(rebuild)
    rebuild.set_defaults(func=cmd_rebuild)

    gens = sub.add_parser("generations", help="list the index generations; remove old ones")
    gens.add_argument(
        "--remove", type=int, action="append", metavar="N", help="remove old generation N"
    )
    gens.add_argument("--json", action="store_true", help="print JSON")
    add_index_option(gens)
    gens.set_defaults(func=cmd_generations)


# ingest / rebuild / remove ------------------------------------------------------------------
def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    """Sync the given files and folders into the index; exit 1 if any file failed."""
    from vectorstore.sync import sync

    store = open_store(settings)
    with ingest_progress("Indexing", enabled=not args.json) as progress:
        report = sync(
            store,
            args.paths,
            sync_removed=args.sync,
            on_progress=progress,
            **ingest_options(settings),
        )
    tag_themes(store, settings)
    print_report(report, as_json=args.json)
    return 0 if report.ok else 1


def tag_themes(store: PassageStore, settings: Settings) -> None:
    """Score the new passages against the call's themes (stored vectors; no re-embedding)."""
    from assistant.themes.tagger import tag_after_sync

    tag_after_sync(store, settings)


def cmd_rebuild(args: argparse.Namespace, settings: Settings) -> int:
    """Re-embed every submission from its stored original (e.g. after changing embedder)."""
    from vectorstore.sync import rebuild

    store = open_store(settings, check_embedder=False)
    with ingest_progress("Rebuilding", enabled=not args.json) as progress:
        report = rebuild(
            store,
            on_progress=progress,
            keep_generations=settings.keep_generations,
            **ingest_options(settings),
        )
    tag_themes(store, settings)
    print_report(report, as_json=args.json)
    return 0 if report.ok else 1


def cmd_generations(args: argparse.Namespace, settings: Settings) -> int:
    """List the index generations, or remove old ones."""
    from vectorstore.rebuilding import describe_generations
    from vectorstore.sync import remove_generation

    store = open_store(settings, embedder=False, must_exist=True)
    for number in args.remove or ():
        try:
            remove_generation(store, number)
        except ValueError as exc:
            from assistant.errors import ConfigError

            raise ConfigError(str(exc)) from exc
    rows = describe_generations(store)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    console = _console()
    for row in rows:
        console.print(
            f"generation {row['generation']}: {row['state']}, {row['size_bytes'] / 1e6:.1f} MB, "
            f"{row['folder']}",
            markup=False,
        )
    return 0


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    """Remove submissions by key; exit 1 if a key is unknown."""
    from vectorstore.sync import remove

    report = remove(open_store(settings, embedder=False, must_exist=True), args.keys)
    print_report(report, as_json=False)
    return 0 if report.ok else 1


def print_report(report: IngestReport, *, as_json: bool) -> None:
    """Print an ingest report as JSON or as rich tables (summary, then every non-skip file)."""
    if as_json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        return
    from rich.table import Table

    console = _console()
    counts = report.counts()
    summary = Table(title="Ingest", show_header=True)
    for action in counts:
        summary.add_column(action, justify="right")
    summary.add_row(*(str(n) for n in counts.values()))
    console.print(summary)
    listed = [o for o in report.outcomes if o.action != "unchanged"]
    if listed:
        files = Table(show_header=True)
        files.add_column("file")
        files.add_column("result")
        files.add_column("passages", justify="right")
        files.add_column("reason / detail")
        for o in listed:
            style = "red" if o.action == "failed" else ""
            files.add_row(o.key, o.action, str(o.passages or ""), o.detail, style=style)
        console.print(files)
    for note in report.notes:
        console.print(note, markup=False)
    seconds = report.timings.get("total", 0.0)
    console.print(
        f"{report.embedded} passages embedded, {report.cached} from cache, {seconds:.1f} s"
    )


# status ------------------------------------------------------------------------------------
def status_record(store: PassageStore) -> dict[str, Any]:
    """Return the index status as a JSON-ready dict (read-only: no lock, no repair).

    Every submission counted is complete (the commit protocol guarantees it); a write in
    progress, or one that was killed and not yet repaired, is reported beside the counts.
    """
    from vectorstore.journal import describe
    from vectorstore.sync import last_run

    recorded = store.recorded_embedder()
    submissions = store.submissions()
    return {
        "index": str(store.index_dir),
        "embedder": recorded[0] if recorded else "",
        "embedding_dim": recorded[1] if recorded else 0,
        "submission_count": len(submissions),
        "passage_count": store.count(),
        "size_bytes": store.size_bytes(),
        "last_ingest": last_run(store.index_dir),
        "generation": store.generation,
        **describe(store),
        "submissions": [dataclasses.asdict(s) for s in submissions],
    }


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    """Print counts, embedder, size on disk, last ingest and the submissions."""
    record = status_record(open_store(settings, embedder=False, must_exist=True))
    if args.json:
        print(json.dumps(record, ensure_ascii=False, indent=2))
        return 0
    from rich.table import Table

    console = _console()
    last = record["last_ingest"] or {}
    console.print(
        f"Index {record['index']}: {record['submission_count']} submissions, "
        f"{record['passage_count']} passages, embedder {record['embedder'] or '-'} "
        f"({record['embedding_dim']}-d), {record['size_bytes'] / 1e6:.1f} MB; "
        f"last ingest {last.get('time', 'never')}"
    )
    table = Table(show_header=True)
    for column in ("key", "submitter", "type", "country", "language", "passages"):
        table.add_column(column)
    for s in record["submissions"]:
        table.add_row(
            s["key"],
            s["submitter"],
            s["submitter_type"],
            s["country"],
            s["language"],
            str(s["passages"]),
        )
    console.print(table)
    for line in write_lines(record):
        console.print(line)
    return 0


def write_lines(record: dict[str, Any]) -> list[str]:
    """Return the status lines about writes in progress and the last repair."""
    lines = []
    state = record.get("write_in_progress")
    if state:
        how = "running" if state["running"] else "interrupted (the next writer repairs it)"
        lines.append(
            f"A {state['command']} started {state['started']} (pid {state['pid']}) is {how}."
        )
    for build in record.get("rebuild_in_progress") or []:
        how = "running" if build["running"] else "abandoned (the next writer removes it)"
        lines.append(f"A rebuild into generation {build['generation']} is {how}.")
    repair = record.get("last_repair")
    if repair:
        lines.append(
            f"Last repair {repair['time']}: {repair['orphans_removed']} orphan vectors and "
            f"{repair['stale_removed']} stale ones removed, {repair['rewritten']} rewritten, "
            f"{len(repair['abandoned_generations'])} unfinished generations removed."
        )
    return lines


# search ------------------------------------------------------------------------------------
def search_hits(
    store: PassageStore,
    query: str,
    *,
    k: int,
    filters: Filters | None = None,
    mode: str = "hybrid",
    settings: Settings | None = None,
) -> list[Hit]:
    """Return the top ``k`` hits for ``query`` from the hybrid retriever, or one retriever."""
    if mode == "bm25":
        return store.lexical_search(query, k, filters)
    if mode == "dense":
        return store.dense_search(query, k, filters)
    if mode == "hybrid":
        from assistant.engine import Engine

        engine = Engine.for_store(store, settings or Settings())
        return engine.retrieve(query, filters, k=k, mode="hybrid")
    raise ValueError(f"unknown search mode {mode!r}: use one of {', '.join(SEARCH_MODES)}")


def hits_json(store: PassageStore, hits: Sequence[Hit]) -> list[dict[str, Any]]:
    """Return the ``search --json`` rows of ranked hits."""
    from vectorstore.chroma_meta import page_fields
    from vectorstore.store import hit_record

    return [
        {**hit_record(store, rank, hit), **page_fields(hit.passage)}
        for rank, hit in enumerate(hits, 1)
    ]


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    """Print the passages retrieved for a query (hybrid, dense or BM25)."""
    store = open_store(settings, must_exist=True)
    filters = parse_filters(args.filter)
    k = args.k or settings.top_k
    hits = search_hits(store, args.query, k=k, filters=filters, mode=args.mode, settings=settings)
    rows = hits_json(store, hits)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    console = _console()
    if not rows:
        console.print("No passages found.")
    for row in rows:
        where = " › ".join(row["heading_path"])
        pages = format_pages(row["page"] or 0, row["page_end"] or 0, row["page_label"])
        console.print(
            f"[bold]{row['rank']}. {row['file']}[/bold]  "
            f"{format_locator(row['locator'], page=pages)}  "
            f"[dim]{where}  score {row['score']:.3f}[/dim]"
        )
        console.print(" ".join(row["text"].split())[:400], markup=False)
        console.print()
    return 0
