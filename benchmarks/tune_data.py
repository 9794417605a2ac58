"""Labelled questions and passages for benchmarks/tune.py (and benchmarks/who.py).

Sets: the dev questions (../shared/corpus), tests/data/questions-{extra,heldout}.jsonl, and the
labels-who sets: questions-who.jsonl (complete gold lists), questions-noanswer.jsonl,
questions-factual.jsonl, with relevance-labels.jsonl completing the dev questions' gold.

Passage labels (tests/data/LABELS.md): a passage addresses a question when it overlaps a gold
quote (located exactly in the canonical text; at least 30 % of the quote's characters, or 100,
inside the passage). Passages of submissions without any gold quote are negatives. Other
passages of a gold submission are unlabelled and left out of the fit, except for questions
whose gold is complete at passage level (dev, completed by relevance-labels.jsonl).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = next((p / "shared" for p in ROOT.parents if (p / "shared" / "corpus").is_dir()), ROOT)
DATA = ROOT / "tests" / "data"
SETS = {
    "dev": SHARED / "corpus" / "dev-questions.jsonl",
    "extra": DATA / "questions-extra.jsonl",
    "heldout": DATA / "questions-heldout.jsonl",
    "who": DATA / "questions-who.jsonl",
    "noanswer": DATA / "questions-noanswer.jsonl",
    "factual": DATA / "questions-factual.jsonl",
}
COMPLETE = DATA / "relevance-labels.jsonl"  # exhaustive passage gold of the dev questions
WHO_KINDS = ("which-submitters", "who")


@dataclass(frozen=True)
class Labelled:
    """One labelled question, whatever file it came from."""

    id: str
    source: str  # the set
    question: str
    kind: str
    quotes: tuple[tuple[str, str], ...]  # (file, quote)
    history: tuple[str, ...] = ()
    split: str = "tune"
    complete: bool = False  # passage-level gold is exhaustive

    @property
    def answerable(self) -> bool:
        return bool(self.quotes)


def _rows(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def load_sets(names: list[str]) -> list[Labelled]:
    """Return the labelled questions of the named sets that exist (a note for the others)."""
    extra: dict[str, list[tuple[str, str]]] = {}
    if COMPLETE.is_file():
        for row in _rows(COMPLETE):
            extra.setdefault(row["question_id"], []).append((row["file"], row["quote"]))
    out = []
    for name in names:
        path = SETS[name]
        if not path.is_file():
            print(f"skipped {name}: {path} not found")
            continue
        for row in _rows(path):
            quotes = [(s["file"], s["quote"]) for s in row.get("sources", [])]
            for g in row.get("gold", []):
                quotes += [(g["file"], q) for q in g.get("quotes", [])]
            complete = name == "dev" and row["id"] in extra
            if complete:
                quotes = list(dict.fromkeys([*quotes, *extra[row["id"]]]))
            history = tuple(
                h if isinstance(h, str) else h.get("question", "") for h in row.get("history", [])
            )
            out.append(
                Labelled(
                    id=row["id"],
                    source=name,
                    question=row["question"],
                    kind=row.get("kind", "factual"),
                    quotes=tuple(quotes),
                    history=history,
                    split=row.get("split", "tune"),
                    complete=complete or not quotes,
                )
            )
    return out


def quote_spans_in(text: str, quote: str) -> list[tuple[int, int]]:
    """Return every (start, end) where ``quote`` occurs in ``text`` (whitespace-insensitive)."""
    out, pos = [], 0
    while (at := text.find(quote, pos)) != -1:
        out.append((at, at + len(quote)))
        pos = at + 1
    if out:
        return out
    squeezed = " ".join(quote.split())
    flat = " ".join(text.split())
    if squeezed and squeezed in flat:  # rare: locate by the first 40 characters
        head = quote.strip()[:40]
        at = text.find(head)
        if at != -1:
            return [(at, at + len(quote))]
    return []


def passage_labels(
    item: Labelled, passages: list, files: np.ndarray, documents: dict[str, str]
) -> tuple[np.ndarray, np.ndarray]:
    """Return (addresses, labelled) per passage of the index for ``item``."""
    n = len(passages)
    positive = np.zeros(n, dtype=bool)
    spans: dict[str, list[tuple[int, int]]] = {}
    for file, quote in item.quotes:
        spans.setdefault(file, []).extend(quote_spans_in(documents.get(file, ""), quote))
    for i, p in enumerate(passages):
        for qs, qe in spans.get(files[i], ()):
            inside = min(qe, p.char_end) - max(qs, p.char_start)
            if inside > 0 and (inside >= 0.3 * (qe - qs) or inside >= 100):
                positive[i] = True
                break
    gold_files = {f for f, _ in item.quotes}
    labelled = np.array(
        [positive[i] or item.complete or files[i] not in gold_files for i in range(n)]
    )
    return positive, labelled
