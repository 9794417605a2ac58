"""Fit the compare judge's weights on the tune split, with leave-one-question-out CV.

Usage: .venv/bin/python benchmarks/fit_compare.py [--index DIR]

Every passage of every side of every tune question is a row: label 1 when it holds one of that
side's gold quotes. A logistic regression (L2, balanced classes) on the judge's features gives
the weights; the threshold is the one that keeps the most tune sides addressed while judging
the fewest other passages as addressing the aspect. Cross-validation leaves one question out
and reports how often the side's best passage holds gold. Then the citation depth: how
many passages of a side chat cites per row (``cited_per_side``) and how close to the best they
must score (``runner_up_ratio``), the pair that passes the most tune questions (fewest citations
on ties), with its leave-one-question-out figure. Prints the settings to paste into
``assistant/analyses/compare_settings.py`` (the defaults of ``CompareSettings``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))

from assistant.analyses.compare import question_aspects, topic_of  # noqa: E402
from assistant.analyses.judging import FEATURES, SimilarityJudge  # noqa: E402
from assistant.analyses.sides import detect_sides  # noqa: E402
from assistant.retrieval.glossary import bundled  # noqa: E402


def _local(name: str):
    """Import a sibling module by path (an installed package named "benchmarks" shadows ours)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


common = _local("compare_common")
load_labelled, open_store, side_rows = common.load_labelled, common.open_store, common.side_rows

L2 = 1.0


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = L2) -> np.ndarray:
    """Return weights (features..., bias) of a balanced, L2-penalised logistic regression."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    pos = max(y.sum(), 1.0)
    neg = max(len(y) - y.sum(), 1.0)
    sample = np.where(y > 0, 0.5 / pos, 0.5 / neg) * len(y)
    w = np.zeros(xb.shape[1])
    penalty = np.full(xb.shape[1], l2 / len(y))
    penalty[-1] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(xb @ w, -30, 30)))
        grad = xb.T @ (sample * (p - y)) / len(y) + penalty * w
        hess = (xb * (sample * p * (1 - p))[:, None]).T @ xb / len(y) + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def collect(store, judge, questions):
    """Return per question a list of per-side (X, y) blocks."""
    subs = store.submissions()
    blocks = []
    for q in questions:
        topic = topic_of(q.question, detect_sides(q.question, subs).names)
        aspects = question_aspects(topic)
        sides = []
        for side, gold in zip(q.sides, q.gold, strict=True):
            per_aspect = []
            for aspect in aspects:
                columns, labels = side_rows(judge, store, aspect.text, side, gold)
                x = np.column_stack([columns[f] for f in FEATURES])
                per_aspect.append((x, labels))
            sides.append(per_aspect)
        blocks.append(sides)
    return blocks


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def gold_ranks(blocks, w) -> list[int]:
    """Return per side the best rank (1-based) of a gold passage over the aspects."""
    out = []
    for sides in blocks:
        for per_aspect in sides:
            ranks = []
            for x, y in per_aspect:
                order = np.argsort(-(x @ w[:-1] + w[-1]), kind="stable")
                ranks.append(1 + int(np.nonzero(y[order] > 0)[0][0]) if y.any() else 999)
            out.append(min(ranks))
    return out


def best_hits(blocks, w) -> list[bool]:
    """Return per side whether the best passage of some aspect holds gold."""
    out = []
    for sides in blocks:
        for per_aspect in sides:
            hit = False
            for x, y in per_aspect:
                z = x @ w[:-1] + w[-1]
                hit |= bool(y[int(np.argmax(z))] > 0)
            out.append(hit)
    return out


def cross_validate(blocks, keep: list[int]) -> tuple[float, float]:
    """Return (CV share of sides whose best passage holds gold, CV share within the top 2)."""
    hits, top2 = [], []
    for i in range(len(blocks)):
        rest = [b for j, b in enumerate(blocks) if j != i]
        x = np.vstack([x[:, keep] for sides in rest for pa in sides for x, _ in pa])
        y = np.concatenate([y for sides in rest for pa in sides for _, y in pa])
        w = fit_logistic(x, y)
        held = [[[(x[:, keep], y) for x, y in pa] for pa in blocks[i]]]
        hits.extend(best_hits(held, w))
        top2.extend(r <= 2 for r in gold_ranks(held, w))
    return float(np.mean(hits)), float(np.mean(top2))


DEPTHS = (1, 2, 3, 4, 5)
RATIOS = (0.6, 0.7, 0.8, 0.9, 1.0)


def side_passes(blocks, w, depth: int, ratio: float) -> list[bool]:
    """Return per question whether chat's citations (a side's best passage per aspect, then up to
    ``depth`` - 1 more scoring >= ``ratio`` x the best) hold gold for every side."""
    out = []
    for sides in blocks:
        ok = True
        for per_aspect in sides:
            hit = False
            for x, y in per_aspect:
                p = _sigmoid(x @ w[:-1] + w[-1])
                order = np.argsort(-p, kind="stable")[:depth]
                cited = [i for i in order if p[i] >= ratio * p[order[0]]]
                hit |= bool(y[cited].any())
            ok &= hit
        out.append(ok)
    return out


def choose_depth(blocks, w) -> tuple[int, float, float]:
    """Return the (depth, ratio) passing the most questions (fewest citations on ties)."""
    scored = [(float(np.mean(side_passes(blocks, w, d, r))), -d, r) for d in DEPTHS for r in RATIOS]
    share, d, r = max(scored)
    return -d, r, share


def depth_cv(blocks) -> float:
    """Return the leave-one-question-out share of questions passing, judge and depth refitted."""
    passes = []
    for i in range(len(blocks)):
        rest = [b for j, b in enumerate(blocks) if j != i]
        x = np.vstack([x for sides in rest for pa in sides for x, _ in pa])
        y = np.concatenate([y for sides in rest for pa in sides for _, y in pa])
        w = fit_logistic(x, y)
        depth, ratio, _ = choose_depth(rest, w)
        passes.extend(side_passes([blocks[i]], w, depth, ratio))
    return float(np.mean(passes))


def ablation(blocks) -> None:
    """Print the CV figures with all features and with each one left out."""
    every = list(range(len(FEATURES)))
    top1, top2 = cross_validate(blocks, every)
    print(f"all features: CV top-1 {top1:.2f}, top-2 {top2:.2f}")
    for k, name in enumerate(FEATURES):
        top1, top2 = cross_validate(blocks, [j for j in every if j != k])
        print(f"without {name}: CV top-1 {top1:.2f}, top-2 {top2:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=Path("/tmp/compare/real-e5"))
    parser.add_argument("--ablation", action="store_true", help="CV with each feature left out")
    args = parser.parse_args()
    store = open_store(args.index)
    judge = SimilarityJudge(store, glossary=bundled())
    questions = [q for q in load_labelled(store.submissions()) if q.split == "tune"]
    blocks = collect(store, judge, questions)
    cv = []
    for i in range(len(blocks)):
        rest = [b for j, b in enumerate(blocks) if j != i]
        x = np.vstack([x for sides in rest for pa in sides for x, _ in pa])
        y = np.concatenate([y for sides in rest for pa in sides for _, y in pa])
        cv.extend(best_hits([blocks[i]], fit_logistic(x, y)))
    x = np.vstack([x for sides in blocks for pa in sides for x, _ in pa])
    y = np.concatenate([y for sides in blocks for pa in sides for _, y in pa])
    if args.ablation:
        ablation(blocks)
    w = fit_logistic(x, y)
    in_sample = best_hits(blocks, w)
    best_p = []
    for sides in blocks:
        for per_aspect in sides:
            best_p.append(max(float(_sigmoid(xx @ w[:-1] + w[-1]).max()) for xx, _ in per_aspect))
    threshold = round(float(np.quantile(best_p, 0.1)), 3)
    print(
        f"tune questions: {len(questions)}, sides: {len(cv)}, "
        f"passages: {len(y)} ({int(y.sum())} gold)"
    )
    print(
        f"side's best passage holds gold: CV {np.mean(cv):.2f}, in-sample {np.mean(in_sample):.2f}"
    )
    print(f"features: {FEATURES}")
    print("gold rank per side (in-sample):", gold_ranks(blocks, w))
    print(f"DEFAULT_WEIGHTS = {tuple(round(float(v), 3) for v in w)}")
    print(f"DEFAULT_THRESHOLD = {threshold}  (the 10th percentile of the tune sides' best passage)")
    depth, ratio, share = choose_depth(blocks, w)
    print(
        f"cited_per_side = {depth}, runner_up_ratio = {ratio}: every side's gold cited for "
        f"{share:.2f} of the tune questions in-sample, {depth_cv(blocks):.2f} leave-one-question-"
        "out (judge and depth refitted without the question)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
