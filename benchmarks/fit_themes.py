"""Fit the theme scorer's weights on labelled coverage cells, with leave-one-submission-out CV.

Labels: ``tests/data/coverage-labels.jsonl`` (one line per submission x theme, label 0/1/2, read
from the documents). A cell is "addressed" when its best passage scores >= 0.5, so the fit is a
multiple-instance logistic regression: the cell's logit is the max over its passages of
``w . features``. Label 2 and 0 cells weigh 1, label 1 cells (in passing) count as addressed with
weight ``FIT_ONES_WEIGHT`` (default 0: they are left out of the fit). Features are
standardised and the fit starts from zero weights. Reports agreement on the 0/2 cells
(addressed <=> 2) and on all cells (addressed <=>
>= 1), in-sample and out-of-sample (each submission predicted by weights fitted on the others).

    PYTHONPATH=$PWD python benchmarks/fit_themes.py --index /tmp/themes/real-e5 [--write]

``--write`` stores the weights fitted on all cells for the index's embedder, with the CV
figures, in ``assistant/data/themes.json`` (what the tagger loads).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.themes.profile import load_profile  # noqa: E402
from assistant.themes.scorer import FEATURES, SeedScorer, weights_for  # noqa: E402

FITTED = ROOT / "assistant" / "data" / "themes.json"
ITERS = 2000
from vectorstore.store import PassageStore  # noqa: E402

L2 = 0.01
ONES_WEIGHT = float(__import__("os").environ.get("FIT_ONES_WEIGHT", "0"))


def load_cells(store: PassageStore, scorer: SeedScorer, labels: Path) -> list[dict]:
    """Return one dict per labelled cell: features (passages, F), label, file, theme."""
    by_file = {s.file: s for s in store.submissions()}
    feats: dict[str, np.ndarray] = {}
    themes = list(scorer.profile.ids)
    cells = []
    for line in labels.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        sub = by_file.get(row["file"])
        if sub is None or row["theme"] not in themes:
            continue
        if sub.key not in feats:
            passages = store.passages_of(sub.key)
            vectors = store.vectors([p.id for p in passages])
            feats[sub.key] = scorer.features(passages, vectors).stacked()
        x = feats[sub.key][:, themes.index(row["theme"]), :]
        cells.append(
            {"x": x, "label": int(row["label"]), "file": row["file"], "theme": row["theme"]}
        )
    return cells


def fit(cells: list[dict], iters: int = ITERS, lr: float = 0.05) -> np.ndarray:
    """Return weights (raw feature scale) maximising the MIL log-likelihood."""
    allx = np.vstack([c["x"] for c in cells])
    mu, sd = allx.mean(0), allx.std(0)
    mu[-1], sd[-1] = 0.0, 1.0  # bias column
    sd[sd == 0] = 1.0
    xs = [(c["x"] - mu) / sd for c in cells]
    y = np.array([1.0 if c["label"] >= 1 else 0.0 for c in cells])
    weight = np.array([ONES_WEIGHT if c["label"] == 1 else 1.0 for c in cells])
    w = np.zeros(allx.shape[1])
    for _ in range(iters):
        grad = np.zeros_like(w)
        for xi, yi, wi in zip(xs, y, weight, strict=True):
            z = xi @ w
            j = int(np.argmax(z))
            p = 1 / (1 + np.exp(-np.clip(z[j], -30, 30)))
            grad += wi * (p - yi) * xi[j]
        grad = grad / len(xs) + L2 * np.r_[w[:-1], 0.0]
        w -= lr * grad
    raw = w / sd
    raw[-1] = w[-1] - float((w[:-1] / sd[:-1]) @ mu[:-1])
    return raw


def predict(cell: dict, w: np.ndarray) -> int:
    """Return the number of passages scoring >= 0.5."""
    return int(((cell["x"] @ w) >= 0).sum())


def agreement(cells: list[dict], counts: list[int]) -> dict[str, float]:
    strict = [
        (c["label"] == 2) == (n > 0) for c, n in zip(cells, counts, strict=True) if c["label"] != 1
    ]
    loose = [(c["label"] >= 1) == (n > 0) for c, n in zip(cells, counts, strict=True)]
    return {
        "cells_02": len(strict),
        "agree_02": round(float(np.mean(strict)), 3),
        "cells_all": len(loose),
        "agree_all": round(float(np.mean(loose)), 3),
    }


def write(embedder: str, result: dict) -> None:
    """Store the weights fitted for ``embedder`` and their figures in themes.json."""
    data = json.loads(FITTED.read_text(encoding="utf-8"))
    data["weights"][embedder] = result["weights"]
    data.setdefault("figures", {})[embedder] = {
        "in_sample": result["in_sample"],
        "out_of_sample_loso": result["out_of_sample_loso"],
    }
    FITTED.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote the {embedder} weights to {FITTED.relative_to(ROOT)}", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--labels", type=Path, default=ROOT / "tests/data/coverage-labels.jsonl")
    parser.add_argument("--write", action="store_true", help="store the weights (themes.json)")
    args = parser.parse_args()
    store = PassageStore(args.index)
    profile = load_profile()
    scorer = SeedScorer.for_store(store, profile)
    cells = load_cells(store, scorer, args.labels)
    start = np.asarray(weights_for(store.embedder.name), dtype=np.float64)
    default = agreement(cells, [predict(c, start) for c in cells])
    full = fit(cells)
    insample = agreement(cells, [predict(c, full) for c in cells])
    files = sorted({c["file"] for c in cells})
    oos_counts = [0] * len(cells)
    for f in files:
        train = [c for c in cells if c["file"] != f]
        w = fit(train)
        for i, c in enumerate(cells):
            if c["file"] == f:
                oos_counts[i] = predict(c, w)
    oos = agreement(cells, oos_counts)
    per_theme = {}
    for t in profile.ids:
        idx = [i for i, c in enumerate(cells) if c["theme"] == t]
        per_theme[t] = agreement([cells[i] for i in idx], [oos_counts[i] for i in idx])
    result = {
        "weights": dict(zip(FEATURES, [round(float(v), 3) for v in full], strict=True)),
        "in_sample": insample,
        "out_of_sample_loso": oos,
        "per_theme_oos": per_theme,
        "shipped_weights_before": default,
    }
    print(json.dumps(result, indent=1))
    if args.write:
        write(store.embedder.name.split(":")[0], result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
