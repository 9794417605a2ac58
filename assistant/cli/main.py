"""The `submissions` command: argparse front end, logging set-up and error translation.

Each group of subcommands lives in its own module of ``assistant/cli/`` (index, answer, serve)
and exposes ``register(subparsers) -> None``; a subcommand sets ``func(args, settings) -> int``.
Shared options are in :mod:`assistant.cli.options`; the store and the engine are built by
:mod:`assistant.cli.factory`.
"""

from __future__ import annotations

import argparse
import logging
import sys

from assistant.config import Settings
from assistant.errors import AssistantError
from ingest.errors import IngestError
from vectorstore.errors import StoreError

logger = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every subcommand registered."""
    from assistant.cli import answer, compare, index, serve, themes, who

    parser = argparse.ArgumentParser(
        prog="submissions",
        description="Index Word submissions and answer questions with verbatim citations.",
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging")
    parser.add_argument("-q", "--quiet", action="store_true", help="only errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (index, answer, who, serve, compare, themes):
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.ERROR if args.quiet else (logging.DEBUG if args.verbose else logging.WARNING)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    settings = Settings.from_env(index_dir=getattr(args, "index", None))
    try:
        return int(args.func(args, settings) or 0)
    except (AssistantError, IngestError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
