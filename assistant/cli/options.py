"""Options shared by several subcommands (``--index``, ``--filter``) and their parsing."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vectorstore.types import Filters


def add_index_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--index DIR`` (every command takes it)."""
    parser.add_argument("--index", metavar="DIR", help="index folder (default: data/index)")


def add_filter_option(parser: argparse.ArgumentParser) -> None:
    """Add the repeatable ``--filter KEY=VALUE`` option (search and ask take it)."""
    parser.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="type, country, submitter, language, file, submission_key or theme; repeatable",
    )


def parse_filters(pairs: Sequence[str]) -> Filters | None:
    """Return Filters from ``--filter key=value`` strings (None when none are given)."""
    from assistant.errors import ConfigError
    from vectorstore.types import Filters

    if not pairs:
        return None
    try:
        return Filters.from_pairs(list(pairs))
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
