"""Check the hand-made theme label files under ``tests/data`` against the real corpus.

Checks ``coverage-labels.jsonl`` (one line per submission x theme), ``questions-compare.jsonl``
and ``tension-pairs.jsonl``: their shape, and that every quote is an exact substring of the
canonical text that ``ingest.docx.read_docx`` gives for its file. Exits 1 on any problem.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/check_theme_labels.py [CORPUS_DIR]

CORPUS_DIR defaults to ``../shared/corpus/real`` (relative to the repository root).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))

from ingest.docx import read_docx  # noqa: E402

DATA = ROOT / "tests" / "data"
THEMES = [f"T{n}" for n in range(1, 8)]
FILTER_KEYS = {"submission_key", "file", "submitter", "submitter_type", "country", "language"}


def load(name: str, problems: list[str]) -> list[dict]:
    path = DATA / name
    if not path.is_file():
        problems.append(f"{name} is missing")
        return []
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def check_quote(texts: dict[str, str], file: str, quote: str, where: str, problems: list[str]):
    if file not in texts:
        problems.append(f"{where}: unknown file {file!r}")
    elif not quote or quote not in texts[file]:
        problems.append(f"{where}: quote not found in {file}: {quote[:80]!r}")


def check_coverage(texts: dict[str, str], problems: list[str]) -> Counter:
    rows = load("coverage-labels.jsonl", problems)
    seen = Counter((r.get("file"), r.get("theme")) for r in rows)
    for file in texts:
        for theme in THEMES:
            if seen[(file, theme)] != 1:
                problems.append(f"coverage: {file} {theme} appears {seen[(file, theme)]} times")
    tally: Counter = Counter()
    for n, row in enumerate(rows, 1):
        where = f"coverage line {n} ({row.get('file')} {row.get('theme')})"
        if row.get("label") not in (0, 1, 2):
            problems.append(f"{where}: label must be 0, 1 or 2")
        if row.get("theme") not in THEMES:
            problems.append(f"{where}: unknown theme")
        if not row.get("reason"):
            problems.append(f"{where}: reason is empty")
        quotes = row.get("quotes", [])
        if row.get("label") in (1, 2) and not quotes:
            problems.append(f"{where}: a label of 1 or 2 needs at least one quote")
        for quote in quotes:
            check_quote(texts, row.get("file", ""), quote, where, problems)
        tally[(row.get("theme"), row.get("label"))] += 1
    return tally


def check_compare(texts: dict[str, str], problems: list[str]) -> Counter:
    rows = load("questions-compare.jsonl", problems)
    if len(rows) < 12:
        problems.append(f"compare: {len(rows)} questions, at least 12 needed")
    ids = Counter(r.get("id") for r in rows)
    problems.extend(f"compare: duplicate id {i}" for i, c in ids.items() if c > 1)
    splits: Counter = Counter()
    for row in rows:
        where = f"compare {row.get('id')}"
        sides, filters = row.get("sides", []), row.get("side_filters", [])
        if row.get("kind") != "compare" or not row.get("question"):
            problems.append(f"{where}: needs kind 'compare' and a question")
        if len(sides) < 2 or len(sides) != len(filters):
            problems.append(f"{where}: needs two or more sides, one filter per side")
        for f in filters:
            if not f or set(f) - FILTER_KEYS:
                problems.append(f"{where}: bad side filter {f}")
            if "submission_key" in f and f["submission_key"] not in texts:
                problems.append(f"{where}: unknown submission_key {f['submission_key']}")
        covered = set()
        for gold in row.get("gold", []):
            side = gold.get("side")
            if not isinstance(side, int) or not 0 <= side < len(sides):
                problems.append(f"{where}: gold side {side} out of range")
                continue
            covered.add(side)
            if not gold.get("quotes"):
                problems.append(f"{where}: gold for side {side} has no quote")
            for quote in gold.get("quotes", []):
                check_quote(texts, gold.get("file", ""), quote, where, problems)
        if covered != set(range(len(sides))):
            problems.append(f"{where}: every side needs gold passages")
        if row.get("split") not in ("tune", "test"):
            problems.append(f"{where}: split must be tune or test")
        splits[row.get("split")] += 1
    return splits


def check_tension(texts: dict[str, str], problems: list[str]) -> Counter:
    rows = load("tension-pairs.jsonl", problems)
    if len(rows) < 12:
        problems.append(f"tension: {len(rows)} pairs, at least 12 needed")
    ids = Counter(r.get("id") for r in rows)
    problems.extend(f"tension: duplicate id {i}" for i, c in ids.items() if c > 1)
    tally: Counter = Counter()
    for row in rows:
        where = f"tension {row.get('id')}"
        a, b = row.get("a", {}), row.get("b", {})
        if a.get("file") == b.get("file"):
            problems.append(f"{where}: the two passages must come from different submissions")
        for part in (a, b):
            check_quote(texts, part.get("file", ""), part.get("quote", ""), where, problems)
        if not isinstance(row.get("tension"), bool) or not row.get("aspect") or not row.get("why"):
            problems.append(f"{where}: needs aspect, a boolean tension and why")
        if row.get("split") not in ("tune", "test"):
            problems.append(f"{where}: split must be tune or test")
        tally[row.get("tension")] += 1
    return tally


def main(argv: list[str]) -> int:
    corpus = Path(argv[1]) if len(argv) > 1 else ROOT.parent.parent / "shared" / "corpus" / "real"
    if not corpus.is_dir():
        corpus = Path("/work/shared/corpus/real")
    texts = {p.name: read_docx(p).text for p in sorted(corpus.glob("*.docx"))}
    problems: list[str] = []
    coverage = check_coverage(texts, problems)
    splits = check_compare(texts, problems)
    tension = check_tension(texts, problems)
    for theme in THEMES:
        counts = " ".join(f"{label}:{coverage[(theme, label)]}" for label in (2, 1, 0))
        print(f"{theme}  {counts}")
    print(f"compare splits: {dict(splits)}; tension true/false: {tension[True]}/{tension[False]}")
    for problem in problems:
        print("PROBLEM", problem)
    print("ok" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
