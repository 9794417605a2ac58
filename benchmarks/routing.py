"""Routing on questions written blind: does each question get the kind, group and scope expected?

Usage: PYTHONPATH=. .venv/bin/python benchmarks/routing.py [--index DIR] [--no-write]

Reads tests/data/routing-probe.tsv (questions and follow-ups in en/fr/es, each with the routing
its writer expected before the analyser ran) and scores ``Engine.analyse``: the kind (answer,
who, compare) of every question; the group filter where one is expected or none is
("type=State", "language=fr", "-"); the scope where one country or submitter is expected.
Expectations marked as uncertain ("-(or State)", "-(UN?)") and comparisons' sides are not
scored beyond the kind. Writes "## Routing on questions written blind" in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.engine import Engine  # noqa: E402

PROBE = ROOT / "tests" / "data" / "routing-probe.tsv"
TYPES = {"State": "State", "NGO": "NGO/civil society", "NHRI": "NHRI", "UN": "UN/intergovernmental"}


def expected_filter(text: str) -> tuple[str, ...] | None:
    """Return the expected (field=value, ...) of a group filter, () for none, None: unscored."""
    if text == "-":
        return ()
    field, _, value = text.partition("=")
    if field == "type" and value in TYPES:
        return (f"submitter_type={TYPES[value]}",)
    if field == "language" and len(value) == 2:
        return (f"language={value}",)
    return None


def got_filter(query) -> tuple[str, ...]:
    f = query.filters
    out = [f"submitter_type={t}" for t in (f.submitter_type if f else ())]
    return tuple(out + [f"language={code}" for code in (f.language if f else ())])


def score(engine: Engine) -> dict:
    rows = [
        line.split("\t")
        for line in PROBE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    kinds, filters, scopes, wrong = [], [], [], []
    for qid, question, history, kind, group, scope, *_ in rows:
        query = engine.analyse(question, json.loads(history))
        ok = [query.kind == kind]
        kinds.append(ok[0])
        want = expected_filter(group) if kind != "compare" else None
        if want is not None:
            ok.append(got_filter(query) == want)
            filters.append(ok[-1])
        if kind != "compare" and scope != "-" and " vs " not in scope:
            ok.append(scope in [s.label for s in query.scopes])
            scopes.append(ok[-1])
        if not all(ok):
            got = f"{query.kind} {','.join(got_filter(query)) or '-'} "
            got += ",".join(s.label for s in query.scopes) or "-"
            wrong.append((qid, question, f"{kind} {group} {scope}", got))
    return {
        "questions": len(rows),
        "kinds": kinds,
        "filters": filters,
        "scopes": scopes,
        "wrong": wrong,
    }


def report(result: dict) -> str:
    def share(values: list[bool]) -> str:
        return f"{sum(values)} of {len(values)}"

    lines = [
        "Command: `PYTHONPATH=. .venv/bin/python benchmarks/routing.py` (the 15 real documents' "
        "submitters; no number is fitted to these questions).",
        "",
        f"{result['questions']} questions in tests/data/routing-probe.tsv (English, French, "
        "Spanish; 20 follow-ups), written in session 8 by a helper that had read neither the "
        "labelled sets nor the corpus question files, each with the routing it expected, "
        "before the analyser ran on them. It was written after a first round of routing "
        "changes (made from an earlier blind probe of 119 questions, not kept, 29 of them "
        "misrouted); at that commit (d6a1ef1) this script gave kind 105 of 113, group filter "
        "92 of 98, scope 31 of 35: that is the out-of-sample figure. A second round of "
        "changes followed from its misroutes, so the figures below are in-sample. At the "
        "start of that session (c317ec5): 88 of 113, 82 of 98, 29 of 35.",
        "",
        "| scored | right |",
        "|---|---|",
        f"| kind (answer, who, compare) | {share(result['kinds'])} |",
        f"| group filter, where one or none is expected | {share(result['filters'])} |",
        f"| country or submitter scope, where one is expected | {share(result['scopes'])} |",
        "",
        "Still wrong (expected / got):",
        "",
        *(f'- {qid} "{q}": {want} / {got}' for qid, q, want, got in result["wrong"]),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, default=Path("/tmp/relevance/real-e5"))
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    from vectorstore.embeddings import load_embedder
    from vectorstore.store import PassageStore

    store = PassageStore(args.index, load_embedder("fast"), check_embedder=False)
    result = score(Engine.for_store(store, Settings()))
    text = report(result)
    print(text)
    if not args.no_write:
        from benchmarks._sections import replace_section

        replace_section("Routing on questions written blind", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
