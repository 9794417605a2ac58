"""The `who` command: every submission judged, those that address X and those that do not."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from assistant.cli.options import add_filter_option, add_index_option
from assistant.config import Settings


def register(sub: argparse._SubParsersAction) -> None:
    """Register who."""
    who = sub.add_parser(
        "who", help="list every submission that addresses a question, with its best quote"
    )
    who.add_argument("question")
    add_filter_option(who)
    who.add_argument("--json", action="store_true", help="print JSON")
    who.add_argument("--csv", type=Path, metavar="FILE", help="also write the list as CSV")
    who.add_argument("--docx", type=Path, metavar="FILE", help="also write the list to Word")
    add_index_option(who)
    who.set_defaults(func=cmd_who)


def cmd_who(args: argparse.Namespace, settings: Settings) -> int:
    """Print the submissions that address the question (strongest first), then the others."""
    from assistant.analyses.who import headline, who_json
    from assistant.answering.extractive import display_name
    from assistant.cli.factory import build_engine
    from assistant.cli.options import parse_filters
    from assistant.exports.who import WITHHELD, write_csv, write_docx

    engine = build_engine(settings)
    result = engine.who(args.question, (), parse_filters(args.filter))
    if args.csv:
        write_csv(result, args.csv)
    if args.docx:
        write_docx(result, args.docx)
    if args.json:
        print(json.dumps(who_json(result), ensure_ascii=False, indent=2))
        return 0
    print(headline(result))
    for n, item in enumerate(result.addressed, start=1):
        c = item.citation
        quote = "" if c is None else (WITHHELD if item.submission.confidential else f"“{c.quote}”")
        where = (
            f"{item.submission.file}, {c.locator}"
            if c is not None and c.locator
            else item.submission.file
        )
        print(f"{n}. {display_name(item.submission)} [{item.strength:.2f}] {quote} ({where})")
    if result.not_addressed:
        print()
        print(
            "Not addressed: " + ", ".join(display_name(x.submission) for x in result.not_addressed)
        )
    return 0
