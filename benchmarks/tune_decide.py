"""Decisions fitted on the judgement's probabilities, for benchmarks/tune.py (inside each fold).

- the who threshold: the one that lists the most of the gold submitters (mean recall) while the
  lists stay precise (mean precision at least ``WHO_MIN_PRECISION``, issue 8's target, at it and
  at every threshold up to the most precise one); when none reaches it, the best F1;
- which passages an answer quotes: the judgement's best N passages in scope, each after the first
  only while it scores at least a ratio of the best one's probability; (N, ratio) the largest
  share of answers that quote a gold passage while the quoted passages that address the question
  stay at least ``CITATION_MIN_PRECISION`` (issue 8's target), else the best sum of the two.

Both are targets of the issue, not numbers fitted to a set: the fitting chooses, on the training
questions, the decision that meets them best.
"""

from __future__ import annotations

import numpy as np

from assistant.answering.judged import quoted_rows as shipped_quoted_rows
from assistant.answering.relevance_settings import RelevanceSettings

WHO_MIN_PRECISION = 0.8
CITATION_MIN_PRECISION = 0.7
MAX_QUOTED = 12
WHO_GRID = np.round(np.arange(0.01, 0.91, 0.01), 2)
QUOTED_RATIOS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
QUOTES_PER_SUBMITTER = RelevanceSettings().quotes_per_submitter


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


def quoted_counts(items, probs, n: int, ratio: float = 0.0, per_item=None) -> tuple[float, float]:
    """Return (share of answerable questions whose quoted passages hold a gold one, share of
    the labelled quoted passages that address the question). An answer quotes the best ``n``
    passages in scope, each after the first scoring at least ``ratio`` x the best one;
    ``per_item`` gives each item its own (n, ratio) instead (out-of-fold decisions)."""
    hits, addressed = [], []
    for i, (it, pr) in enumerate(zip(items, probs, strict=True)):
        if not it.question.answerable:
            continue
        n_i, r_i = per_item[i] if per_item is not None else (n, ratio)
        top = quoted_rows(it, pr, n_i, r_i)
        hits.append(bool(it.labels[top].any()))
        addressed += list(it.labels[top[it.labelled[top]]])
    return (
        float(np.mean(hits)) if hits else 0.0,
        float(np.mean(addressed)) if addressed else 0.0,
    )


def quoted_rows(it, pr: np.ndarray, n: int, ratio: float) -> np.ndarray:
    """Return the rows an answer quotes (assistant/answering/judged.py's ``quoted_rows`` on the
    passages in scope, best first); the best passage when none is in scope."""
    scored = np.where(it.scope, pr, -1.0)
    order = np.argsort(-scored)
    inside = [int(r) for r in order if it.scope[r]]
    labels = it.submitters if it.submitters is not None else it.keys
    kept = shipped_quoted_rows(inside, pr, n, ratio, lambda r: labels[r], QUOTES_PER_SUBMITTER)
    return np.array(kept or [int(order[0])], dtype=np.int64)


def fit_quoted(items, probs) -> tuple[int, float]:
    """Return (N, ratio): an answer quotes the judgement's best N passages, each after the first
    while it scores at least ratio x the best; the pair quoting a gold passage in the most
    answers while the quoted passages that address stay at ``CITATION_MIN_PRECISION`` or more
    (else the best sum of the two); on ties the more precise, then the fewer passages."""
    scored = []
    for n in range(1, MAX_QUOTED + 1):
        for ratio in QUOTED_RATIOS if n > 1 else (0.0,):
            hit, share = quoted_counts(items, probs, n, ratio)
            scored.append((n, float(ratio), hit, share))
    meeting = [(h, a, -n, r) for n, r, h, a in scored if a >= CITATION_MIN_PRECISION]
    if meeting:
        _, _, n, r = max(meeting)
    else:
        _, n, r = max((h + a, -n, r) for n, r, h, a in scored)
    return -n, r
