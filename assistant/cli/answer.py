"""Answer subcommands: `ask` (a cited answer) and `eval` (metrics over labelled questions)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.cli.factory import build_engine
from assistant.cli.options import add_filter_option, add_index_option, parse_filters
from assistant.config import Settings
from assistant.errors import ConfigError
from assistant.formatting import locator_of, submitter_of

if TYPE_CHECKING:
    from assistant.types import Citation


def register(sub: argparse._SubParsersAction) -> None:
    """Register ask and eval."""
    ask = sub.add_parser("ask", help="answer a question with verbatim, numbered citations")
    ask.add_argument("question")
    add_filter_option(ask)
    ask.add_argument(
        "--history",
        type=Path,
        metavar="FILE",
        help="JSON list of earlier turns: strings (questions) or {question, answer}",
    )
    ask.add_argument("--k", type=int, default=None, help="passages to retrieve (default top_k)")
    ask.add_argument("--json", action="store_true", help="print JSON")
    add_index_option(ask)
    ask.set_defaults(func=cmd_ask)

    ev = sub.add_parser("eval", help="score retrieval and answers on labelled questions")
    ev.add_argument("questions", type=Path, metavar="QUESTIONS.jsonl")
    ev.add_argument("--json", action="store_true", help="print JSON")
    ev.add_argument(
        "--baselines",
        action="store_true",
        help="also run lexical only, dense only and llama-index's default pipeline",
    )
    add_index_option(ev)
    ev.set_defaults(func=cmd_eval)


def read_history(path: Path | None) -> list[Any]:
    """Return the turns of a --history file; raise ConfigError saying what is expected."""
    if path is None:
        return []
    try:
        turns = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read history file {path}: {exc}") from exc
    ok = isinstance(turns, list) and all(
        isinstance(t, str) or (isinstance(t, dict) and isinstance(t.get("question"), str))
        for t in turns
    )
    if not ok:
        raise ConfigError(
            f"history file {path} must hold a JSON list of strings or {{question, answer}} objects"
        )
    return turns


def citation_json(citation: Citation) -> dict[str, Any]:
    """Return the ``ask --json`` row of one citation card."""
    return {
        "n": citation.n,
        "passage_id": citation.passage_id,
        "submission_key": citation.submission_key,
        "file": citation.file,
        "title": citation.title,
        "submitter": citation.submitter,
        "submitter_type": citation.submitter_type,
        "country": citation.country,
        "language": citation.language,
        "heading_path": list(citation.heading_path),
        "paragraphs": list(citation.paragraphs),
        "locator": citation.locator,
        "footnotes": list(citation.footnotes),
        "page": citation.page or None,
        "page_end": citation.page_end or None,
        "page_label": citation.page_label,
        "from_ocr": citation.from_ocr,
        "quote": citation.quote,
        "char_start": citation.char_start,
        "char_end": citation.char_end,
        "verified": citation.verified,
        "confidential": citation.confidential,
    }


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    """Print the answer to a question (streamed as it is written), or JSON."""
    from assistant.cli.index import hits_json
    from assistant.types import Done, TextDelta

    engine = build_engine(settings, top_k=args.k)
    filters = parse_filters(args.filter)
    history = read_history(args.history)
    answer = None
    for event in engine.stream(args.question, history, filters):
        if isinstance(event, TextDelta) and not args.json:
            sys.stdout.write(event.text)
            sys.stdout.flush()
        elif isinstance(event, Done):
            answer = event.answer
    assert answer is not None
    if args.json:
        payload = {
            "question": answer.question,
            "resolved_question": answer.resolved_question,
            "answered": answer.answered,
            "mode": answer.mode,
            "answer": answer.text,
            "citations": [citation_json(c) for c in answer.citations],
            "passages": hits_json(engine.store, answer.sources),
            "warnings": list(answer.warnings),
            "timings_ms": answer.timings_ms,
        }
        if answer.mode == "who":
            payload["scope"] = answer.scope
            payload["not_addressed"] = [citation_json(c) for c in answer.closest]
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0
    print()
    if answer.citations:
        print()
    for c in answer.citations:
        where = locator_of(c)
        who = submitter_of(c, fallback=c.file, full_type=True)
        print(f"[{c.n}] {who} — {c.file}" + (f", {where}" if where else ""))
    for warning in answer.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    """Print retrieval and answer metrics for a questions file."""
    from assistant.evaluation.runner import evaluate, load_questions, markdown_table

    try:
        questions = load_questions(args.questions)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read questions from {args.questions}: {exc}") from exc
    engine = build_engine(settings)
    results = evaluate(engine, questions, baselines=args.baselines)
    from assistant.evaluation.relevance import calibration, who_metrics

    results["_who"] = who_metrics(engine, questions)
    results["_calibration"] = calibration(engine, questions)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        from assistant.evaluation.relevance import relevance_tables

        print(markdown_table(results))
        print(relevance_tables(results))
    return 0
