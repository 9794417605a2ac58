"""Decisions fitted on the judgement's probabilities, for benchmarks/tune.py (inside each fold).

- the who threshold: the one that lists the most of the gold submitters (mean recall) while the
  lists stay precise (mean precision at least ``WHO_MIN_PRECISION``, issue 8's target, at it and
  at every threshold up to the most precise one); when none reaches it, the best F1;
- how many passages an answer quotes: the judgement's best N passages in scope, N the largest
  share of answers that quote a gold passage while the quoted passages that address the question
  stay at least ``CITATION_MIN_PRECISION`` (issue 8's target), else the best sum of the two.

Both are targets of the issue, not numbers fitted to a set: the fitting chooses, on the training
questions, the decision that meets them best.
"""

from __future__ import annotations

import numpy as np

WHO_MIN_PRECISION = 0.8
CITATION_MIN_PRECISION = 0.7
MAX_QUOTED = 8
WHO_GRID = np.round(np.arange(0.01, 0.91, 0.01), 2)


def fit_who_threshold(who_f, items, probs) -> float:
    """Return the passage-level who threshold: most recall at the precision target.

    ``who_f(items, probs, t)`` returns (mean recall, mean precision) of who at threshold ``t``.
    From the most precise threshold, thresholds are lowered while each keeps the precision
    target (the first dip stops it: a lone precise threshold below a dip is chance).
    """
    scored = [(t, *who_f(items, probs, t)) for t in WHO_GRID]
    top = max(range(len(scored)), key=lambda i: scored[i][2])  # the most precise threshold
    if scored[top][2] < WHO_MIN_PRECISION:
        f1 = [(2 * r * p / (r + p) if r + p else 0.0, t) for t, r, p in scored]
        return float(max(f1)[1])
    chosen = top
    while chosen > 0 and scored[chosen - 1][2] >= WHO_MIN_PRECISION:
        chosen -= 1
    return float(scored[chosen][0])


def quoted_counts(items, probs, n: int) -> tuple[float, float]:
    """Return (share of answerable questions whose best ``n`` passages hold a gold one, share of
    the labelled ones among them that address the question)."""
    hits, addressed = [], []
    for it, pr in zip(items, probs, strict=True):
        if not it.question.answerable:
            continue
        top = np.argsort(-np.where(it.scope, pr, -1.0))[:n]
        hits.append(bool(it.labels[top].any()))
        addressed += list(it.labels[top[it.labelled[top]]])
    return (
        float(np.mean(hits)) if hits else 0.0,
        float(np.mean(addressed)) if addressed else 0.0,
    )


def fit_quoted_passages(items, probs) -> int:
    """Return how many of the best judged passages an answer quotes (see the module)."""
    scored = [(n, *quoted_counts(items, probs, n)) for n in range(1, MAX_QUOTED + 1)]
    meeting = [(hit, -n) for n, hit, share in scored if share >= CITATION_MIN_PRECISION]
    best = max(meeting) if meeting else max((hit + share, -n) for n, hit, share in scored)
    return -best[1]
