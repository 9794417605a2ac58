"""Theme subcommands: retag, coverage, correct, digest.

Every reading command first tags the passages that have no tags yet (cheap: stored vectors),
so the matrix never lags behind an ingest made by another path.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from assistant.cli.options import add_index_option
from assistant.config import Settings


def register(sub: argparse._SubParsersAction) -> None:
    """Register retag, coverage, correct and digest."""
    retag = sub.add_parser("retag", help="re-score every passage against the call's themes")
    retag.add_argument("--json", action="store_true", help="print the report as JSON")
    add_index_option(retag)
    retag.set_defaults(func=cmd_retag)

    cov = sub.add_parser("coverage", help="submissions x themes: who addresses which theme")
    cov.add_argument("--csv", type=Path, metavar="FILE", help="write the matrix as CSV")
    cov.add_argument("--xlsx", type=Path, metavar="FILE", help="write the matrix as Excel")
    cov.add_argument("--json", action="store_true", help="print the matrix as JSON")
    _submission_filters(cov)
    add_index_option(cov)
    cov.set_defaults(func=cmd_coverage)

    fix = sub.add_parser("correct", help="correct one coverage cell (kept across retag)")
    fix.add_argument("key", metavar="SUBMISSION_KEY")
    fix.add_argument("theme", metavar="THEME", help="theme id, e.g. T3")
    fix.add_argument("passages", type=int, nargs="?", help="passage count (0 = not addressed)")
    fix.add_argument("--note", default="", help="why (shown in the exports)")
    fix.add_argument("--undo", action="store_true", help="drop the correction")
    add_index_option(fix)
    fix.set_defaults(func=cmd_correct)

    dig = sub.add_parser("digest", help="thematic digest: who said what per theme (Word/Markdown)")
    dig.add_argument("--theme", action="append", default=[], metavar="T", help="only these themes")
    dig.add_argument("--docx", type=Path, metavar="FILE", help="write Word with footnotes")
    dig.add_argument("--md", type=Path, metavar="FILE", help="write Markdown")
    add_index_option(dig)
    dig.set_defaults(func=cmd_digest)


def _submission_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="submitter_type (or type), country or language; repeatable",
    )


def submission_filter(pairs: list[str]) -> Any:
    """Return the SubmissionFilter of ``--filter`` pairs."""
    from assistant.analyses.coverage import SubmissionFilter
    from assistant.errors import ConfigError

    values: dict[str, list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = {"type": "submitter_type"}.get(key.strip(), key.strip())
        if not sep or key not in SubmissionFilter.__slots__:
            raise ConfigError(f"bad filter {pair!r}: use type=…, country=… or language=…")
        values.setdefault(key, []).append(value.strip())
    return SubmissionFilter(**{k: tuple(v) for k, v in values.items()})


def open_tagged(settings: Settings) -> tuple[Any, Any]:
    """Open the index, tag what is untagged, return (store, profile)."""
    from assistant.cli.factory import open_store
    from assistant.themes.profile import load_profile
    from assistant.themes.tagger import scorer_for, tag

    profile = load_profile(settings.call_file)
    store = open_store(settings, must_exist=True)
    tag(store, scorer_for(store, settings, profile))
    return store, profile


def cmd_retag(args: argparse.Namespace, settings: Settings) -> int:
    """Re-score every passage (after a change of call profile); corrections are kept."""
    from assistant.cli.factory import open_store
    from assistant.themes.profile import load_profile
    from assistant.themes.tagger import scorer_for, tag

    profile = load_profile(settings.call_file)
    store = open_store(settings, must_exist=True)
    report = tag(store, scorer_for(store, settings, profile), force=True)
    record = {
        "tagged": report.tagged,
        "passages": report.total,
        "seconds": round(report.seconds, 3),
    }
    if args.json:
        print(json.dumps(record))
    else:
        print(
            f"Re-tagged {report.tagged} passage(s) against {len(profile.themes)} themes "
            f"in {report.seconds:.2f} s (no passage re-embedded; corrections kept)."
        )
    return 0


def cmd_coverage(args: argparse.Namespace, settings: Settings) -> int:
    """Print (or write) the coverage matrix."""
    from assistant.analyses.coverage import build_coverage, coverage_record
    from assistant.exports.coverage import write_csv, write_xlsx

    store, profile = open_tagged(settings)
    coverage = build_coverage(store, profile, submission_filter(args.filter))
    if args.csv:
        write_csv(coverage, args.csv)
    if args.xlsx:
        write_xlsx(coverage, args.xlsx)
    if args.json:
        json.dump(coverage_record(coverage), sys.stdout, ensure_ascii=False, indent=1)
        print()
    elif not (args.csv or args.xlsx):
        print_matrix(coverage)
    return 0


def print_matrix(coverage: Any) -> None:
    """Print the matrix as a table (counts; "—" = not addressed; "*" = corrected)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Coverage of the call's themes (passages; — = not addressed)")
    table.add_column("submission")
    table.add_column("type")
    for theme in coverage.themes:
        table.add_column(theme.id, justify="right")
    for row in coverage.rows:
        cells = []
        for theme in coverage.themes:
            c = row.cells[theme.id]
            cells.append((str(c.passages) if c.passages else "—") + ("*" if c.corrected else ""))
        table.add_row(
            row.submission.submitter or row.submission.file, row.submission.submitter_type, *cells
        )
    totals = coverage.totals()
    table.add_row("submissions addressing", "", *(str(totals[t.id]) for t in coverage.themes))
    Console(highlight=False, width=None if sys.stdout.isatty() else 160).print(table)
    for theme in coverage.themes:
        print(f"{coverage.total_line(theme.id)}  ({theme.label})")


def cmd_correct(args: argparse.Namespace, settings: Settings) -> int:
    """Record (or drop) a staff correction of one cell."""
    from assistant.cli.factory import open_store
    from assistant.errors import ConfigError
    from assistant.themes.profile import load_profile
    from vectorstore.tags import ThemeTags

    profile = load_profile(settings.call_file)
    store = open_store(settings, embedder=False, must_exist=True)
    store.submission(args.key)
    theme = profile.theme(args.theme).id
    tags = ThemeTags(store.registry)
    if args.undo:
        tags.uncorrect(args.key, theme)
        print(f"{args.key} × {theme}: correction removed.")
        return 0
    if args.passages is None:
        raise ConfigError("give the passage count to record (0 = not addressed), or --undo")
    tags.correct(args.key, theme, args.passages, note=args.note)
    print(f"{args.key} × {theme}: set to {args.passages} passage(s) by staff (kept across retag).")
    return 0


def cmd_digest(args: argparse.Namespace, settings: Settings) -> int:
    """Write the thematic digest."""
    from assistant.analyses.digest import build_digest
    from assistant.exports.digest import digest_markdown, write_digest_docx

    store, profile = open_tagged(settings)
    digest = build_digest(store, profile, themes=args.theme)
    if args.docx:
        write_digest_docx(digest, args.docx)
    if args.md:
        args.md.write_text(digest_markdown(digest), encoding="utf-8")
    if not (args.docx or args.md):
        print(digest_markdown(digest))
    return 0
