"""Who and calibration figures for `submissions eval`, beside the retrieval and answer metrics.

- who recall / precision: for each "which submissions" question with a gold list, the share of
  gold submissions (files holding a gold quote) that ``Engine.who`` lists, and the share of
  listed submissions that are gold; averaged over questions;
- calibration: every passage of the index judged for each answerable question, binned by its
  probability, beside the share of those passages that hold a gold quote. Gold quotes do not
  name every passage that addresses a question, so the observed shares are a lower bound.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.evaluation.runner import Question, holds_quote

if TYPE_CHECKING:
    from assistant.engine import Engine

WHO_KINDS = ("which-submitters", "who")
BINS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001)


def who_metrics(engine: Engine, questions: Sequence[Question]) -> dict[str, Any]:
    """Return mean who recall and precision over the who questions with a gold list."""
    recalls, precisions, latencies = [], [], []
    for q in questions:
        if q.kind not in WHO_KINDS or not q.answerable:
            continue
        started = time.perf_counter()
        result = engine.who(q.question, list(q.history))
        latencies.append((time.perf_counter() - started) * 1000)
        listed = {x.submission.file for x in result.addressed}
        gold = {f for f, _ in q.sources}
        recalls.append(len(listed & gold) / len(gold))
        precisions.append(len(listed & gold) / len(listed) if listed else 0.0)
    if not recalls:
        return {"questions": 0}
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, math.ceil(0.95 * len(latencies)) - 1)]
    return {
        "questions": len(recalls),
        "who_recall": round(float(np.mean(recalls)), 4),
        "who_precision": round(float(np.mean(precisions)), 4),
        "latency_p95_ms": round(p95, 1),
    }


def calibration(engine: Engine, questions: Sequence[Question]) -> list[dict[str, Any]]:
    """Return the reliability table of the passage probabilities over answerable questions."""
    judge = engine.judge
    snap = judge.snapshot()
    files = [engine.store.submission(p.submission_key).file for p in snap.passages]
    probs_all, labels_all = [], []
    for q in questions:
        if not q.answerable:
            continue
        query = engine.analyse(q.question, list(q.history))
        probs = judge.corpus(engine.probe(query))
        labels = [
            any(f == files[i] and holds_quote(p.text, quote) for f, quote in q.sources)
            for i, p in enumerate(snap.passages)
        ]
        probs_all.append(probs)
        labels_all.append(np.array(labels))
    if not probs_all:
        return []
    p, y = np.concatenate(probs_all), np.concatenate(labels_all)
    rows = []
    for lo, hi in itertools.pairwise(BINS):
        inside = (p >= lo) & (p < hi)
        if inside.any():
            rows.append(
                {
                    "bin": f"{lo:.1f}-{min(hi, 1.0):.1f}",
                    "passages": int(inside.sum()),
                    "mean_predicted": round(float(p[inside].mean()), 4),
                    "share_gold": round(float(y[inside].mean()), 4),
                }
            )
    return rows


def relevance_tables(results: dict[str, Any]) -> str:
    """Return the who and calibration tables as Markdown ("" when there is nothing)."""
    out = []
    who = results.get("_who") or {}
    if who.get("questions"):
        out += [
            "",
            "| who questions | who recall | who precision | who p95 ms |",
            "|---|---|---|---|",
            f"| {who['questions']} | {who['who_recall']:.2f} | {who['who_precision']:.2f} | "
            f"{who['latency_p95_ms']:.0f} |",
        ]
    rows = results.get("_calibration") or []
    if rows:
        out += [
            "",
            "| probability | passages | mean predicted | share holding a gold quote |",
            "|---|---|---|---|",
        ]
        out += [
            f"| {r['bin']} | {r['passages']} | {r['mean_predicted']:.3f} | {r['share_gold']:.3f} |"
            for r in rows
        ]
    return "\n".join(out)
