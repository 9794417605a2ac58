"""The thematic digest: per theme, who said what, grouped by submitter type, quotes verbatim.

Built from the coverage matrix (so staff corrections count): every submission that addresses a
theme gives one point with its strongest quotes (up to ``per_submission``, from distinct
passages); the others close the theme in a "Not addressed by" line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from assistant.analyses.coverage import build_coverage, cell_citations
from assistant.themes.profile import CallProfile, Theme
from assistant.types import Citation
from ingest.types import Submission

TYPE_ORDER = ("State", "NHRI", "NGO/civil society", "UN/intergovernmental")


@dataclass(frozen=True, slots=True)
class Point:
    submission: Submission
    citations: tuple[Citation, ...]


@dataclass(frozen=True, slots=True)
class ThemeDigest:
    theme: Theme
    groups: tuple[tuple[str, tuple[Point, ...]], ...]  # (submitter type, points)
    not_addressed: tuple[Submission, ...]


@dataclass(frozen=True, slots=True)
class Digest:
    title: str
    call_title: str
    made_on: str
    themes: tuple[ThemeDigest, ...]
    shared: frozenset[str] = frozenset()  # submitters with several submissions: named with titles

    def name(self, s: Submission) -> str:
        """Return "France", or "Malaysia — <title>" when Malaysia sent several submissions."""
        base = submitter_name(s)
        return f"{base} — {s.title}" if base in self.shared and s.title else base


def _type_rank(kind: str) -> tuple[int, str]:
    return (TYPE_ORDER.index(kind) if kind in TYPE_ORDER else len(TYPE_ORDER), kind)


def build_digest(
    store: Any,
    profile: CallProfile,
    *,
    themes: Sequence[str] = (),
    per_submission: int = 2,
) -> Digest:
    """Return the digest for ``themes`` (theme ids; all when empty)."""
    chosen = [profile.theme(t) for t in themes] if themes else list(profile.themes)
    coverage = build_coverage(store, profile)
    out = []
    for theme in chosen:
        groups: dict[str, list[Point]] = {}
        missing = []
        for row in coverage.rows:
            cell = row.cells[theme.id]
            if not cell.addressed:
                missing.append(row.submission)
                continue
            cites = cell_citations(store, profile, row.submission.key, theme.id, per_submission)
            if not cites and cell.citation is not None:
                cites = [cell.citation]
            if not cites:  # corrected to addressed, but no passage scores for it
                continue
            kind = row.submission.submitter_type or "Other"
            groups.setdefault(kind, []).append(Point(row.submission, tuple(cites)))
        ordered = tuple(
            (kind, tuple(points))
            for kind, points in sorted(groups.items(), key=lambda kv: _type_rank(kv[0]))
        )
        out.append(ThemeDigest(theme, ordered, tuple(missing)))
    return Digest(
        title="Thematic digest of the submissions",
        call_title=profile.title,
        made_on=date.today().isoformat(),
        themes=tuple(out),
        shared=frozenset(_shared(row.submission for row in coverage.rows)),
    )


def _shared(subs: Any) -> set[str]:
    seen: dict[str, int] = {}
    for s in subs:
        seen[submitter_name(s)] = seen.get(submitter_name(s), 0) + 1
    return {name for name, n in seen.items() if n > 1}


def submitter_name(s: Submission) -> str:
    """Return the name a digest line uses for a submission."""
    return s.submitter or s.title or s.file


def not_addressed_line(digest: Digest, td: ThemeDigest) -> str:
    """Return the closing line of a theme."""
    if not td.not_addressed:
        return "Not addressed by: none (every submission addresses this theme)."
    names = sorted({digest.name(s) for s in td.not_addressed})
    return "Not addressed by: " + "; ".join(names) + "."
