"""Shared parts of the compare fit and benchmark: labelled questions, sides, passage labels."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "tests" / "data" / "questions-compare.jsonl"
PAIRS = ROOT / "tests" / "data" / "tension-pairs.jsonl"


@dataclass(frozen=True)
class Labelled:
    """One compare question: its sides (from ``side_filters``) and gold quotes per side."""

    id: str
    question: str
    split: str
    sides: tuple[Any, ...]  # assistant.analyses.sides.Side
    gold: tuple[tuple[tuple[str, str], ...], ...]  # per side: (file, quote)
    french_or_spanish: bool


def load_labelled(subs: list, path: Path = QUESTIONS) -> list[Labelled]:
    """Return the questions with their sides resolved against ``subs``."""
    from assistant.analyses.sides import Side

    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        sides = []
        for label, filters in zip(row["sides"], row["side_filters"], strict=True):
            keys = tuple(
                s.key
                for s in subs
                if all(
                    (s.key if k == "submission_key" else getattr(s, k)) == v
                    for k, v in filters.items()
                )
            )
            sides.append(Side(label, keys))
        gold: list[list[tuple[str, str]]] = [[] for _ in sides]
        for g in row["gold"]:
            gold[g["side"]].extend((g["file"], q) for q in g["quotes"])
        languages = {s.language for s in subs for side in sides for k in side.keys if s.key == k}
        out.append(
            Labelled(
                row["id"],
                row["question"],
                row["split"],
                tuple(sides),
                tuple(tuple(g) for g in gold),
                bool(languages & {"fr", "es"}),
            )
        )
    return out


def holds_gold(passage: Any, file: str, gold: tuple[tuple[str, str], ...]) -> bool:
    """Return True when the passage (of ``file``) holds one of the side's gold quotes."""
    from assistant.evaluation.runner import holds_quote

    return any(f == file and holds_quote(passage.text, q) for f, q in gold)


def side_rows(judge: Any, store: Any, topic: str, side: Any, gold: Any) -> tuple[dict, np.ndarray]:
    """Return the feature columns and 0/1 labels of every passage of ``side``."""
    files = {s.key: s.file for s in store.submissions()}
    passages = [p for key in side.keys for p in store.passages_of(key)]
    columns = judge.features(topic, passages)
    labels = np.array([holds_gold(p, files[p.submission_key], gold) for p in passages], float)
    return columns, labels


def open_store(index: Path) -> Any:
    """Return the PassageStore of an index (its recorded embedder)."""
    from vectorstore.embeddings import load_embedder
    from vectorstore.store import PassageStore

    probe = PassageStore(index)
    name = probe.recorded_embedder()
    if name is None:
        raise SystemExit(f"{index} holds no index: copy /tmp/shared-index/real-e5 there first")
    return PassageStore(index, load_embedder(name[0].split(":")[0]))
