"""Evaluation over labelled questions (the dev-questions.jsonl format).

Definitions (issue 3):
- a gold quote is found at rank r when the passage at rank r comes from the gold file and
  contains the quote after whitespace normalisation, or a contiguous run of at least 60 % of its
  words (quotes that span two passages);
- recall@k: share of a question's gold quotes found in the top k, averaged over questions;
  MRR: 1/rank of the first gold quote found (0 when none in the top k);
- citation precision: share of cited passages that hold a gold quote (answered questions);
  citation recall: share of gold quotes held by a cited passage (answered questions), i.e.
  what an expert reading the answer, not the list of sources, gets to see;
- refusal accuracy: share of no-answer questions refused; "wrongly refused": share of
  answerable questions refused;
- verbatim rate: share of quotes shown that equal the canonical text at their offsets;
- latency: p50/p95 of the whole ask, in milliseconds.
Baselines in the same run: lexical only, dense only, and llama-index's default pipeline.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import QuestionsFileError
from ingest.analysis import normalize_space

if TYPE_CHECKING:
    from assistant.engine import Engine

logger = logging.getLogger(__name__)

RUN_SHARE = 0.6
K = 10


@dataclass(frozen=True, slots=True)
class Question:
    """One labelled question; ``sources`` are (file, quote) pairs; empty means no answer."""

    id: str
    question: str
    kind: str
    sources: tuple[tuple[str, str], ...]
    history: tuple[str, ...] = ()

    @property
    def answerable(self) -> bool:
        """Return True when the question has gold quotes."""
        return bool(self.sources)


# The metrics of a results table, in display order.
METRIC_COLUMNS = [
    "recall@10",
    "mrr",
    "citation_precision",
    "citation_recall",
    "refusal_accuracy",
    "wrongly_refused",
    "verbatim_rate",
    "latency_p50_ms",
    "latency_p95_ms",
]


def load_questions(path: Path) -> list[Question]:
    """Return the questions of a JSON-lines file; raise QuestionsFileError naming the bad line."""
    out = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            out.append(
                Question(
                    id=str(row.get("id", f"line-{number}")),
                    question=row["question"],
                    kind=row.get("kind", "factual"),
                    sources=tuple((s["file"], s["quote"]) for s in row.get("sources", []))
                    + tuple(  # who questions: "gold": [{"file", "quotes": [...]}]
                        (g["file"], q) for g in row.get("gold") or [] for q in g["quotes"]
                    ),
                    history=tuple(
                        h if isinstance(h, str) else h.get("question", "")
                        for h in row.get("history", [])
                    ),
                )
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise QuestionsFileError(
                f"{path}:{number}: not a question row ({exc}); each line needs "
                '{"id", "question", "kind", "sources": [{"file", "quote"}]}'
            ) from exc
    return out


def holds_quote(passage_text: str, quote: str) -> bool:
    """Return True when the passage holds the quote, or a contiguous run of ≥ 60 % of its words."""
    text = normalize_space(passage_text)
    quote = normalize_space(quote)
    if quote in text:
        return True
    words = quote.split()
    need = max(1, math.ceil(RUN_SHARE * len(words)))
    for length in range(len(words) - 1, need - 1, -1):
        for start in range(0, len(words) - length + 1):
            if " ".join(words[start : start + length]) in text:
                return True
    return False


def gold_found(question: Question, ranked: Sequence[tuple[str, str]], k: int = K) -> list[int]:
    """Return, for each gold quote, the 1-based rank where it is found in ``ranked`` (0 = not).

    ``ranked`` holds (file, passage text) pairs, best first.
    """
    ranks = []
    for file, quote in question.sources:
        rank = 0
        for r, (pfile, text) in enumerate(ranked[:k], start=1):
            if pfile == file and holds_quote(text, quote):
                rank = r
                break
        ranks.append(rank)
    return ranks


@dataclass
class Row:
    """The outcome of one question under one system."""

    question: Question
    gold_ranks: list[int]
    refused: bool | None = None
    cited: list[bool] = field(default_factory=list)  # per cited passage: holds a gold quote?
    gold_cited: list[bool] = field(default_factory=list)  # per gold quote: in a cited passage?
    verbatim: list[bool] = field(default_factory=list)  # per quote shown
    latency_ms: float = 0.0
    cross_language: int = 0  # citations in another language than the question
    resolved: str = ""

    @property
    def recall(self) -> float:
        return sum(r > 0 for r in self.gold_ranks) / len(self.gold_ranks) if self.gold_ranks else 0

    @property
    def reciprocal_rank(self) -> float:
        found = [r for r in self.gold_ranks if r > 0]
        return 1.0 / min(found) if found else 0.0


def summarise(rows: Iterable[Row]) -> dict[str, Any]:
    """Return the metrics of ``rows`` (None where a metric does not apply)."""
    rows = list(rows)
    answerable = [r for r in rows if r.question.answerable]
    no_answer = [r for r in rows if not r.question.answerable]
    judged = [r for r in rows if r.refused is not None]
    cited = [c for r in answerable if r.refused is False for c in r.cited]
    gold_cited = [g for r in answerable if r.refused is False for g in r.gold_cited]
    verbatim = [v for r in rows for v in r.verbatim]
    latencies = sorted(r.latency_ms for r in rows if r.latency_ms)
    out: dict[str, Any] = {
        "questions": len(rows),
        "recall@10": _mean([r.recall for r in answerable]),
        "mrr": _mean([r.reciprocal_rank for r in answerable]),
    }
    if judged:
        out["citation_precision"] = _mean([float(c) for c in cited]) if cited else None
        out["citation_recall"] = _mean([float(g) for g in gold_cited]) if gold_cited else None
        refused_no = [r.refused for r in no_answer if r.refused is not None]
        refused_yes = [r.refused for r in answerable if r.refused is not None]
        out["refusal_accuracy"] = _mean([float(x) for x in refused_no]) if refused_no else None
        out["wrongly_refused"] = _mean([float(x) for x in refused_yes]) if refused_yes else None
        out["verbatim_rate"] = _mean([float(v) for v in verbatim]) if verbatim else None
        out["quotes_shown"] = len(verbatim)
        out["cross_language_citations"] = sum(r.cross_language for r in rows)
        out["latency_p50_ms"] = _percentile(latencies, 50)
        out["latency_p95_ms"] = _percentile(latencies, 95)
    return out


def by_kind(rows: Sequence[Row]) -> dict[str, dict[str, Any]]:
    """Return summaries per question kind, then "overall"."""
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        groups[row.question.kind].append(row)
    out = {kind: summarise(group) for kind, group in sorted(groups.items())}
    out["overall"] = summarise(rows)
    return out


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _percentile(values: Sequence[float], pct: float) -> float | None:
    if not values:
        return None
    index = min(len(values) - 1, max(0, math.ceil(pct / 100 * len(values)) - 1))
    return round(values[index], 1)


# ---- running systems -------------------------------------------------------------------


def run_retriever(
    questions: Sequence[Question],
    search: Callable[[Question], Sequence[tuple[str, str]]],
    k: int = K,
) -> list[Row]:
    """Score a plain retriever: ``search(question)`` returns ranked (file, text) pairs."""
    rows = []
    for q in questions:
        started = time.perf_counter()
        ranked = search(q)
        rows.append(
            Row(
                q,
                gold_found(q, ranked, k) if q.answerable else [],
                latency_ms=(time.perf_counter() - started) * 1000,
            )
        )
    return rows


def run_engine(engine: Engine, questions: Sequence[Question], k: int = K) -> list[Row]:
    """Ask every question through ``engine`` and score retrieval, refusal and citations.

    One untimed search runs first, so latency is that of a warm engine (the app benchmark
    reports the first question after start separately).
    """
    from ingest.metadata import detect_language

    subs = {s.key: s for s in engine.store.submissions()}
    engine.retrieve("warm-up: load the embedder and the glossary before timing")
    rows = []
    for q in questions:
        started = time.perf_counter()
        answer = engine.ask(q.question, history=list(q.history))
        latency = (time.perf_counter() - started) * 1000
        ranked = [(subs[h.passage.submission_key].file, h.passage.text) for h in answer.sources]
        texts = {h.passage.id: h.passage.text for h in answer.sources}
        cited_ids = list(dict.fromkeys(c.passage_id for c in answer.citations))
        cited = [
            any(
                subs[c.submission_key].file == f and holds_quote(texts[c.passage_id], quote)
                for f, quote in q.sources
            )
            for c in (next(x for x in answer.citations if x.passage_id == pid) for pid in cited_ids)
        ]
        gold_cited = [
            any(
                subs[c.submission_key].file == f and holds_quote(texts[c.passage_id], quote)
                for c in answer.citations
            )
            for f, quote in q.sources
        ]
        verbatim = []
        for c in answer.citations:
            document = engine.sources.document(subs[c.submission_key])
            verbatim.append(document.text[c.char_start : c.char_end] == c.quote)
        q_lang = detect_language(q.question, default="en")
        rows.append(
            Row(
                q,
                gold_found(q, ranked, k) if q.answerable else [],
                refused=not answer.answered,
                cited=cited,
                gold_cited=gold_cited,
                verbatim=verbatim,
                latency_ms=latency,
                cross_language=sum(
                    1
                    for c in answer.citations
                    if answer.answered and c.language and c.language != q_lang
                ),
                resolved=answer.resolved_question,
            )
        )
    return rows


def store_search(
    engine: Engine, mode: str, k: int = K
) -> Callable[[Question], list[tuple[str, str]]]:
    """Return a search function over ``engine``'s store in ``mode`` (follow-ups resolved)."""
    subs = {s.key: s for s in engine.store.submissions()}

    def search(q: Question) -> list[tuple[str, str]]:
        query = engine.analyse(q.question, list(q.history))
        hits = engine.retrieve(query, k=k, mode=mode)
        return [(subs[h.passage.submission_key].file, h.passage.text) for h in hits]

    return search


def evaluate(
    engine: Engine, questions: Sequence[Question], *, baselines: bool = False, k: int = K
) -> dict[str, Any]:
    """Return {system: {kind: metrics}} for the engine and, optionally, the baselines."""
    results: dict[str, Any] = {}
    rows = run_engine(engine, questions, k)
    results["hybrid (engine)"] = by_kind(rows)
    results["_rows"] = [
        {
            "id": r.question.id,
            "kind": r.question.kind,
            "gold_ranks": r.gold_ranks,
            "refused": r.refused,
            "cited_gold": r.cited,
            "latency_ms": round(r.latency_ms, 1),
            "resolved": r.resolved,
        }
        for r in rows
    ]
    if baselines:
        for mode, name in (("dense", "dense only"), ("bm25", "lexical only")):
            results[name] = by_kind(run_retriever(questions, store_search(engine, mode, k), k))
        from assistant.evaluation.baseline import llama_index_search

        search = llama_index_search(engine.store, k=k)
        results["llama-index default"] = by_kind(run_retriever(questions, search, k))
    return results


def markdown_table(results: dict[str, Any]) -> str:
    """Return the results as a Markdown table: one row per system and kind."""
    columns = METRIC_COLUMNS
    lines = [
        "| system | kind | n | " + " | ".join(columns) + " |",
        "|---|---|---" + "|---" * len(columns) + "|",
    ]
    for system, kinds in results.items():
        if system.startswith("_"):
            continue
        for kind, metrics in kinds.items():
            cells = [_cell(metrics.get(c)) for c in columns]
            lines.append(
                f"| {system} | {kind} | {metrics['questions']} | " + " | ".join(cells) + " |"
            )
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.2f}" if value <= 1.0 else f"{value:.0f}"
    return str(value)
