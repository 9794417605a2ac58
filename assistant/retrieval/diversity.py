"""Diversity of the top k: a cap per submitter, a soft decay, slots reserved for new submitters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from assistant.retrieval.fusion import Scored
from ingest.types import Passage, Submission


def diversify(
    ranked: list[Scored],
    k: int,
    cap: int,
    submitter_of: Callable[[Passage], str],
    decay: float = 1.0,
) -> list[Scored]:
    """Return ``ranked`` with at most ``cap`` per submitter in the first ``k``, then the rest.

    With ``decay`` < 1 the n-th passage of a submitter first has its score multiplied by
    ``decay ** (n - 1)`` (a soft preference for other submitters); ``cap`` 0 means no cap.
    """
    if decay < 1.0:
        seen: dict[str, int] = {}
        softened = []
        for s in ranked:
            who = submitter_of(s.passage)
            softened.append(replace(s, score=s.score * decay ** seen.get(who, 0)))
            seen[who] = seen.get(who, 0) + 1
        ranked = sorted(softened, key=lambda s: -s.score)
    if cap <= 0:
        return ranked
    counts: dict[str, int] = {}
    head: list[Scored] = []
    held: list[Scored] = []
    for s in ranked:
        who = submitter_of(s.passage)
        if counts.get(who, 0) < cap and len(head) < k:
            counts[who] = counts.get(who, 0) + 1
            head.append(s)
        else:
            held.append(s)
    if len(head) < k:  # too few submitters: backfill in rank order
        extra = held[: k - len(head)]
        head = sorted([*head, *extra], key=lambda s: -s.score)
        held = held[len(extra) :]
    return head + held


def submitter_key(submission: Submission | None, passage: Passage) -> str:
    """Return the grouping key of a passage's submitter: "Name (Type)"."""
    return submission.submitter_label if submission else passage.submission_key


def reserve_new(
    ranked: list[Scored], k: int, reserve: int, submitter_of: Callable[[Passage], str]
) -> list[Scored]:
    """Return ``ranked`` with its last ``reserve`` top-k slots given to unseen submitters."""
    if reserve <= 0 or len(ranked) <= k:
        return ranked
    head = ranked[: k - reserve]
    present = {submitter_of(s.passage) for s in head}
    rest = ranked[k - reserve :]
    fresh = []
    for s in rest:
        who = submitter_of(s.passage)
        if who not in present and len(fresh) < reserve:
            present.add(who)
            fresh.append(s)
    chosen = {s.passage.id for s in fresh}
    others = [s for s in rest if s.passage.id not in chosen]
    fill = others[: reserve - len(fresh)]
    top = head + sorted([*fresh, *fill], key=lambda s: -s.score)
    taken = {s.passage.id for s in top}
    return top + [s for s in rest if s.passage.id not in taken]
