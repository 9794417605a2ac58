"""The `compare` subcommand: sides side by side, theme by theme or aspect by aspect."""

from __future__ import annotations

import argparse
import json

from assistant.cli.options import add_index_option
from assistant.config import Settings


def register(sub: argparse._SubParsersAction) -> None:
    """Register compare."""
    cmp = sub.add_parser(
        "compare",
        help="compare submissions, submitters, countries or groups theme by theme",
        description="Each SIDE is a submission key or file, a submitter, a country, words of a "
        'title ("IPCMC 2019"), or key=value: type=NGO, country=Kenya, submitter=…',
    )
    cmp.add_argument("sides", nargs="+", metavar="SIDE", help="two sides or more")
    cmp.add_argument("--question", help="compare on the aspects of this question")
    cmp.add_argument("--theme", help="compare on one theme of the call (its id, e.g. T3)")
    cmp.add_argument("--json", action="store_true", help="print JSON")
    add_index_option(cmp)
    cmp.set_defaults(func=cmd_compare)


def cmd_compare(args: argparse.Namespace, settings: Settings) -> int:
    """Print the comparison table (or its JSON)."""
    from assistant.analyses.compare import (
        comparison_json,
        question_aspects,
        theme_aspects,
        topic_of,
    )
    from assistant.analyses.sides import detect_sides, resolve_side
    from assistant.cli.factory import build_engine
    from assistant.errors import ConfigError

    if len(args.sides) < 2:
        raise ConfigError("give two sides or more, e.g. `submissions compare type=State type=NGO`")
    engine = build_engine(settings)
    subs = engine.store.submissions()
    sides = [resolve_side(spec, subs) for spec in args.sides]
    if args.question:
        names = detect_sides(args.question, subs).names
        aspects = question_aspects(topic_of(args.question, names))
        if args.theme:
            aspects += theme_aspects(settings.call_file, args.theme)
    else:
        aspects = theme_aspects(settings.call_file, args.theme or "")
    comparer = engine.comparer
    comparison = comparer.compare(sides, aspects, question=args.question or "")
    if args.json:
        print(json.dumps(comparison_json(comparison), ensure_ascii=False, indent=2))
        return 0
    labels = [s.label for s in comparison.sides]
    for row in comparison.rows:
        print(row.aspect.label)
        for label, cell in zip(labels, row.cells, strict=True):
            if cell is None:
                print(f"  {label}: not addressed")
                continue
            c = cell.citation
            quote = "(confidential)" if c.confidential else " ".join(c.quote.split())
            print(f"  {label}: “{quote}” — {c.file}" + (f", {c.locator}" if c.locator else ""))
        if row.tension is not None:
            print(f"  ⚠ {row.tension.describe(labels)}")
        print()
    return 0
